#!/usr/bin/env python3
"""Issue #15's table from a SweepBench JMH JSON file: per backend, d, batch and K the sweep's training time per epoch
(its trainMs ÷ sweeps counters; the whole call beside it),
one lone epoch's, the ratio to K lone epochs (K·lone ÷ sweep) and to the roofline bound
max(n·(d+1)·4 bytes ÷ READ, K·n·4d flops ÷ FMA) with the ceilings given (GB/s, GFLOP/s, measured by SweepVsPeer).

A lone epoch does not depend on K: where the file has none for a cell's K (SweepBench.lone run with -p k=1 only),
the cell takes the lone epoch of the same backend, d and batch at any K.

usage: sweepbench_table.py FILE.json [MORE.json …] READ_GBS FMA_GFLOPS"""
import json, sys

rows = [r for f in sys.argv[1:-2] for r in json.load(open(f))]
read, fma = float(sys.argv[-2]), float(sys.argv[-1])
score = {}


def err(e):
    """' ± e' when JMH gave an error (3 or more iterations), else nothing."""
    return f" ± {e:.1f}" if isinstance(e, (int, float)) and e == e else ""


for r in rows:
    p = r["params"]
    key = (p["backend"], int(p["d"]), int(p["batch"]), int(p["k"]), int(p["n"]))
    if r["benchmark"].endswith((":trainMs", ":sweeps")):
        continue
    m = score.setdefault(key, {})
    name = r["benchmark"].rsplit(".", 1)[1]
    m[name] = (r["primaryMetric"]["score"], r["primaryMetric"]["scoreError"])
    sec = r.get("secondaryMetrics", {})
    if "trainMs" in sec and sec.get("sweeps", {}).get("score"):
        m["train"] = (sec["trainMs"]["score"] / sec["sweeps"]["score"], 0.0)
print("| backend | d | batch | K | sweep training, ms/epoch | whole call, ms | one lone epoch, ms | K lone ÷ sweep | roofline bound, ms (by) | sweep ÷ bound |")
print("|---|---|---|---|---|---|---|---|---|---|")
for key in sorted(score, key=lambda k: (k[0], k[1], k[2] if k[2] else 10**9, k[3])):
    b, d, bs, k, n = key
    s = score[key]
    if "sweep" not in s:
        continue
    lone = s.get("lone") or next((v["lone"] for q, v in score.items() if q[:3] == key[:3] and q[4] == n and "lone" in v), None)
    call, lo = s["sweep"][0], lone[0] if lone else None   # a run of SweepBench.sweep alone has no lone epochs
    sw = s["train"][0] if "train" in s else call
    by_bytes = n * (d + 1) * 4 / (read * 1e9) * 1e3
    by_flops = k * n * 4 * d / (fma * 1e9) * 1e3
    bound = max(by_bytes, by_flops)
    print(f"| {b} | {d} | {bs if bs else 'full'} | {k} | {sw:.3f} | {call:.1f}{err(s['sweep'][1])} | {'—' if lo is None else f'{lo:.3f}'} | {'—' if lo is None else f'{k * lo / sw:.1f}×'} | "
          f"{bound:.3f} ({'bytes' if by_bytes >= by_flops else 'flops'}) | {sw / bound:.1f} |")
