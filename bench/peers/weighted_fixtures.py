#!/usr/bin/env python3
"""scikit-learn's SGDRegressor / SGDClassifier fitted with sample_weight: the peer for descent's example weights.

    /usr/bin/python3 bench/peers/weighted_fixtures.py            # writes src/test/resources/dev/descent/optim/sklearn-sgd-weighted.json
    /usr/bin/python3 bench/peers/weighted_fixtures.py --out DIR

Data (numpy default_rng(SEED)): n = 200 rows, d = 4, X ~ N(0,1) rounded to float32; w* = (1.5, -2, 0.5, 1);
regression t = X.w* - 0.75 + 0.3 N(0,1) rounded to float32; labels y = Bernoulli(sigmoid(X.w* + 0.25)) as 0/1;
example weights v ~ U(0, 3) rounded to float32, every 7th row's weight exactly 0 (the row must not move anything).
sklearn gets the float32 values upcast to float64, so descent (float32 files) sees identical inputs.

Settings as sklearn-sgd.json's: learning_rate='constant', eta0=0.01, penalty=None, alpha=0, shuffle=False,
max_iter=5, tol=None, fit_intercept=True, coef_init=0, intercept_init=0, average=False, sample_weight=v.
sklearn's plain SGD step for row i (sklearn/linear_model/_sgd_fast.pyx, _plain_sgd):
    update = -eta0 * dloss(p, y) * class_weight * sample_weight[i];  w += update * x;  b += update
which is descent's batch-1 step with the residual multiplied by the row's weight (Dataset.withWeights).
"loss_mean" is the weighted mean (1/n) sum_i v_i * loss_i of the final coef_/intercept_ in float64,
the quantity descent reports as a weighted data set's loss.
"""
import argparse
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.linear_model import SGDClassifier, SGDRegressor

SEED = 20261127
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, "..", "..", "src", "test", "resources", "dev", "descent", "optim"))


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def loss(name, eps, m, t):
    if name == "squared_error":
        r = m - t
        return 0.5 * r * r
    if name == "huber":
        r = m - t
        return np.where(np.abs(r) <= eps, 0.5 * r * r, eps * np.abs(r) - 0.5 * eps * eps)
    y = 2 * t - 1
    z = y * m
    if name == "hinge":
        return np.where(z <= 1, 1 - z, 0.0)
    if name == "log_loss":
        return np.logaddexp(0, m) - t * m
    raise ValueError(name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=DEFAULT_OUT)
    out = ap.parse_args().out
    rng = np.random.default_rng(SEED)
    n, d = 200, 4
    X = f32(rng.standard_normal((n, d)))
    w_star = np.array([1.5, -2.0, 0.5, 1.0])
    t = f32(X @ w_star - 0.75 + 0.3 * rng.standard_normal(n))
    y = (rng.random(n) < 1 / (1 + np.exp(-(X @ w_star + 0.25)))).astype(np.float64)
    v = f32(rng.uniform(0, 3, n))
    v[::7] = 0.0
    cases = []
    for name, eps in (("squared_error", None), ("huber", 0.5), ("log_loss", None), ("hinge", None)):
        regress = name in ("squared_error", "huber")
        kw = dict(learning_rate="constant", eta0=0.01, penalty=None, alpha=0.0, shuffle=False, max_iter=5, tol=None,
                  fit_intercept=True, random_state=0)
        if eps is not None:
            kw["epsilon"] = eps
        est = SGDRegressor(loss=name, **kw) if regress else SGDClassifier(loss=name, **kw)
        target = t if regress else y
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if regress:
                est.fit(X, target, coef_init=np.zeros(d), intercept_init=0.0, sample_weight=v)
            else:
                est.fit(X, target, coef_init=np.zeros(d), intercept_init=np.zeros(1), sample_weight=v)
        coef = np.ravel(est.coef_).astype(np.float64)
        b = float(np.ravel(est.intercept_)[0])
        m = X @ coef + b
        case = {"name": name + "-weighted", "loss": name, "epsilon": eps, "eta0": 0.01, "epochs": 5, "average": False,
                "coef": [float(c) for c in coef], "intercept": b,
                "loss_mean": float(np.sum(v * loss(name, eps, m, target)) / n)}
        if not regress:
            case["accuracy"] = float(np.mean((m > 0) == (target == 1)))
        cases.append(case)
    doc = {"about": "scikit-learn SGD with sample_weight; see bench/peers/weighted_fixtures.py",
           "versions": {"sklearn": sklearn.__version__, "numpy": np.__version__}, "seed": SEED, "n": n, "d": d,
           "X": [[float(a) for a in r] for r in X], "t": [float(a) for a in t], "y": [float(a) for a in y],
           "weights": [float(a) for a in v], "cases": cases}
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "sklearn-sgd-weighted.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
