#!/usr/bin/env python3
"""PyTorch on the GPU doing descent's CUDA benchmark work, on the same data (X.npy, y.npy from `descent data`).

  fused-step   w.grad = X.T @ (X @ w - y) / n ; optimizer.step()   (torch.optim.SGD), timed with CUDA events
  sgd-loop     one example per step: r = x_i·w - y_i ; w.grad = r·x_i ; optimizer.step(), a Python loop
  sgd-graph    the same steps captured once in a CUDA graph and replayed (launch gaps removed)

Prints one JSON object. Usage: torch_peer.py DATA_DIR [--steps 20000] [--repeats 20]
NOT YET RUN: written without a GPU; the first GPU session should run it and fix what breaks.
"""
import argparse
import json
import sys


def events_median(fn, repeats, warmup=3):
    import torch
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    ts = []
    for _ in range(repeats):
        a, z = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        fn()
        z.record()
        z.synchronize()
        ts.append(a.elapsed_time(z) / 1e3)
    ts.sort()
    return ts[len(ts) // 2], ts[0], ts[-1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--steps", type=int, default=20000)
    ap.add_argument("--repeats", type=int, default=20)
    a = ap.parse_args()
    try:
        import numpy as np
        import torch
    except ImportError as e:
        print(json.dumps({"skipped": [{"peer": "pytorch", "why": str(e)}]}))
        return
    if not torch.cuda.is_available():
        print(json.dumps({"skipped": [{"peer": "pytorch", "why": "torch.cuda.is_available() is False"}]}))
        return
    dev = torch.device("cuda")
    X = torch.from_numpy(np.load(f"{a.dir}/X.npy")).to(dev)
    y = torch.from_numpy(np.load(f"{a.dir}/y.npy")).to(dev)
    n, d = X.shape
    out = {"torch": torch.__version__, "cuda": torch.version.cuda, "device": torch.cuda.get_device_name(0), "n": n, "d": d,
           "results": []}

    w = torch.zeros(d, device=dev)
    opt = torch.optim.SGD([w], lr=1e-4)

    def fused():
        w.grad = X.T @ (X @ w - y) / n
        opt.step()

    med, lo, hi = events_median(fused, a.repeats)
    out["results"].append({"op": "fused-step", "seconds": med, "min": lo, "max": hi, "gbs": X.numel() * 4 / med / 1e9})

    steps = min(a.steps, n)
    w1 = torch.zeros(d, device=dev)
    opt1 = torch.optim.SGD([w1], lr=1e-4)

    def loop():
        for i in range(steps):
            xi = X[i]
            r = xi @ w1 - y[i]
            w1.grad = r * xi
            opt1.step()

    med, lo, hi = events_median(loop, max(3, a.repeats // 4), warmup=1)
    out["results"].append({"op": "sgd-loop", "steps": steps, "seconds": med, "min": lo, "max": hi, "steps_per_s": steps / med})

    # CUDA graph of K steps (K small: capture time and graph size grow with K), replayed steps/K times
    K = 1000
    w2 = torch.zeros(d, device=dev)
    g2 = torch.zeros(d, device=dev)
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for i in range(3):
            r = X[i] @ w2 - y[i]
            w2.sub_(1e-4 * r * X[i])
    torch.cuda.current_stream().wait_stream(s)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        for i in range(K):
            r = X[i] @ w2 - y[i]
            torch.mul(X[i], r, out=g2)
            w2.sub_(1e-4 * g2)
    reps = max(1, steps // K)

    def replay():
        for _ in range(reps):
            graph.replay()

    med, lo, hi = events_median(replay, max(3, a.repeats // 4), warmup=1)
    out["results"].append({"op": "sgd-graph", "steps": reps * K, "seconds": med, "min": lo, "max": hi,
                           "steps_per_s": reps * K / med})
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    sys.exit(main())
