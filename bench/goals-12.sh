#!/usr/bin/env bash
# The two issue-#12 goals the other runs do not measure side by side, in one run on this machine:
#   batch-1 SGD of the Java cpu backend (Vector API on) at d = 2 and d = 64, rows in order, n = 1M,
#   against scikit-learn's SGDRegressor on the same .npy data (bench/peers/peers.py --sgd);
#   OpenCL (the cpu kernel family) epochs with rows shuffled against rows in order, n = 200k, d = 64,
#   at batch 10, 100, 1000 and full (EpochBench's order parameter).
# Writes bench/results/<name>/ (env.txt, sgd.json, epochs.json, peers.json, *.log).
# Usage: bench/goals-12.sh [name]
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:-goals12-$(date -u +%Y%m%d-%H%M)}
out=bench/results/$name
mkdir -p "$out"
. bench/env.sh
export_jsig
bench_prepare
{
  bench_env "bench/goals-12.sh $name"
} > "$out/env.txt"
jmh=(java -jar bench/target/benchmarks.jar -f 1 -wi 3 -i 5 -w 1 -r 1 -jvmArgsAppend "--add-modules=jdk.incubator.vector")
"${jmh[@]}" SgdEpochBench -p backend=cpu -p d=2,64 -rf json -rff "$out/sgd.json" > "$out/sgd.log" 2>&1
"${jmh[@]}" EpochBench -p backend=opencl -p batch=10,100,1000,0 -p order=shuffle,inorder -rf json -rff "$out/epochs.json" > "$out/epochs.log" 2>&1
/usr/bin/python3 bench/peers/peers.py target/bench/d64 target/bench/d2 --sgd --repeats 7 > "$out/peers.json"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/env.txt"
grep -E "^Benchmark|SgdEpochBench|EpochBench" "$out/sgd.log" "$out/epochs.log" | grep -v "^.*:#" | tail -20
cat "$out/peers.json"
