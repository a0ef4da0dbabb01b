#!/usr/bin/env bash
# Loading LIBSVM files (issue #13 item 2): descent's LIBSVM reader against scikit-learn's
# load_svmlight_file on the same file, in the same run, with peak RSS and the ratio of load times.
#   bench/load-libsvm.sh [ROWS] [FEATURES] [WORKDIR]     (default 200000 32 /tmp/descent-load-libsvm)
#   SPARSE=1 bench/load-libsvm.sh 100000                 rcv1-shaped sparse rows instead (descent data --sparse:
#                                                        47,236 features, ~75 stored values per row, power-law popularity)
# Generates WORKDIR/big.svm once with `descent data --format libsvm` (seed 1's regression data,
# N(0,1) features written by Float.toString: ~100 MB at the default), then for REPS rounds runs
# each loader once, interleaved. "load alone" is the time inside the process, without the JVM's or
# Python's start; the ratio compares those. Python: /usr/bin/python3 with Debian's python3-sklearn.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rows=${1:-200000} feats=${2:-32} work=${3:-/tmp/descent-load-libsvm} reps=${REPS:-3}
py=/usr/bin/python3
mkdir -p "$work"
svm=$work/big.svm
[[ ${SPARSE:-0} == 1 ]] && svm=$work/sparse-$rows.svm
"$root/descent" --version >/dev/null                          # build first, outside the timings (./descent builds when stale)
if [[ ! -f $svm ]]; then
  if [[ ${SPARSE:-0} == 1 ]]; then
    "$root/descent" data --sparse --rows "$rows" --format libsvm --out "$svm"
  else
    "$root/descent" data --rows "$rows" --features "$feats" --format libsvm --out "$svm"
  fi
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "commit: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo ' (modified)'); file: $svm, $(stat -L -c %s "$svm") bytes"
echo "peer: scikit-learn $($py -c 'import sklearn; print(sklearn.__version__)') load_svmlight_file(dtype=float32)"
cat "$svm" > /dev/null                                       # into the page cache
run() {                                                      # run NAME CMD...: its last line, wall and max RSS (/usr/bin/time)
  local name=$1; shift
  local said
  said=$(/usr/bin/time -f '%e %M' -o /tmp/descent-load-libsvm.time "$@" 2>/dev/null | tail -1)
  read -r wall rss < /tmp/descent-load-libsvm.time
  printf '%-34s wall %6.2f s  max RSS %5d MB   %s\n' "$name" "$wall" "$((rss / 1024))" "$said" >&2
  echo "$said"
}
for r in $(seq "$reps"); do
  echo "-- round $r (load average $(cut -d' ' -f1 /proc/loadavg))"
  d=$(run "descent data load (LIBSVM)" "$root/descent" data load --data "$svm")
  s=$(run "sklearn load_svmlight_file" $py -c "
import time, numpy
from sklearn.datasets import load_svmlight_file
t = time.time(); X, y = load_svmlight_file('$svm', dtype=numpy.float32); s = time.time() - t
print('%d x %d, nnz %d; load alone %.3f s' % (X.shape[0], X.shape[1], X.nnz, s))")
  ds=$(sed -n 's/.* in \([0-9.]*\) s .*/\1/p' <<<"$d")
  ss=$(sed -n 's/.*load alone \([0-9.]*\) s.*/\1/p' <<<"$s")
  echo "  load alone: descent $ds s, scikit-learn $ss s: descent is $(awk -v a="$ss" -v b="$ds" 'BEGIN { printf "%.2f", a / b }')x as fast"
done
