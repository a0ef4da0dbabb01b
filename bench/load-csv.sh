#!/usr/bin/env bash
# Loading at memory speed (issue #12 item 4): descent's CSV loader and .npy data folder against
# pandas read_csv and numpy loadtxt on the same file, side by side, with peak RSS.
#   bench/load-csv.sh [ROWS] [COLS] [WORKDIR]     (default 500000 33 /tmp/descent-load)
# Generates WORKDIR/big.csv once (numpy, '%.6f' of N(0,1), a header x0..,y; ~157 MB at the default),
# then for REPS rounds runs each loader once, interleaved, and prints wall seconds and max RSS.
# Python: /usr/bin/python3 with Debian's python3-numpy and python3-pandas.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rows=${1:-500000} cols=${2:-33} work=${3:-/tmp/descent-load} reps=${REPS:-3}
py=/usr/bin/python3
mkdir -p "$work"
csv=$work/big.csv
if [[ ! -f $csv ]]; then
  $py - "$csv" "$rows" "$cols" <<'PY'
import sys, numpy as np
path, n, c = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
a = np.random.default_rng(1).standard_normal((n, c)).astype(np.float32)
np.savetxt(path, a, fmt='%.6f', delimiter=',', header=','.join([f'x{i}' for i in range(c - 1)] + ['y']), comments='')
PY
fi
"$root/descent" --version >/dev/null                          # build first, outside the timings (./descent builds when stale)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "commit: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo ' (modified)'); file: $csv, $(stat -L -c %s "$csv") bytes"
cat "$csv" > /dev/null                                       # into the page cache
run() {                                                      # run NAME CMD...: its output, wall and max RSS (/usr/bin/time)
  local name=$1; shift
  local said
  said=$(/usr/bin/time -f '%e %M' -o /tmp/descent-load.time "$@" 2>/dev/null | tail -1)
  read -r wall rss < /tmp/descent-load.time
  printf '%-38s wall %6.2f s  max RSS %5d MB   %s\n' "$name" "$wall" "$((rss / 1024))" "$said"
}
"$root/descent" data convert --data "$csv" --out "$work/big" 2>&1 | tail -1
for r in $(seq "$reps"); do
  echo "-- round $r (load average $(cut -d' ' -f1 /proc/loadavg))"
  run "descent data load (CSV)" "$root/descent" data load --data "$csv"
  run "pandas read_csv" $py -c "import pandas, time; t=time.time(); pandas.read_csv('$csv'); print('load alone %.3f s' % (time.time()-t))"
  run "numpy loadtxt" $py -c "import numpy, time; t=time.time(); numpy.loadtxt('$csv', delimiter=',', skiprows=1, dtype=numpy.float32); print('load alone %.3f s' % (time.time()-t))"
  run "descent train (CSV, 1 epoch)" "$root/descent" train --backend cpu --data "$csv" --batch 1000 --epochs 1 --no-progress
  run "descent data load (.npy folder)" "$root/descent" data load --data "$work/big"
  run "descent train (.npy folder, 1 epoch)" "$root/descent" train --backend cpu --data "$work/big" --batch 1000 --epochs 1 --no-progress
  run "cat X.npy y.npy > /dev/null" bash -c "cat '$work/big/X.npy' '$work/big/y.npy' > /dev/null"
  echo "  dd X.npy (page cache): $(dd if="$work/big/X.npy" of=/dev/null bs=4M 2>&1 | tail -1)"
done
