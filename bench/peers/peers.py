#!/usr/bin/env python3
"""Peers for descent's benchmarks, on the same data (X.npy, y.npy written by `descent data`).

  gradient   numpy:  X.T @ (X @ w - y) / n          (full-batch gradient of the squared loss), and PyTorch's
             CPU tensors doing the same when torch is installed
  sgd        scikit-learn: SGDRegressor(learning_rate='constant', eta0, max_iter=1, shuffle=False, tol=None)
             one epoch of batch-1 SGD on the squared loss; steps/s = n / fit time
  read       numpy: X.sum() (single-threaded read rate, for scale)

Times are the median of --repeats runs after one warm-up. Prints one JSON object. A package that
is missing is reported as skipped with the reason, never as a number.
Usage: peers.py DATA_DIR [DATA_DIR ...] [--repeats 7] [--sgd]
"""
import argparse
import json
import os
import platform
import sys
import time


def median_seconds(fn, repeats):
    fn()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    ts.sort()
    return ts[len(ts) // 2], ts[0], ts[-1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--sgd", action="store_true", help="also time scikit-learn's batch-1 SGD epoch")
    a = ap.parse_args()
    out = {"python": sys.version.split()[0], "machine": platform.processor() or platform.machine(), "results": [], "skipped": []}
    try:
        import numpy as np
        out["numpy"] = np.__version__
    except ImportError as e:
        out["skipped"].append({"peer": "numpy", "why": str(e)})
        print(json.dumps(out))
        return
    sk = None
    try:
        import sklearn
        from sklearn.linear_model import SGDRegressor
        out["sklearn"] = sklearn.__version__
        sk = SGDRegressor
    except ImportError as e:
        out["skipped"].append({"peer": "scikit-learn", "why": str(e)})
    torch = None
    try:
        import torch
        out["torch"] = torch.__version__
    except ImportError as e:
        out["skipped"].append({"peer": "pytorch", "why": str(e) + " (the GPU peer is bench/peers/torch_peer.py)"})
    for d in a.dirs:
        X = np.load(os.path.join(d, "X.npy"))
        y = np.load(os.path.join(d, "y.npy"))
        n, dim = X.shape
        w = np.zeros(dim, dtype=np.float32)
        med, lo, hi = median_seconds(lambda: X.T @ (X @ w - y) / n, a.repeats)
        out["results"].append({"peer": "numpy", "op": "gradient", "n": n, "d": dim, "seconds": med, "min": lo, "max": hi,
                               "gbs": X.nbytes / med / 1e9})
        if torch is not None:
            tX, ty, tw = torch.from_numpy(X), torch.from_numpy(y), torch.zeros(dim)
            med, lo, hi = median_seconds(lambda: tX.T @ (tX @ tw - ty) / n, a.repeats)
            out["results"].append({"peer": "pytorch-cpu", "op": "gradient", "n": n, "d": dim, "seconds": med, "min": lo, "max": hi,
                                   "gbs": X.nbytes / med / 1e9})
        med, lo, hi = median_seconds(lambda: X.sum(), a.repeats)
        out["results"].append({"peer": "numpy", "op": "read", "n": n, "d": dim, "seconds": med, "min": lo, "max": hi,
                               "gbs": X.nbytes / med / 1e9})
        if a.sgd and sk is not None:
            # scikit-learn works in float64: convert once, outside the timing, so only its SGD loop is timed
            X64, y64 = X.astype(np.float64), y.astype(np.float64)

            def fit():
                sk(learning_rate="constant", eta0=1e-3, max_iter=1, shuffle=False, tol=None, penalty=None).fit(X64, y64)
            import warnings
            warnings.filterwarnings("ignore")
            med, lo, hi = median_seconds(fit, max(3, a.repeats // 2))
            out["results"].append({"peer": "scikit-learn", "op": "sgd-epoch", "n": n, "d": dim, "seconds": med, "min": lo,
                                   "max": hi, "steps_per_s": n / med})
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
