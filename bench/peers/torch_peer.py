#!/usr/bin/env python3
"""PyTorch on the GPU doing descent's CUDA benchmark work, on the same bytes (X.npy, y.npy from
`descent data` or bench/gpu/make_data.py).

  d2d-copy        a device-to-device copy of 1 GiB (GB/s counts bytes read + written): a ceiling cross-check
  fused-step      w.grad = X.T @ (X @ w - y) / n ; SGD(fused=True).step()   (foreach when fused is refused)
  compiled-step   the same step through torch.compile (inductor), when --compile and it compiles
  sgd-loop        one example per step: r = x_i·w - y_i ; w.grad = r·x_i ; SGD.step(), a Python loop
  sgd-graph       the same single-example steps captured once in a CUDA graph (K steps) and replayed

Times are CUDA-event medians. Prints one JSON object with a result list per data folder.
Usage: torch_peer.py DIR [DIR ...] [--steps 5000] [--repeats 20] [--compile]
"""
import argparse
import json
import sys
import time


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
    return {"seconds": ts[len(ts) // 2], "min": ts[0], "max": ts[-1], "repeats": repeats}


def one(path, a, torch, np):
    dev = torch.device("cuda")
    X = torch.from_numpy(np.load(f"{path}/X.npy")).to(dev)
    y = torch.from_numpy(np.load(f"{path}/y.npy")).to(dev)
    n, d = X.shape
    res = []
    floor = X.numel() * 4  # one pass over X: the floor of a full-batch step

    w = torch.zeros(d, device=dev)
    kind = "fused"
    try:
        opt = torch.optim.SGD([w], lr=1e-4, fused=True)
    except (TypeError, RuntimeError):
        opt, kind = torch.optim.SGD([w], lr=1e-4, foreach=True), "foreach"

    def step():
        w.grad = X.T @ (X @ w - y) / n
        opt.step()

    r = events_median(step, a.repeats)
    res.append({"op": "fused-step", "optimizer": kind, **r, "gbs_floor": floor / r["seconds"] / 1e9,
                "note": "two passes over X (X@w, then X.T@r); gbs_floor counts one"})

    if a.compile:
        w2 = torch.zeros(d, device=dev)

        def raw(w2):
            g = X.T @ (X @ w2 - y) / n
            w2.sub_(1e-4 * g)

        try:
            t0 = time.time()
            c = torch.compile(raw)
            c(w2)
            torch.cuda.synchronize()
            r = events_median(lambda: c(w2), a.repeats)
            res.append({"op": "compiled-step", **r, "gbs_floor": floor / r["seconds"] / 1e9, "compile_s": time.time() - t0})
        except Exception as e:  # a peer that does not compile here is reported, not fatal
            res.append({"op": "compiled-step", "skipped": f"{type(e).__name__}: {str(e)[:200]}"})

    steps = min(a.steps, n)
    w1 = torch.zeros(d, device=dev)
    opt1 = torch.optim.SGD([w1], lr=1e-4)

    def loop():
        for i in range(steps):
            xi = X[i]
            w1.grad = (xi @ w1 - y[i]) * xi
            opt1.step()

    r = events_median(loop, 3, warmup=1)
    res.append({"op": "sgd-loop", "steps": steps, **r, "steps_per_s": steps / r["seconds"]})

    K = 1000
    wg = torch.zeros(d, device=dev)
    g2 = torch.zeros(d, device=dev)
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for i in range(3):
            wg.sub_(1e-4 * (X[i] @ wg - y[i]) * X[i])
    torch.cuda.current_stream().wait_stream(s)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        for i in range(K):
            torch.mul(X[i], X[i] @ wg - y[i], out=g2)
            wg.sub_(1e-4 * g2)
    reps = max(1, steps // K)

    def replay():
        for _ in range(reps):
            graph.replay()

    r = events_median(replay, 3, warmup=1)
    res.append({"op": "sgd-graph", "steps": reps * K, **r, "steps_per_s": reps * K / r["seconds"]})
    del X, y
    torch.cuda.empty_cache()
    return {"data": path, "n": n, "d": d, "results": res}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--steps", type=int, default=5000)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--compile", action="store_true")
    a = ap.parse_args()
    try:
        import numpy as np
        import torch
    except ImportError as e:
        print(json.dumps({"skipped": [{"peer": "pytorch", "why": str(e)}]}))
        return 0
    if not torch.cuda.is_available():
        print(json.dumps({"skipped": [{"peer": "pytorch", "why": "torch.cuda.is_available() is False"}]}))
        return 0
    out = {"torch": torch.__version__, "cuda": torch.version.cuda, "device": torch.cuda.get_device_name(0), "runs": []}
    src = torch.empty(1 << 28, device="cuda")
    dst = torch.empty_like(src)
    r = events_median(lambda: dst.copy_(src), 20)
    out["d2d_copy"] = {**r, "bytes": 2 * src.numel() * 4, "gbs": 2 * src.numel() * 4 / r["seconds"] / 1e9}
    del src, dst
    for path in a.dirs:
        out["runs"].append(one(path, a, torch, np))
        print(f"torch: {path} done", file=sys.stderr, flush=True)
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
