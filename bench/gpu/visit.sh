#!/usr/bin/env bash
# On the GPU machine, in one call: what the CUDA issue needs measured. Writes logs under $OUT and
# prints a short table last. NOT YET RUN: prepared in a session without a GPU.
#   1. nvidia-smi, `descent devices`
#   2. the backend-parameterized suite with CUDA required (DESCENT_REQUIRE=cuda: no skip allowed)
#   3. compute-sanitizer memcheck on a subset of the suite (the JVM under the sanitizer is slow)
#   4. `descent reproduce --backend cuda`
#   5. `descent bench gpu --backends cuda`: device-to-device copy and read ceilings, fused GD step at
#      n = 16M (d = 64) and n = 1M (d = 1024), batch-1 SGD at d = 2 and 16
#   6. PyTorch on the same data: fused step, a loop of single-example steps, a CUDA-graph loop
set -uo pipefail
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT"
J=.gpu/jre/bin/java
CP='.gpu/app/*'
D="$J -Xmx48g -Djava.awt.headless=true -Ddescent.home=. -cp $CP dev.descent.cli.Main"
JUNIT="$J -Xmx8g -cp $CP org.junit.platform.console.ConsoleLauncher execute --class-path .gpu/app --details=summary --disable-banner"
export DESCENT_REQUIRE=cuda

nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1; head -15 "$OUT/nvidia-smi.txt"
$D devices 2>&1 | tee "$OUT/devices.txt"

echo "== tests (CUDA required)"
$JUNIT --select-class dev.descent.backend.BackendConformanceTest --select-class dev.descent.backend.cuda.CudaAvailabilityTest \
  > "$OUT/tests.txt" 2>&1; echo "tests exit $?" | tee -a "$OUT/tests.txt"; tail -20 "$OUT/tests.txt"

echo "== compute-sanitizer memcheck"
SAN=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
timeout 400 "$SAN" --tool memcheck --target-processes all --error-exitcode 3 $JUNIT \
  --select-method 'dev.descent.backend.BackendConformanceTest#externalLoopStepMatchesReference(java.lang.String)' \
  --select-method 'dev.descent.backend.BackendConformanceTest#divergenceStopsTheRunAtTheDivergingStep(java.lang.String)' \
  > "$OUT/memcheck.txt" 2>&1; echo "memcheck exit $?" | tee -a "$OUT/memcheck.txt"; grep -E "ERROR SUMMARY|exit" "$OUT/memcheck.txt"

echo "== reproduce on cuda"
$D reproduce --backend cuda --out "$OUT/reproduce" > "$OUT/reproduce.txt" 2>&1; tail -8 "$OUT/reproduce.txt"

echo "== bench gpu"
$D bench gpu --backends cuda --no-peers --out "$OUT/bench-gpu" > "$OUT/bench-gpu.log" 2>&1; grep -E "^\[bench\]" "$OUT/bench-gpu.log"

echo "== pytorch peers on the same bytes"
for spec in "16000000 64" "1000000 1024" "1000000 2" "1000000 16"; do
  set -- $spec
  $D data -n "$1" -d "$2" --out "/tmp/data-$1-$2" >/dev/null 2>&1
  python3 bench/peers/torch_peer.py "/tmp/data-$1-$2" > "$OUT/torch-$1-$2.json" 2> "$OUT/torch-$1-$2.err"
  echo "torch n=$1 d=$2: $(tr -d '\n ' < "$OUT/torch-$1-$2.json" | cut -c1-400)"
done
