"""The peer side of bench/sparse.sh (issue #13 item 6), on the same LIBSVM file as descent's SparseBench.

  sparse_peer.py FILE OUTDIR [--lr 0.5] [--alpha 1e-5] [--reps 5] [--grad-reps 10]

sgd: scikit-learn's SGDClassifier(loss='log_loss', penalty='l2', alpha, learning_rate='constant', eta0=lr,
     max_iter=1, tol=None, shuffle=False, fit_intercept=True) on the CSR matrix in float64 (what its
     fit converts to anyway), rows in file order: one epoch of batch-1 SGD. Only fit() is timed (the
     load and the float64 copy are not), best of N after one untimed warm-up fit.

     The update rules. scikit-learn 1.2.1's _plain_sgd (sklearn/linear_model/_sgd_fast.pyx), per row:
         p = w·x + b;  u = -eta * dloss(p, y)          (y = ±1; dloss = -y / (exp(p·y) + 1) = sigmoid(p) - y01)
         w <- max(0, 1 - eta*alpha) * w                 (wscale, lazily: O(nnz) a step)
         w <- w + u * x;   b <- b + u * intercept_decay
     descent's SGD with coupled weight decay alpha: w <- (1 - eta*alpha)*w - eta*g*x, b <- b - eta*g: the
     same, but for intercept_decay, which make_dataset sets to SPARSE_INTERCEPT_DECAY = 0.01 for sparse
     X (1.0 for dense): scikit-learn moves the intercept 100x slower on sparse input. So the timed
     peer ("matched") runs with make_dataset patched to return intercept_decay = 1.0 -- the same rule
     as descent, at the same cost (one multiply a step) -- and one stock fit (0.01) is run untimed for
     its loss, for the record. scikit-learn also evaluates loss(p, y) at every step (sumloss, for
     tol/verbose) even with tol=None: that is part of its cost.

     Loss: the mean log loss over all rows, log(1 + e^m) - y01*m in float64, and the L2 term
     alpha/2*||w||^2 (bias excluded; scikit-learn's objective is the sum of the two). descent's final
     parameters (OUTDIR/w-BACKEND-bBATCH.f32) are scored here by the same function.

grad: scipy's X.T @ (X @ w - y) / n on the same CSR matrix, float32 and float64, at the fixed
     w_j = ((j mod 97) - 48)/4800 (descent's SparseBench uses the same float32 values), best of N after
     one warm-up; descent's gradients (OUTDIR/g-BACKEND.f32) are compared with the float64 one.

Prints RESULT lines (key=value) as SparseBench does, and CHECK lines.
"""
import sys
import time
import warnings

import numpy as np
import scipy
import sklearn
from sklearn.datasets import load_svmlight_file
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier
import sklearn.linear_model._stochastic_gradient as sgd_module

warnings.filterwarnings("ignore", category=ConvergenceWarning)


def args():
    a = sys.argv[1:]
    opts = {"--lr": 0.5, "--alpha": 1e-5, "--reps": 5, "--grad-reps": 10}
    for i in range(2, len(a), 2):
        opts[a[i]] = type(opts[a[i]])(a[i + 1])
    return a[0], a[1], opts["--lr"], opts["--alpha"], opts["--reps"], opts["--grad-reps"]


def log_loss(X, y01, w, b):
    m = X @ w.astype(np.float64) + b
    return float(np.mean(np.logaddexp(0.0, m) - y01 * m))


def model(lr, alpha):
    return SGDClassifier(loss="log_loss", penalty="l2", alpha=alpha, learning_rate="constant", eta0=lr, max_iter=1,
                         tol=None, shuffle=False, fit_intercept=True)


stock_make_dataset = sgd_module.make_dataset


def matched_make_dataset(*a, **k):
    dataset, _ = stock_make_dataset(*a, **k)
    return dataset, 1.0


def minibatch_reference(X, y01, lr, alpha, batch):
    """One epoch of mini-batch SGD in file order, as descent's SGD with coupled weight decay (untimed, a check)."""
    n, d = X.shape
    w, b = np.zeros(d), 0.0
    for a in range(0, n, batch):
        Xb = X[a:a + batch]
        r = 1.0 / (1.0 + np.exp(-(Xb @ w + b))) - y01[a:a + batch]
        g = Xb.T @ r / Xb.shape[0]
        w = (1.0 - lr * alpha) * w - lr * g
        b -= lr * float(np.mean(r))
    return np.append(w, b)


def best_of(f, reps, warm=1):
    times = []
    for r in range(warm + reps):
        t = time.perf_counter()
        out = f()
        e = time.perf_counter() - t
        if r >= warm:
            times.append(e)
    return out, min(times), max(times)


def main():
    path, outdir, lr, alpha, reps, grad_reps = args()
    t = time.perf_counter()
    X32, y = load_svmlight_file(path, dtype=np.float32)
    load = time.perf_counter() - t
    n, d = X32.shape
    y01 = (y > 0).astype(np.float64)              # 0/1 (±1 read as 0/1, as descent's withZeroOneLabels)
    X = X32.astype(np.float64)                      # SGDClassifier.fit would make this copy inside the timing
    X.sort_indices()
    print(f"INFO peer read {path.rsplit('/', 1)[-1]}: {n} rows x {d} features, {X.nnz} stored, indices {X.indices.dtype}, "
          f"in {load:.2f} s (not timed below); scikit-learn {sklearn.__version__}, scipy {scipy.__version__}, numpy {np.__version__}")

    # --- one epoch of batch-1 SGD
    sgd_module.make_dataset = matched_make_dataset
    try:
        clf, best, worst = best_of(lambda: model(lr, alpha).fit(X, y01), reps)
    finally:
        sgd_module.make_dataset = stock_make_dataset
    w, b = clf.coef_.ravel(), float(clf.intercept_[0])
    assert clf.classes_.tolist() == [0.0, 1.0]
    print(f"RESULT side=sklearn measure=sgd-b1 best={best:.6f} min={best:.6f} max={worst:.6f} runs={reps} steps={n} "
          f"steps_per_s={n / best:.1f} loss={log_loss(X, y01, w, b):.7f} l2={alpha / 2 * float(w @ w):.3e} bias={b:.6f} "
          f"device=\"SGDClassifier fit, float64 CSR, intercept_decay 1.0 (patched: descent's rule), 1 thread\"")
    stock = model(lr, alpha).fit(X, y01)
    ws, bs = stock.coef_.ravel(), float(stock.intercept_[0])
    print(f"CHECK sklearn stock (intercept_decay 0.01, untimed): loss={log_loss(X, y01, ws, bs):.7f} "
          f"l2={alpha / 2 * float(ws @ ws):.3e} bias={bs:.6f}")
    ref256 = minibatch_reference(X, y01, lr, alpha, 256)
    print(f"CHECK numpy mini-batch reference, batch 256 (float64, w <- (1 - lr*alpha)*w - lr*mean g, b <- b - lr*mean r): "
          f"loss={log_loss(X, y01, ref256[:d], float(ref256[d])):.7f}")
    for side in ("cpu", "opencl"):
        for batch in (1, 256):
            f = f"{outdir}/w-{side}-b{batch}.f32"
            try:
                p = np.fromfile(f, dtype="<f4")
            except OSError:
                continue
            wd = p[:d]
            line = f"CHECK descent-{side} batch {batch} scored here: loss={log_loss(X, y01, wd, float(p[d])):.7f}"
            if batch == 1:
                line += (f"; max |w_descent - w_sklearn| = {np.max(np.abs(wd - w)):.2e} (max |w| {np.max(np.abs(w)):.3f}),"
                         f" bias {p[d]:.6f} vs {b:.6f}")
            print(line)

    # --- the full sparse gradient X.T @ (X @ w - y) / n
    w32 = (((np.arange(d) % 97) - 48) / 4800.0).astype(np.float32)
    y32 = y01.astype(np.float32)
    g32, best, worst = best_of(lambda: X32.T @ (X32 @ w32 - y32) / np.float32(n), grad_reps)
    assert g32.dtype == np.float32
    print(f"RESULT side=scipy measure=grad-f32 best={best:.6f} min={best:.6f} max={worst:.6f} runs={grad_reps} "
          f"gnorm={np.linalg.norm(g32.astype(np.float64)):.7e} device=\"scipy CSR float32, 1 thread\"")
    w64 = w32.astype(np.float64)
    g64, best, worst = best_of(lambda: X.T @ (X @ w64 - y01) / n, grad_reps)
    print(f"RESULT side=scipy measure=grad-f64 best={best:.6f} min={best:.6f} max={worst:.6f} runs={grad_reps} "
          f"gnorm={np.linalg.norm(g64):.7e} device=\"scipy CSR float64, 1 thread\"")
    scale = np.max(np.abs(g64))
    print(f"CHECK scipy float32 vs float64 gradient: max diff {np.max(np.abs(g32 - g64)) / scale:.2e} of max |g|")
    for side in ("cpu", "opencl"):
        try:
            g = np.fromfile(f"{outdir}/g-{side}.f32", dtype="<f4")
        except OSError:
            continue
        print(f"CHECK descent-{side} gradient vs scipy float64: max diff {np.max(np.abs(g - g64)) / scale:.2e} of max |g|")


if __name__ == "__main__":
    main()
