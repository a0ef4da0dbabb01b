#!/usr/bin/env bash
# Here (no GPU): build, bundle a JRE + jars into .gpu/ (../shared/gpu/bundle.sh), add the test suite
# and the JUnit console launcher. Then call the device tool's run with carry [".gpu"] and the command
#   bash bench/gpu/visit.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -B package -DskipTests
# bundle.sh keeps an existing .gpu/jre: make it first. Lean by default, without java.desktop (12 MB less: the working
# tree and .gpu must stay under the device tool's 64 MiB, and with it they did not at session 10); the GPU hosts
# cannot draw text anyway (no libharfbuzz there), and every command writes its numbers without the pictures and says
# so in one line. JRE_LEAN=0 adds java.desktop (AWT) for a host that can draw.
mods=java.base,java.logging,java.management,jdk.unsupported,java.naming,java.sql,java.xml,jdk.jfr
[[ ${JRE_LEAN:-1} == 1 ]] || mods=$mods,java.desktop
if [[ ! -x .gpu/jre/bin/java || "$(cat .gpu/jre/MODULES 2>/dev/null)" != "$mods" ]]; then
  rm -rf .gpu/jre
  mkdir -p .gpu
  jlink --add-modules "$mods" \
        --strip-debug --no-man-pages --no-header-files --compress=2 --output .gpu/jre
  echo "$mods" > .gpu/jre/MODULES
fi
bash ../shared/gpu/bundle.sh
# the working tree travels with .gpu under 64 MiB: strip the JRE's native libraries (libjvm.so 24 → 20 MB)
find .gpu/jre -name "*.so" -exec strip --strip-unneeded {} \; 2>/dev/null || true
git rev-parse HEAD > .gpu/COMMIT
cp target/descent-*-gpusuite.jar target/testlib/junit-platform-console-standalone-*.jar .gpu/app/
du -sh .gpu
# what the device tool carries: tracked and untracked-not-ignored files, plus .gpu; over 64 MiB it refuses the call
carried=$(( $( { git ls-files -z; git ls-files -z --others --exclude-standard; } | xargs -0 stat -c %s 2>/dev/null | awk '{ s += $1 } END { print s + 0 }') + $(du -sb .gpu | cut -f1) ))
echo "carried with .gpu: $(( carried / 1048576 )) MiB of the device tool's 64"
(( carried < 64 * 1048576 )) || echo "over 64 MiB: move what the visit does not need out of the tree (bench/results, docs) for the call, or drop a jar" >&2
