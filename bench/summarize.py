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




def best(x):
    """A ceiling figure: schema 2 keeps every repetition (the best is the ceiling); older files one number."""
    return x["max"] if isinstance(x, dict) else x


def spread(x):
    return f"median {x['median']:.1f}, {x['min']:.1f}–{x['max']:.1f}, {len(x['samples'])} runs" if isinstance(x, dict) else "one figure"


print("## OpenCL benchmark\n")
print("```\n" + env + "\n```\n")
if "read_used" in ceil["opencl"]:
    read = ceil["opencl"]["read_used"]
    print("Ceilings measured in the same run (GB/s, best of the runs; copy counts read + write bytes):\n")
    print("| probe | read | write | copy |")
    print("|---|---|---|---|")
    for name, c in ceil.items():
        print(f"| {name}: {c['probe']} | " + " | ".join(
            f"{best(c[k]):.1f} ({spread(c[k])})" for k in ("read_gbs", "write_gbs", "copy_gbs")) + " |")
    print(f"\nThe OpenCL workloads are reported against a read ceiling of {read:.1f} GB/s (from {ceil['opencl']['used_from']})."
          + "".join(f" Refused: {e}." for e in ceil["opencl"].get("errors", [])) + "\n")
else:
    read = ceil["opencl"]["read_gbs"]
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
        # above the ceiling is a measurement error (cache, probe), never a percentage over 100
        share = f"{100 * gbs / read:.0f}% of read" if gbs <= read else f"above the read ceiling {read:.1f} GB/s: measurement error"
        print(f"| {name} | {p['backend']} | {dim} | {rng} | {gbs:.1f} GB/s | {share} | {vs} |")
    else:
        sps = n / (ms / 1e3)
        pr = peer("sgd-epoch", dim)
        vs = f"{sps / pr['steps_per_s']:.2f}× scikit-learn ({pr['steps_per_s'] / 1e6:.2f} M/s)" if pr else "scikit-learn skipped"
        print(f"| {name} | {p['backend']} | {dim} | {rng} | {sps / 1e6:.1f} M steps/s | latency-bound | {vs} |")
print(f"\nPeers: numpy {peers.get('numpy')}, scikit-learn {peers.get('sklearn')}, Python {peers['python']}; "
      + ("skipped: " + ", ".join(s['peer'] + ' (' + s['why'] + ')' for s in peers['skipped']) if peers["skipped"] else "none skipped") + ".")
