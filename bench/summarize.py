#!/usr/bin/env python3
"""Summarizes a bench/results/<name>/ folder (jmh.json, peers.json, ceilings.json, env.txt) as Markdown."""
import json
import os
import sys

d = sys.argv[1]
jmh = json.load(open(os.path.join(d, "jmh.json")))
peers = json.load(open(os.path.join(d, "peers.json")))
ceil = json.load(open(os.path.join(d, "ceilings.json")))
env = open(os.path.join(d, "env.txt")).read().strip()


def peer(op, dim):
    for r in peers["results"]:
        if r["op"] == op and r["d"] == dim:
            return r
    return None


read = ceil["opencl"]["read_gbs"]
print("## OpenCL benchmark\n")
print("```\n" + env + "\n```\n")
print(f"Measured in the same run: read {read:.1f} GB/s, copy {ceil['opencl']['copy_gbs']:.1f} GB/s "
      f"(256 MiB buffers, {ceil['opencl']['device']}).\n")
print("| benchmark | backend | d | median ms (min–max) | throughput | vs floor | vs peer |")
print("|---|---|---|---|---|---|---|")
for b in jmh:
    name = b["benchmark"].split(".")[-2] + "." + b["benchmark"].split(".")[-1]
    p = b["params"]
    n, dim = int(p["n"]), int(p["d"])
    raw = sorted(x for fork in b["primaryMetric"]["rawData"] for x in fork)
    ms = raw[len(raw) // 2]
    rng = f"{ms:.2f} ({raw[0]:.2f}–{raw[-1]:.2f})"
    if name.startswith("GradientBench"):
        gbs = n * dim * 4 / (ms / 1e3) / 1e9
        pr = peer("gradient", dim)
        vs = f"{pr['seconds'] * 1e3 / ms:.2f}× numpy ({pr['seconds'] * 1e3:.2f} ms)" if pr and name.endswith("gradient") else ""
        print(f"| {name} | {p['backend']} | {dim} | {rng} | {gbs:.1f} GB/s | {100 * gbs / read:.0f}% of read | {vs} |")
    else:
        sps = n / (ms / 1e3)
        pr = peer("sgd-epoch", dim)
        vs = f"{sps / pr['steps_per_s']:.2f}× scikit-learn ({pr['steps_per_s'] / 1e6:.2f} M/s)" if pr else "scikit-learn skipped"
        print(f"| {name} | {p['backend']} | {dim} | {rng} | {sps / 1e6:.1f} M steps/s | latency-bound | {vs} |")
print(f"\nPeers: numpy {peers.get('numpy')}, scikit-learn {peers.get('sklearn')}, Python {peers['python']}; "
      + ("skipped: " + ", ".join(s['peer'] + ' (' + s['why'] + ')' for s in peers['skipped']) if peers["skipped"] else "none skipped") + ".")
