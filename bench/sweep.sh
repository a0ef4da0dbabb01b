#!/usr/bin/env bash
# Sweeps (issue #15): descent's sweep of K batch-1 SGD configurations against K separate runs on the same
# backend (BACKENDS: cpu, the sweep engine, and opencl:@cpu, OpenCL's lane launch; each skipped in one line where absent), its roofline, and scikit-learn fitting the same K SGDRegressors one after another, on the same
# float32 file, in the same run.
#   bench/sweep.sh [ROWS] [WORKDIR]           (default 1000000 /tmp/descent-sweep; or ROWS=… in the environment)
#   DIMS=2,64 BACKENDS=cpu,opencl:@cpu K=64 ROUNDS=2 REPS=3 PEER_REPS=1 bench/sweep.sh
#
# Data: WORKDIR/sweep-ROWS-D.f32, made once by SweepVsPeer make (Generators.regression(ROWS, D, 0.3, seed 7):
# x then t, float32 little-endian). Each side runs in its own process with the load outside the timing,
# best of N with the spread (min–max) over N after an untimed warm-up; descent then the peer, ROUNDS
# times, and the summary takes each side's best and widest spread over all rounds:
#  - descent: one epoch of the K-configuration sweep (squared loss, lr 1e-4…1e-2 evenly in log, rows in
#    file order, from zero), training time (its loss records subtracted); one configuration alone on the
#    same backend (Session.run), times K; the read ceiling and the FMA peak measured in the same process,
#    and the roofline bound max(bytes ÷ read, flops ÷ FMA) (see SweepVsPeer's Javadoc).
#  - scikit-learn: SGDRegressor(squared_error, no penalty, constant eta0 = lr_i, max_iter=1, tol=None,
#    shuffle=False) fitted K times one after another on float64 X (converted once, untimed).
# Goals (issue #15): sweep ≤ 2× its roofline bound; ≥ 4× cheaper than K lone runs; ≥ 20× faster than scikit-learn.
# Java: the library jar (built here, without CUDA, when older than its sources) and
# bench/src/main/java/dev/descent/jmh/SweepVsPeer.java compiled here with javac.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rows=${1:-${ROWS:-1000000}} work=${2:-/tmp/descent-sweep}
dims=${DIMS:-2,64} backends=${BACKENDS:-cpu,opencl:@cpu} k=${K:-64} rounds=${ROUNDS:-2} reps=${REPS:-3} peer_reps=${PEER_REPS:-1}
py=/usr/bin/python3
mkdir -p "$work/classes"
jar=$root/target/descent-0.1.0-SNAPSHOT.jar
if [[ ${SKIP_BUILD:-0} != 1 ]] && [[ ! -f $jar || ! -d $root/target/lib || -n $(find "$root/src/main" "$root/kernels" "$root/pom.xml" -newer "$jar" -type f -print -quit) ]]; then
  echo "building the library (mvn -o -q -Dcuda.skip=true -DskipTests package; SKIP_BUILD=1 uses the jar as it is)" >&2
  (cd "$root" && mvn -o -q -B -Dcuda.skip=true -DskipTests package)
fi
src=$root/bench/src/main/java/dev/descent/jmh/SweepVsPeer.java
cls=$work/classes/dev/descent/jmh/SweepVsPeer.class
if [[ ! -f $cls || $src -nt $cls || $jar -nt $cls ]]; then
  javac --add-modules jdk.incubator.vector -d "$work/classes" -cp "$jar:$root/target/lib/*" "$src" 2>&1 | grep -v "incubat" || true
fi
# as ./descent: the JDK's libjsig chains PoCL's signal handlers behind the JVM's. Without it, a run with OpenCL first
# and the cpu backend's threads after died of SIGSEGV with no hs_err file (session 12, BACKENDS=opencl:@cpu,cpu, d = 64)
jsig="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")/lib/libjsig.so"
java=(env LD_PRELOAD="$jsig${LD_PRELOAD:+:$LD_PRELOAD}" java ${JAVA_OPTS:--Xmx6g} --add-modules jdk.incubator.vector -cp "$work/classes:$jar:$root/target/lib/*" dev.descent.jmh.SweepVsPeer)
cmd="bench/sweep.sh $rows $work  (DIMS=$dims BACKENDS=$backends K=$k ROUNDS=$rounds REPS=$reps PEER_REPS=$peer_reps)"
. "$root/bench/env.sh"
bench_header "$cmd" "$root" "$jar"
: > "$work/descent.txt"; : > "$work/peer.txt"
for d in ${dims//,/ }; do
  f=$work/sweep-$rows-$d.f32
  [[ -f $f ]] || "${java[@]}" make "$f" "$rows" "$d" 2> /dev/null
  cat "$f" > /dev/null                                         # into the page cache
  for r in $(seq "$rounds"); do                                # descent, then the peer: both see the same machine
    echo "-- d $d, round $r of $rounds (load average $(cut -d' ' -f1 /proc/loadavg))"
    "${java[@]}" run "$f" "$rows" "$d" "$k" "$reps" "$backends" 2> /dev/null | tee -a "$work/descent.txt"
    $py "$root/bench/peers/sweep_peer.py" "$f" "$rows" "$d" "$k" --reps "$peer_reps" | tee -a "$work/peer.txt"
  done
done

$py - "$work/descent.txt" "$work/peer.txt" "$dims" "$machine; load average at the end $(cut -d' ' -f1-3 /proc/loadavg)" "$commit" "$cmd" "$k" "$backends" <<'PY'
import re, shlex, sys
res = {}
for f in sys.argv[1:3]:
    for line in open(f):
        if not line.startswith("RESULT "):
            continue
        kv = dict(tok.split("=", 1) for tok in shlex.split(line)[1:])
        key = (kv["side"], kv["measure"])
        old = res.get(key)
        if old is None or float(kv["best"]) * (1 if kv["side"] != "ceiling" else -1) < float(old["best"]) * (1 if kv["side"] != "ceiling" else -1):
            if old is not None and "max" in old:
                kv["max"] = str(max(float(kv["max"]), float(old["max"])))
                kv["runs"] = str(int(kv["runs"]) + int(old["runs"]))
            res[key] = kv
        elif "max" in old:
            old["max"] = str(max(float(kv["max"]), float(old["max"])))
            old["runs"] = str(int(kv["runs"]) + int(old["runs"]))
k = sys.argv[7]
print()
print(f"machine: {sys.argv[4]}; commit: {sys.argv[5]}; command: {sys.argv[6]}")
print(f"| d | backend | sweep of {k}, s/epoch (min–max, runs) | roofline bound (by) | ÷ bound (goal ≤ 2) | {k} lone runs on the backend | lone ÷ sweep (goal ≥ 4) | scikit-learn, {k} fits | sklearn ÷ sweep (goal ≥ 20) | final loss, descent vs sklearn (cfg 0, K/2, K−1) |")
print("|---" * 10 + "|")
for d in sys.argv[3].split(","):
    for backend in sys.argv[8].split(","):
        tag = "" if backend == "cpu" else re.sub("[^A-Za-z0-9]+", "_", backend) + "-"
        s, l, p = res.get(("descent", f"{tag}sweep-d{d}")), res.get(("descent", f"{tag}lone-d{d}")), res.get(("sklearn", f"sweep-d{d}"))
        rd, fm = res.get(("ceiling", f"read-d{d}")), res.get(("ceiling", f"fma-d{d}"))
        if s is None:
            continue
        sb = float(s["best"])
        row = [d, backend, f"{sb:.3f} ({float(s['min']):.3f}–{float(s['max']):.3f}, {s['runs']})",
               f"{float(s['bound']):.3f} s ({s['bound_by']}; read {float(rd['best']):.1f} GB/s, FMA {float(fm['best']):.0f} GFLOP/s)",
               f"{float(s['roofline_ratio']):.2f}" if "roofline_ratio" in s else f"{sb / float(s['bound']):.2f}"]   # the bound prints in 4 decimals: 0 on tiny runs
        row += [f"{float(l['k_lone']):.3f} s ({float(l['best']):.4f} each)", f"{float(l['k_lone']) / sb:.1f}×"] if l else ["—", "—"]
        row += [f"{float(p['best']):.2f} s ({float(p['min']):.2f}–{float(p['max']):.2f}, {p['runs']})", f"{float(p['best']) / sb:.1f}×"] if p else ["—", "—"]
        row += [f"{s['losses']} vs {p['losses']}" if p else s["losses"]]
        print("| " + " | ".join(str(c) for c in row) + " |")
PY
