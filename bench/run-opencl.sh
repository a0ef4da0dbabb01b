#!/usr/bin/env bash
# One run of the OpenCL benchmark of issue 3, with its peers, on this machine:
#   full-batch gradient (n = 1M, d = 64) vs numpy's X.T @ (X @ w - y) / n and vs the read ceiling (native probe and OpenCL probes);
#   one epoch of batch-1 SGD (n = 1M, d = 2 and 64) vs scikit-learn's SGDRegressor.
# Writes bench/results/<name>/ (jmh.json, peers.json, ceilings.json, env.txt, summary.md) and prints the summary.
# Usage: bench/run-opencl.sh [name]
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:-opencl-$(date -u +%Y%m%d-%H%M)}
out=bench/results/$name
mkdir -p "$out"
. bench/env.sh
export_jsig
bench_prepare
{
  bench_env "bench/run-opencl.sh $name"
  echo "opencl: $(clinfo -l 2>/dev/null | tr '\n' ' ')"
} > "$out/env.txt"
# ceilings: the native probe (membw.c) before and after the OpenCL probes, judged (see CeilingRun)
java -cp bench/target/benchmarks.jar dev.descent.jmh.Ceilings 256 opencl > "$out/ceilings.json" 2> "$out/ceilings.log"
java -jar bench/target/benchmarks.jar "GradientBench|SgdEpochBench" -p backend=opencl,opencl:@gpu \
  -rf json -rff "$out/jmh.json" > "$out/jmh.log" 2>&1
/usr/bin/python3 bench/peers/peers.py target/bench/d64 target/bench/d2 --sgd --repeats 7 > "$out/peers.json"
/usr/bin/python3 bench/summarize.py "$out" | tee "$out/summary.md"
