#!/usr/bin/env bash
# End to end, file on disk to trained and evaluated model, descent against scikit-learn's
# equivalent pipeline on the same CSV, in one run: load, standardize, (upload,) one epoch of
# mini-batch SGD on the squared loss, full-data loss. Each side is timed as a whole command
# (interpreter or JVM start included), best of $REPEATS, with the file in the page cache.
#
#   bash bench/e2e.sh [ROWS] [FEATURES] [BATCH]     (default 500000 32 32: a 150 MB CSV)
#
# Needs python3 with numpy, pandas and scikit-learn (Debian: python3-numpy python3-pandas
# python3-sklearn). Prints one line per side and the ratio; nothing is written outside $TMPDIR.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rows=${1:-500000}
features=${2:-32}
batch=${3:-32}
repeats=${REPEATS:-3}
descent=${DESCENT:-$root/descent}               # DESCENT="java -cp … dev.descent.cli.Main" to skip the launcher
py=python3                                     # the system python has Debian's numpy/pandas/sklearn
for c in /usr/bin/python3 python3; do
  if "$c" -c 'import numpy, pandas, sklearn' 2>/dev/null; then py=$c; break; fi
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
csv=$work/data.csv

"$py" - "$csv" "$rows" "$features" <<'EOF'
import sys, numpy as np
path, n, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(7)
X = rng.normal(size=(n, d)).astype(np.float32) * rng.uniform(0.5, 50, size=d).astype(np.float32)
w = rng.normal(size=d)
y = (X / X.std(axis=0)) @ w + 0.1 * rng.normal(size=n)
header = ",".join([f"x{j}" for j in range(d)] + ["y"])
np.savetxt(path, np.column_stack([X, y]).astype(np.float32), delimiter=",", fmt="%.7g", header=header, comments="")
EOF
size=$(du -m "$csv" | cut -f1)
cat "$csv" > /dev/null                                          # into the page cache for both sides
$descent devices > /dev/null 2>&1 || true                     # builds descent once, outside the timing

cat > "$work/sk.py" <<'EOF'
import sys, time
t0 = time.perf_counter()
import numpy as np, pandas as pd
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import SGDRegressor
df = pd.read_csv(sys.argv[1])
t1 = time.perf_counter()
X = StandardScaler().fit_transform(df.iloc[:, :-1].to_numpy(np.float32))
y = df.iloc[:, -1].to_numpy(np.float64)
y = (y - y.mean()) / y.std(ddof=1)
m = SGDRegressor(loss="squared_error", penalty=None, learning_rate="constant", eta0=0.01, max_iter=1, tol=None,
                 shuffle=True, random_state=1)
import warnings; warnings.filterwarnings("ignore")
m.fit(X, y)
loss = 0.5 * np.mean((m.predict(X) - y) ** 2)
print(f"sklearn load {t1 - t0:.2f} s, total {time.perf_counter() - t0:.2f} s, loss {loss:.6g}", file=sys.stderr)
EOF

best() {        # best wall seconds of $repeats runs of the command
  local b=""
  for _ in $(seq "$repeats"); do
    local s e
    s=$(date +%s.%N); "$@" > /dev/null 2>> "$work/log"; e=$(date +%s.%N)
    b=$(python3 -c "print(min(float('${b:-1e9}'), $e - $s))")
  done
  echo "$b"
}

sk=$(best "$py" "$work/sk.py" "$csv")
de=$(best $descent train --data "$csv" --standardize --batch "$batch" --epochs 1 --lr 0.01 --period "$((batch * 1000))" --no-progress)
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
echo "file: $rows x $features floats + target, ${size} MB CSV; batch $batch, 1 epoch; best of $repeats; $(nproc) cores; commit $commit"
echo "scikit-learn (pandas read_csv + StandardScaler + SGDRegressor + loss): ${sk} s"
echo "descent (train --data --standardize, auto backend, loss recorded):       ${de} s"
python3 -c "print(f'descent is {$sk / $de:.2f}x scikit-learn end to end (goal: 3x)')"
grep -E '^(sklearn|descent: backend)' "$work/log" | sort | uniq -c | sed 's/^/  /'
