#!/usr/bin/env python3
"""Writes the GPU suite's workloads as NumPy files, ROOT/<workload>/X.npy, y.npy, w.npy, so that
`descent bench gpu --data ROOT` and bench/peers/torch_peer.py measure on the same bytes.

The data are those of descent's synthetic regression (X ~ N(0, 1), w ~ N(0, 1), b = 4.2,
y = X·w + b + 0.01·N(0, 1)), drawn by PyTorch on the GPU from a fixed seed: a 4 GB workload takes
seconds here, where descent's own single-threaded generator takes about a minute.

Usage: make_data.py ROOT [NAME:N:D ...]   (default: the GPU suite's four workloads)
"""
import os
import sys
import time

import numpy as np
import torch

DEFAULT = ["linear-16m-64:16000000:64", "linear-1m-1024:1000000:1024", "linear-1m-2:1000000:2", "linear-1m-16:1000000:16"]


def main():
    root = sys.argv[1]
    specs = sys.argv[2:] or DEFAULT
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    for k, spec in enumerate(specs):
        name, n, d = spec.split(":")
        n, d = int(n), int(d)
        t0 = time.time()
        g = torch.Generator(device=dev).manual_seed(1 + k)
        X = torch.randn(n, d, generator=g, device=dev, dtype=torch.float32)
        w = torch.randn(d, generator=g, device=dev, dtype=torch.float32)
        y = X @ w + 4.2 + 0.01 * torch.randn(n, generator=g, device=dev, dtype=torch.float32)
        out = os.path.join(root, name)
        os.makedirs(out, exist_ok=True)
        for fname, a in (("X.npy", X), ("y.npy", y), ("w.npy", w)):
            np.save(os.path.join(out, fname), np.ascontiguousarray(a.cpu().numpy(), dtype="<f4"))
        print(f"{name}: {n} x {d} in {time.time() - t0:.1f} s", flush=True)


if __name__ == "__main__":
    main()
