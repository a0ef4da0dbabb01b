#!/usr/bin/env bash
# On the GPU machine, in one call (device tool: run with carry [".gpu"]): what the CUDA issue needs
# measured. Every phase has a time limit inside one overall budget (VISIT_SECONDS, default 420), so the
# call ends in time and returns what it has; logs go under $OUT, a short table is printed last.
#   PHASES (default: all, in this order; or a comma list): info,tests,tests2,determinism,reproduce,data,bench,torch,sparse,sweep,profile,resume,sanitize,compile
#   info       nvidia-smi, nvcc, torch, `descent devices`
#   tests      the backend-parameterized suite with CUDA required (DESCENT_REQUIRE=cuda: no skip allowed), sparse and streaming included
#              (TESTS1: other classes)
#   tests2     kill/resume, leak (failing opens), auto-choice, ceiling and any-thread tests, CUDA required (TESTS2: other classes)
#   determinism the same training in separate processes, per backend (bench/gpu/determinism.sh)
#   reproduce  `descent reproduce --backend cuda` twice (bit-identical?) and once on the CPU (same lines?)
#   data       bench/gpu/make_data.py: the GPU workloads as .npy under /tmp/gpu-data (PyTorch draws them on the GPU)
#   bench      `descent bench gpu --backends cuda --data /tmp/gpu-data`: copy/read ceilings, fused GD step at n = 16M (d = 64)
#              and n = 1M (d = 1024), batch-1 SGD at d = 2 and 16
#   torch      PyTorch on the same bytes: d2d copy, fused step (fused SGD), Python loop, CUDA graph
#   sparse     rcv1-shaped sparse training (100k rows) on cuda and cpu, batch 1 / 256 / full, streamed too (one slot vs two)
#              (SPARSE_RUNS: the runs, ';'-separated)
#   sweep      issue #15 on the GPU: SweepTest with CUDA required (every configuration bit-identical to its lone run on cuda
#              and on NVIDIA's OpenCL), then the seed problem's 1,024 configurations (128 rates × 8 batch sizes 1 … 1,000, 3 epochs)
#              timed with the report, per backend (SWEEP_BACKENDS, default opencl:@gpu,cuda,cpu); the report's pictures need
#              java.desktop in the JRE (prepare.sh with JRE_LEAN=0) and fonts on the host (the H200 had no libharfbuzz),
#              else it is written without them and timed so; the CLI line splits opening the device from training
#   profile    Java Flight Recorder (and nsys where present) over one slow run (PROFILE_RUN), profile.jfr beside the logs
#   resume     the kill/resume test's training twice and once checkpointed per backend (RESUME_BACKENDS): history rows equal?
#   sanitize   compute-sanitizer (SANITIZERS, default memcheck,racecheck,initcheck) over every kernel path (SAN_MATCH: only runs naming it)
#   compile    PyTorch's torch.compile'd step on the 16M x 64 workload (last: compiling can take long)
set -uo pipefail
set -f                    # no globbing: the class path .gpu/app/* goes to java as it is
FINAL=${OUT:-/tmp/out}
OUT=/tmp/visit            # logs gather here; packed into $FINAL/visit.tgz at the end (8 files come back at most)
rm -rf "$OUT"; mkdir -p "$OUT" "$FINAL"
T0=$(date +%s)
BUDGET=${VISIT_SECONDS:-420}
PHASES=${PHASES:-info,tests,tests2,determinism,reproduce,data,bench,torch,sparse,sweep,profile,resume,sanitize,compile}
SANITIZERS=${SANITIZERS:-memcheck,racecheck,initcheck}
DATA=/tmp/gpu-data
J=.gpu/jre/bin/java
# Signal chaining (JSIG=0: off). On the third H200 visit a JUnit JVM with CUDA and two NVIDIA OpenCL contexts open
# died of SIGSEGV with no hs_err file (the JVM's own handler never ran) in pure-Java code; the same tests alone
# passed. A native library that installs its own SIGSEGV handler breaks the JVM's safepoint polls and implicit
# null checks that way; libjsig chains the handlers. A hypothesis until a visit runs both ways.
[[ ${JSIG:-1} == 1 && -f .gpu/jre/lib/libjsig.so ]] && J="env LD_PRELOAD=$PWD/.gpu/jre/lib/libjsig.so $J"
CP='.gpu/app/*'
D="$J -Xmx48g -Djava.awt.headless=true -Ddescent.home=. -cp $CP dev.descent.cli.Main"
JUNIT="$J -Xmx8g -Djava.awt.headless=true -cp $CP org.junit.platform.console.ConsoleLauncher execute --class-path .gpu/app --details=tree --disable-banner --disable-ansi-colors"
export DESCENT_REQUIRE=cuda PYTHONUNBUFFERED=1
SAN=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)

left() { echo $((BUDGET - ($(date +%s) - T0))); }
# limit MAX: the seconds a phase may take, at most what is left of the budget (less 5 s to write the table)
limit() { local l; l=$(( $(left) - 5 )); (( l > $1 )) && l=$1; (( l < 1 )) && l=1; echo "$l"; }
want() { [[ ",$PHASES," == *",$1,"* ]] && (( $(left) > 15 )); }
phase() { echo "== $1 (t=$(( $(date +%s) - T0 )) s)"; }
SUMMARY=()
row() { SUMMARY+=("$(printf '%-34s %s' "$1" "$2")"); }

if want info; then
  phase info
  { cat .gpu/COMMIT 2>/dev/null; nvidia-smi; nvcc --version; python3 -c 'import torch; print("torch", torch.__version__, torch.version.cuda)'; } > "$OUT/info.txt" 2>&1
  grep -E "Driver Version|H100|H200|release|^torch|^[0-9a-f]{40}" "$OUT/info.txt"
  timeout "$(limit 30)" $D devices 2>&1 | tee "$OUT/devices.txt"
fi

if want tests; then
  phase tests
  T1=${TESTS1:-dev.descent.backend.BackendConformanceTest,dev.descent.backend.cuda.CudaAvailabilityTest,dev.descent.backend.cuda.CudaKernelNamesTest,dev.descent.optim.TorchTrajectoryTest,dev.descent.optim.SklearnSgdTest,dev.descent.backend.SparseConformanceTest,dev.descent.backend.StreamingTest}
  sel=(); for c in ${T1//,/ }; do sel+=(--select-class "$c"); done
  timeout "$(limit 150)" $JUNIT "${sel[@]}" > "$OUT/tests.txt" 2>&1
  rc=$?
  grep -E "tests (successful|failed|skipped|aborted)" "$OUT/tests.txt"
  grep -E "✘|■" "$OUT/tests.txt" | grep -v "opencl" | head -40
  row "tests (CUDA required)" "exit $rc, $(grep -E 'tests (successful|failed)' "$OUT/tests.txt" | tr -s ' []' ' ' | tr '\n' ';')"
fi

# the code paths since the first GPU visit: kill/resume from a checkpoint (child JVMs), leaks of failing
# opens (fault seam; CUDA contexts are slow to make, so fewer opens), the automatic choice, the ceilings
if want tests2; then
  phase tests2
  JUNIT2=${JUNIT/-Xmx8g/-Xmx8g -Ddescent.leak.failing=100}
  T2=${TESTS2:-dev.descent.cli.KillResumeTest,dev.descent.backend.SessionLeakTest,dev.descent.backend.AutoChoiceTest,dev.descent.bench.LimitsTest,dev.descent.backend.AnyThreadTest}
  sel=(); for c in ${T2//,/ }; do sel+=(--select-class "$c"); done
  timeout "$(limit 150)" $JUNIT2 "${sel[@]}" > "$OUT/tests2.txt" 2>&1
  rc=$?
  grep -E "tests (successful|failed|skipped|aborted)|\[leak\]|\[kill-resume\]" "$OUT/tests2.txt"
  grep -E "✘|■" "$OUT/tests2.txt" | head -30
  row "tests2 (resume, leaks, auto)" "exit $rc, $(grep -E 'tests (successful|failed)' "$OUT/tests2.txt" | tr -s ' []' ' ' | tr '\n' ';')"
fi

if want determinism; then
  phase determinism
  OUT=$OUT timeout "$(limit 90)" bash bench/gpu/determinism.sh 2>&1 | tee "$OUT/determinism.txt"
fi

if want reproduce; then
  phase reproduce
  for r in cuda-1 cuda-2 cpu; do
    timeout "$(limit 40)" $D reproduce --backend "${r%-*}" --out "/tmp/rep-$r" > "$OUT/reproduce-$r.txt" 2>&1
    echo "reproduce $r exit $?"
  done
  tail -6 "$OUT/reproduce-cuda-1.txt"
  if diff -q <(grep -v "written to" "$OUT/reproduce-cuda-1.txt") <(grep -v "written to" "$OUT/reproduce-cuda-2.txt") >/dev/null &&
     ( set +f; for f in /tmp/rep-cuda-1/*.csv; do cmp -s <(cut -d, -f1-5 "$f") <(cut -d, -f1-5 "/tmp/rep-cuda-2/${f##*/}") || exit 1; done ); then
    row "cuda rerun (lines + histories)" "bit-identical (time column aside)"
  else
    row "cuda rerun (lines + histories)" "DIFFERENT"; diff -r /tmp/rep-cuda-1 /tmp/rep-cuda-2 | head -10
  fi
  diff <(grep -v "written to\|backend" "$OUT/reproduce-cpu.txt") <(grep -v "written to\|backend" "$OUT/reproduce-cuda-1.txt") > "$OUT/reproduce-cpu-vs-cuda.diff"
  row "cuda vs cpu printed lines" "$(grep -c '^<' "$OUT/reproduce-cpu-vs-cuda.diff") lines differ"
fi

if want data; then
  phase data
  timeout "$(limit 60)" python3 bench/gpu/make_data.py "$DATA" 2>&1 | tee "$OUT/data.txt"
fi

if want bench; then
  phase bench
  timeout "$(limit 170)" $D bench gpu --backends cuda --no-peers --force --data "$DATA" --out "$OUT/bench" > "$OUT/bench.log" 2>&1
  rc=$?
  grep -E "^\[bench\]|error|Exception" "$OUT/bench.log" | tail -25
  row "bench gpu" "exit $rc"
fi

if want torch; then
  phase torch
  timeout "$(limit 90)" python3 bench/peers/torch_peer.py "$DATA"/linear-16m-64 "$DATA"/linear-1m-1024 "$DATA"/linear-1m-2 \
    "$DATA"/linear-1m-16 > "$OUT/torch.json" 2> "$OUT/torch.err"
  rc=$?
  row "pytorch peer" "exit $rc"
  tail -5 "$OUT/torch.err"
  python3 - "$OUT/torch.json" <<'PY' 2>&1 | tee "$OUT/torch.txt"
import json, sys
o = json.load(open(sys.argv[1]))
print("torch", o["torch"], "copy", round(o["d2d_copy"]["gbs"]), "GB/s")
for run in o["runs"]:
    for r in run["results"]:
        print(run["n"], run["d"], r["op"], {k: (round(v, 6) if isinstance(v, float) else v) for k, v in r.items() if k in ("seconds", "gbs_floor", "steps_per_s", "optimizer", "skipped")})
PY
fi

# sparse rows and streaming on the GPU, timed (one run each, the CLI's own timing line): rcv1-shaped 100k rows
if want sparse; then
  phase sparse
  $D data --sparse --rows 100000 --format libsvm --out /tmp/sp100k.svm > /dev/null 2>&1
  IFS=';' read -ra sruns <<< "${SPARSE_RUNS:-cuda -B 1;cpu -B 1;cuda -B 256;cpu -B 256;cuda -B 1024;cuda -B 2048;cuda -B 100000 -e 5;cpu -B 100000 -e 5;cuda -B 256 --device-memory 8m --stream-slots 1;cuda -B 256 --device-memory 8m --stream-slots 2;cuda -B 100000 -e 5 --device-memory 8m --stream-slots 1;cuda -B 100000 -e 5 --device-memory 8m --stream-slots 2}"
  for r in "${sruns[@]}"; do
    (( $(left) > 20 )) || break
    echo "--- $r" >> "$OUT/sparse.txt"
    timeout "$(limit 40)" $D train --backend ${r%% *} --data /tmp/sp100k.svm --objective logistic ${r#* } --no-progress >> "$OUT/sparse.txt" 2>&1
    echo "exit $?" >> "$OUT/sparse.txt"
  done
  grep -E "^---|steps,|loss|exit" "$OUT/sparse.txt" | tail -40
  row "sparse timing runs" "$(grep -c '^exit 0' "$OUT/sparse.txt") of $(grep -c '^exit' "$OUT/sparse.txt") ran"
fi

# sweeps: correctness on the GPU backends, then issue #15's timing goal (1,024 seed configurations in under 1 s with the report)
if want sweep; then
  phase sweep
  DESCENT_REQUIRE=cuda timeout "$(limit 240)" $JUNIT --select-class dev.descent.sweep.SweepTest > "$OUT/sweep-tests.txt" 2>&1
  echo "exit $?" >> "$OUT/sweep-tests.txt"
  grep -E "tests (successful|failed|skipped)|exit" "$OUT/sweep-tests.txt"
  row "SweepTest, CUDA required" "$(grep -E 'tests (successful|failed)' "$OUT/sweep-tests.txt" | tr -s ' ' | tr '\n' ' ')"
  sb=${SWEEP_BACKENDS:-opencl:@gpu,cuda,cpu}
  for b in ${sb//,/ }; do
    (( $(left) > 30 )) || break
    echo "--- $b" >> "$OUT/sweep.txt"
    s0=$(date +%s.%N)
    timeout "$(limit 60)" $D sweep --backend "$b" --lr 1e-3..10:log:128 --batch 1,2,5,10,20,50,100,1000 --epochs 3 --no-check \
      --out "/tmp/sweep-${b//[:@]/_}" --force >> "$OUT/sweep.txt" 2>&1
    rc=$?; echo "exit $rc wall $(awk -v a="$s0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s (process start, JIT and kernel builds included)" >> "$OUT/sweep.txt"
  done
  grep -E "^---|configurations in|report written|^exit" "$OUT/sweep.txt"
  row "seed sweep, 1,024 configurations" "$(grep -E '^exit' "$OUT/sweep.txt" | tr '\n' ';')"
fi

# where a slow run's time goes: Java Flight Recorder's samples (jfr print reads them here) and, where nsys is
# installed, its CUDA kernel and copy summary; PROFILE_RUN is the run (default: streamed sparse, batch 256)
if want profile; then
  phase profile
  [[ -f /tmp/sp100k.svm ]] || $D data --sparse --rows 100000 --format libsvm --out /tmp/sp100k.svm > /dev/null 2>&1
  pr=${PROFILE_RUN:-train --backend cuda --data /tmp/sp100k.svm --objective logistic -B 256 -e 1 --device-memory 8m --no-progress}
  P=${D/-cp /-XX:StartFlightRecording=filename=$FINAL/profile.jfr,settings=profile -cp }
  timeout "$(limit 30)" $P $pr > "$OUT/profile.txt" 2>&1
  echo "exit $?" >> "$OUT/profile.txt"
  if command -v nsys > /dev/null && (( $(left) > 40 )); then
    timeout "$(limit 40)" nsys profile --duration=12 --stats=true -o /tmp/nsys-prof $D $pr >> "$OUT/profile.txt" 2>&1
    echo "nsys exit $?" >> "$OUT/profile.txt"
  fi
  grep -E "steps,|chunks|exit" "$OUT/profile.txt"
  row "profile" "$(grep -c exit "$OUT/profile.txt") runs; jfr $(ls -la "$FINAL/profile.jfr" 2>/dev/null | awk '{print $5}') bytes"
fi

# kill/resume's history difference on NVIDIA OpenCL (visits 2 and 3): the same training twice in separate
# processes and once checkpointed, per backend; the first differing history row (wall time left out)
if want resume; then
  phase resume
  A="--rows 60000 --features 24 --batch 4 --epochs 4 --lr 0.01 --optimizer momentum:0.9 --schedule step:2:0.5 --order shuffle --seed 7 --no-progress"
  for b in ${RESUME_BACKENDS:-opencl:@cpu opencl:@gpu cuda}; do
    (( $(left) > 25 )) || break
    f=${b//[:@]/_}
    timeout "$(limit 20)" $D train --backend $b $A --history /tmp/h-$f-1.csv > /dev/null 2>&1
    timeout "$(limit 20)" $D train --backend $b $A --history /tmp/h-$f-2.csv > /dev/null 2>&1
    rm -f /tmp/ck-$f
    timeout "$(limit 20)" $D train --backend $b $A --checkpoint /tmp/ck-$f --checkpoint-every 997 --history /tmp/h-$f-ck.csv > /dev/null 2>&1
    for k in 2 ck; do
      echo "$b run 1 vs $k: $(diff <(cut -d, -f1-5 /tmp/h-$f-1.csv) <(cut -d, -f1-5 /tmp/h-$f-$k.csv) | head -4 | tr '\n' ' ') (rows $(wc -l < /tmp/h-$f-$k.csv))"
    done | tee -a "$OUT/resume.txt"
  done
  row "resume history" "$(grep -cE "vs (2|ck): +\(rows" "$OUT/resume.txt") of $(wc -l < "$OUT/resume.txt") pairs equal"
fi

if want sanitize; then
  phase sanitize
  # every launch path: batch-1 thread kernel (d = 2, 16), one-block run kernel, partial + finish (v4 and
  # generic instances), loss kernels (1 and 8 snapshots), the bandwidth probes are not included
  # the paths never run on a GPU before come first (sparse rows, streaming, softmax), then the dense ones
  runs=("train --backend cuda --data /tmp/san-sparse.svm --objective logistic -B 1 -e 1 --weight-decay 1e-4 --no-progress"
        "train --backend cuda --data /tmp/san-sparse.svm --objective logistic -B 256 -e 1 --optimizer momentum:0.9 --no-progress"
        "train --backend cuda --data /tmp/san-sparse.svm --objective logistic -B 16 -e 1 --device-memory 2m --chunk-rows 200 --no-progress"
        "train --backend cuda --data /tmp/san-sparse.svm --objective logistic -B 3000 -e 2 --optimizer adam --no-progress"
        "train --backend cuda -n 20000 -d 64 -B 5000 -e 1 --device-memory 1m --no-progress"
        "train --backend cuda --data /tmp/san-soft.csv --objective softmax -B 1 -e 1 --no-progress"
        "train --backend cuda --data /tmp/san-soft.csv --objective softmax -B 64 -e 2 --optimizer adam --no-progress"
        "train --backend cuda --data /tmp/san-soft.csv --objective softmax -B 3000 -e 3 --no-progress"
        "train --backend cuda --data /tmp/san-soft.svm --objective softmax -B 32 -e 1 --no-progress"
        "reproduce --backend cuda --out /tmp/san-rep"
        "train --backend cuda -n 3000 -d 16 -B 1 -e 1 --no-progress"
        "train --backend cuda -n 3000 -d 16 -B 64 -e 2 --optimizer nesterov:0.9 --no-progress"
        "train --backend cuda -n 3000 -d 64 -B 3000 -e 3 --optimizer momentum:0.9 --no-progress"
        "train --backend cuda -n 3000 -d 1100 -B 2000 -e 1 --objective logistic --no-progress"
        "train --backend cuda -n 3000 -d 1024 -B 2000 -e 1 --no-progress"
        "train --backend cuda -n 3000 -d 3 -B 2500 -e 2 --objective logistic --no-progress"
        "train --backend cuda -n 3000 -d 16 -B 1 -e 1 --optimizer adam --no-progress"
        "train --backend cuda -n 3000 -d 40 -B 64 -e 2 --optimizer rmsprop-centered:0.99:0.9 --no-progress"
        "train --backend cuda -n 3000 -d 1100 -B 2000 -e 2 --optimizer adagrad --objective logistic --no-progress"
        "train --backend cuda -n 3000 -d 16 -B 1 -e 1 --objective hinge --average --no-progress"
        "train --backend cuda -n 3000 -d 40 -B 64 -e 2 --objective huber:0.5 --l1 0.01 --optimizer adam --no-progress"
        "train --backend cuda -n 3000 -d 1100 -B 2000 -e 2 --objective modified-huber --average --no-progress"
        "train --backend cuda -n 3000 -d 16 -B 64 -e 2 --optimizer momentum:0.9 --checkpoint /tmp/san.ckpt --checkpoint-every 1 --no-progress"
        "train --backend cuda -n 3000 -d 16 -B 64 -e 3 --optimizer momentum:0.9 --checkpoint /tmp/san.ckpt --resume /tmp/san.ckpt --no-progress")
  # sparse rows (kernels/common/sparse.h) and streaming: rcv1-shaped, 3000 rows
  $D data --sparse --rows 3000 --format libsvm --out /tmp/san-sparse.svm > /dev/null 2>&1
  # softmax: 3000 rows, 20 features, 4 classes, as CSV (dense rows) and LIBSVM (sparse rows)
  python3 - <<'PY'
import random
random.seed(3)
with open("/tmp/san-soft.csv", "w") as c, open("/tmp/san-soft.svm", "w") as s:
    for i in range(3000):
        x = [round(random.gauss(0, 1), 4) if random.random() < 0.4 else 0.0 for _ in range(20)]
        k = max(range(4), key=lambda j: sum(x[5 * j:5 * j + 5]) + random.gauss(0, 0.3))
        c.write(",".join(str(v) for v in x) + "," + str(k) + "\n")
        s.write(str(k) + "".join(" %d:%s" % (j + 1, v) for j, v in enumerate(x) if v != 0.0) + "\n")
PY
  for tool in ${SANITIZERS//,/ }; do
    : > "$OUT/sanitize-$tool.txt"
    for r in "${runs[@]}"; do
      (( $(left) > 10 )) || break
      [[ -z ${SAN_MATCH:-} || $r == *$SAN_MATCH* ]] || continue
      echo "--- $r" >> "$OUT/sanitize-$tool.txt"
      timeout "$(limit 60)" "$SAN" --tool "$tool" --target-processes all --error-exitcode 3 $D $r >> "$OUT/sanitize-$tool.txt" 2>&1
      echo "exit $?" >> "$OUT/sanitize-$tool.txt"
    done
    row "compute-sanitizer $tool" "$(grep -c '^exit 0' "$OUT/sanitize-$tool.txt") of $(grep -c '^exit' "$OUT/sanitize-$tool.txt") clean; $(grep -h 'ERROR SUMMARY' "$OUT/sanitize-$tool.txt" | sort | uniq -c | tr -s ' ' | tr '\n' ';')"
  done
fi

if want compile; then
  phase compile
  timeout "$(limit 120)" python3 bench/peers/torch_peer.py "$DATA"/linear-16m-64 --compile --steps 1000 > "$OUT/torch-compile.json" 2> "$OUT/torch-compile.err"
  rc=$?
  row "pytorch torch.compile" "exit $rc"
  grep -A3 compiled-step "$OUT/torch-compile.json" | head -5
fi

phase done
printf '%s\n' "${SUMMARY[@]}" | tee "$OUT/summary.txt"
cp "$OUT/summary.txt" "$FINAL/"
tar czf "$FINAL/visit.tgz" -C /tmp visit
ls -la "$FINAL"
