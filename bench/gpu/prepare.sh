#!/usr/bin/env bash
# Here (no GPU): build, bundle a JRE + jars into .gpu/ (../shared/gpu/bundle.sh), add the test suite
# and the JUnit console launcher. Then call the device tool's run with carry [".gpu"] and the command
#   bash bench/gpu/visit.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -B package -DskipTests
bash ../shared/gpu/bundle.sh
cp target/descent-*-gpusuite.jar target/testlib/junit-platform-console-standalone-*.jar .gpu/app/
du -sh .gpu
