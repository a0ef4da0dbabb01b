"""The peer side of bench/sweep.sh (issue #15), on the same float32 file as descent's SweepVsPeer.

  sweep_peer.py FILE ROWS D K [--reps 2]

scikit-learn's SGDRegressor(loss='squared_error', penalty=None, learning_rate='constant', eta0=lr_i,
max_iter=1, tol=None, shuffle=False, fit_intercept=True) fitted K times one after another, lr_i =
1e-4 * 100**(i/(K-1)) (descent's SweepVsPeer.lr): one epoch of batch-1 SGD each, rows in file order,
parameters from zero. scikit-learn 1.2.1's _plain_sgd on dense rows: p = w.x + b, u = -eta*(p - y),
w += u*x, b += u (intercept_decay 1.0 on dense input): descent's plain SGD, in float64. X is converted
to float64 C order once, outside the timing (fit would copy it on every call otherwise); only the K
fit() calls are timed, best of N after one untimed warm-up fit.

Loss of configurations 0, K/2 and K-1: the mean of 0.5*(x.w + b - y)^2 over all rows in float64
(descent's squared loss).
Prints RESULT lines (key=value) as SweepVsPeer does.
"""
import argparse
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDRegressor

ap = argparse.ArgumentParser()
ap.add_argument("file")
ap.add_argument("rows", type=int)
ap.add_argument("d", type=int)
ap.add_argument("k", type=int)
ap.add_argument("--reps", type=int, default=2)
a = ap.parse_args()
warnings.filterwarnings("ignore", category=ConvergenceWarning)

raw = np.fromfile(a.file, dtype="<f4")
n, d, k = a.rows, a.d, a.k
X = np.ascontiguousarray(raw[: n * d].reshape(n, d), dtype=np.float64)
y = raw[n * d: n * d + n].astype(np.float64)


def lr(i):
    return 1e-4 if k == 1 else 1e-4 * 100 ** (i / (k - 1))


def model(i):
    return SGDRegressor(loss="squared_error", penalty=None, learning_rate="constant", eta0=lr(i), max_iter=1,
                        tol=None, shuffle=False, fit_intercept=True)


model(0).fit(X, y)                                            # warm-up
times, fits = [], None
for _ in range(a.reps):
    t0 = time.perf_counter()
    fits = [model(i).fit(X, y) for i in range(k)]
    times.append(time.perf_counter() - t0)
losses = ",".join(f"{i}:{0.5 * np.mean((X @ fits[i].coef_ + fits[i].intercept_[0] - y) ** 2):.6g}" for i in (0, k // 2, k - 1))
print(f"RESULT side=sklearn measure=sweep-d{d} best={min(times):.4f} min={min(times):.4f} max={max(times):.4f} runs={a.reps} "
      f"k={k} per_fit={min(times) / k:.4f} losses={losses} version={sklearn.__version__}", flush=True)
