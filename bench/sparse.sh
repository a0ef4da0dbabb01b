#!/usr/bin/env bash
# Sparse training (issue #13 item 6): descent against scikit-learn / scipy on the same rcv1-shaped
# LIBSVM file, in the same run.
#   bench/sparse.sh [ROWS] [WORKDIR]          (default 100000 /tmp/descent-sparse; or ROWS=… in the environment)
#   ROUNDS=2 REPS=7 GRAD_REPS=20 LR=0.5 ALPHA=1e-5 BACKENDS=cpu,opencl bench/sparse.sh
#
# Data: WORKDIR/sparse-ROWS.svm, made once by `descent data --sparse --format libsvm` (47,236 features,
# ~75 stored values a row, unit-length rows, balanced 0/1 labels from a planted model; seed 1).
# Measures, each side timed in its own process with the load outside the timing, best of N with the
# spread (min–max) over N, after an untimed warm-up; the two processes run one after the other ROUNDS
# times and the summary takes each side's best and widest spread over all its ROUNDS×REPS timings:
#  1. one epoch of batch-1 logistic SGD with L2 (coupled weight decay ALPHA), constant rate LR, rows in
#     file order, parameters from zero: descent (Session.run, lazy scaled weights, O(nnz) a step) on each
#     backend vs SGDClassifier(loss='log_loss', penalty='l2', alpha=ALPHA, learning_rate='constant',
#     eta0=LR, max_iter=1, tol=None, shuffle=False, fit_intercept=True).fit on the float64 CSR matrix.
#     scikit-learn scales its intercept steps by intercept_decay = 0.01 on sparse input
#     (sklearn/linear_model/_base.py make_dataset); the timed peer patches that to 1.0 so that both sides
#     apply the same rule (see bench/peers/sparse_peer.py); the stock fit's loss is printed as a CHECK.
#     Loss: the mean log loss over all rows (float64), the L2 term α/2·‖w‖² printed beside it; descent's
#     final parameters are also scored by the peer's code. Goal: descent ≥ 2× as fast at equal loss (±1%).
#     Also descent at batch 256 (one epoch, same LR): SGDClassifier has no mini-batch SGD, so no peer.
#  2. the full mean gradient of the squared loss, Xᵀ(Xw − y)/n over all rows, no bias:
#     descent Session.gradient(0, n, false) vs scipy's X.T @ (X @ w - y) / n in float32 (descent's
#     precision) and float64. Goal: ≥ 1.5× scipy float32.
# Java: the library jar (built here, without CUDA, when older than its sources) and bench/src/main/java/dev/descent/jmh/SparseBench.java
# compiled here with javac (it is also in the bench module's jar). Python: /usr/bin/python3 with Debian's
# numpy, scipy and scikit-learn.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rows=${1:-${ROWS:-100000}} work=${2:-/tmp/descent-sparse}
reps=${REPS:-7} grad_reps=${GRAD_REPS:-20} rounds=${ROUNDS:-2} lr=${LR:-0.5} alpha=${ALPHA:-1e-5} backends=${BACKENDS:-cpu,opencl}
py=/usr/bin/python3
mkdir -p "$work/classes" "$work/out"
rm -f "$work"/out/*.f32
jar=$root/target/descent-0.1.0-SNAPSHOT.jar
if [[ ${SKIP_BUILD:-0} != 1 ]] && [[ ! -f $jar || ! -d $root/target/lib || -n $(find "$root/src/main" "$root/kernels" "$root/pom.xml" -newer "$jar" -type f -print -quit) ]]; then
  echo "building the library (mvn -o -q -Dcuda.skip=true -DskipTests package; SKIP_BUILD=1 uses the jar as it is)" >&2
  (cd "$root" && mvn -o -q -B -Dcuda.skip=true -DskipTests package)
fi
src=$root/bench/src/main/java/dev/descent/jmh/SparseBench.java
cls=$work/classes/dev/descent/jmh/SparseBench.class
if [[ ! -f $cls || $src -nt $cls || $jar -nt $cls ]]; then
  javac -d "$work/classes" -cp "$jar:$root/target/lib/*" "$src"
fi
svm=$work/sparse-$rows.svm
[[ -f $svm ]] || "$root/descent" data --sparse --rows "$rows" --format libsvm --out "$svm" > /dev/null
cat "$svm" > /dev/null                                         # into the page cache

opts=(--lr "$lr" --alpha "$alpha")
jsig="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")/lib/libjsig.so"   # as ./descent: PoCL's signal handlers
vector=()
[[ ${DESCENT_VECTOR:-0} == 1 ]] && vector=(--add-modules jdk.incubator.vector)
cmd="bench/sparse.sh $rows $work  (ROUNDS=$rounds REPS=$reps GRAD_REPS=$grad_reps LR=$lr ALPHA=$alpha BACKENDS=$backends)"
. "$root/bench/env.sh"
bench_header "$cmd" "$root" "$jar"
echo "file: $svm, $(stat -L -c %s "$svm") bytes"
: > "$work/descent.txt"; : > "$work/peer.txt"
for r in $(seq "$rounds"); do                                  # descent, then the peer, ROUNDS times: both see the same machine
  echo "-- round $r of $rounds (load average $(cut -d' ' -f1 /proc/loadavg))"
  LD_PRELOAD="$jsig${LD_PRELOAD:+:$LD_PRELOAD}" java ${JAVA_OPTS:-} "${vector[@]}" -cp "$work/classes:$jar:$root/target/lib/*" \
    dev.descent.jmh.SparseBench "$svm" "$work/out" --backends "$backends" --batches 1,256 --reps "$reps" --grad-reps "$grad_reps" "${opts[@]}" \
    | tee -a "$work/descent.txt"
  $py "$root/bench/peers/sparse_peer.py" "$svm" "$work/out" --reps "$reps" --grad-reps "$grad_reps" "${opts[@]}" | tee -a "$work/peer.txt"
done

$py - "$work/descent.txt" "$work/peer.txt" "$backends" "$machine; load average at the end $(cut -d' ' -f1-3 /proc/loadavg)" "$commit" "$cmd" <<'EOF'
import re, shlex, sys
res = {}
for f in sys.argv[1:3]:
    for line in open(f):
        if line.startswith("RESULT "):
            kv = dict(tok.split("=", 1) for tok in shlex.split(line)[1:])
            key = (kv["side"], kv["measure"])
            if key in res:                                     # another round: best and spread over all rounds
                old = res[key]
                kv["runs"] = str(int(kv["runs"]) + int(old["runs"]))
                kv["max"] = str(max(float(kv["max"]), float(old["max"])))
                if float(old["best"]) < float(kv["best"]):
                    for k in ("best", "min", "steps_per_s"):
                        if k in old: kv[k] = old[k]
            res[key] = kv
backends = sys.argv[3].split(",")
def cell(side, measure, what="time"):
    r = res.get((side, measure))
    if r is None: return "—"
    s = f"{float(r['best']):.4f} s ({float(r['min']):.4f}–{float(r['max']):.4f}, {r['runs']} runs)"
    if what == "sgd":
        sps = float(r['steps_per_s'])
        s += f", {sps / 1e6:.2f} M steps/s" if sps >= 1e5 else f", {sps:.0f} steps/s"
        s += f", loss {float(r['loss']):.5f}"
    return s
print()
print(f"machine: {sys.argv[4]}; commit: {sys.argv[5]}; command: {sys.argv[6]}")
print(f"| measure (best of N, min–max) | " + " | ".join(f"descent {b}" for b in backends) + " | peer | ratio (peer time / descent time) | goal met? |")
print("|---" * (len(backends) + 4) + "|")
def row(name, measure, peer_side, peer_measure, goal, what="time", loss_check=False):
    p = res.get((peer_side, peer_measure)) if peer_side else None
    ratios, met = [], []
    for b in backends:
        d = res.get((f"descent-{b}", measure))
        if d is None or p is None: continue
        ratio = float(p["best"]) / float(d["best"])
        ok = ratio >= goal
        if loss_check:
            dl, pl = float(d["loss"]), float(p["loss"])
            ok = ok and abs(dl - pl) <= 0.01 * pl
        ratios.append(f"{b} {ratio:.2f}×")
        met.append(f"{b} {'yes' if ok else 'no'}")
    peer = cell(peer_side, peer_measure, what) if peer_side else "none (SGDClassifier has no mini-batch SGD)"
    print(f"| {name} | " + " | ".join(cell(f"descent-{b}", measure, what) for b in backends)
          + f" | {peer} | {', '.join(ratios) or '—'} | {(', '.join(met) + f' (goal ≥ {goal}×)') if met else '—'} |")
row("SGD epoch, batch 1 (vs SGDClassifier)", "sgd-b1", "sklearn", "sgd-b1", 2.0, "sgd", loss_check=True)
row("SGD epoch, batch 256", "sgd-b256", None, None, 0, "sgd")
row("full gradient (vs scipy float32)", "grad-f32", "scipy", "grad-f32", 1.5)
row("full gradient (vs scipy float64)", "grad-f32", "scipy", "grad-f64", 1.5)
p = res.get(("sklearn", "sgd-b1"))
for b in backends:
    d = res.get((f"descent-{b}", "sgd-b1"))
    if d and p:
        dl, pl = float(d["loss"]), float(p["loss"])
        print(f"batch-1 loss, descent {b} vs scikit-learn: {dl:.6f} vs {pl:.6f} (mean log loss; {100 * (dl - pl) / pl:+.3f}%), "
              f"+ L2 term α/2·‖w‖²: {dl + float(d['l2']):.6f} vs {pl + float(p['l2']):.6f}")
EOF
