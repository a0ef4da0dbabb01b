#!/usr/bin/env python3
"""The multiclass example's data and its scikit-learn reference: the UCI optical digits, 10 classes.

Run it with Debian's interpreter, which is the one that has the packages:

    apt-get install -y python3-sklearn python3-numpy
    /usr/bin/python3 bench/peers/digits.py              # writes the three files below
    /usr/bin/python3 bench/peers/digits.py --out DIR    # all three into DIR (e.g. to diff a rerun)

No download: the data is scikit-learn's bundled copy of the UCI "Optical Recognition of Handwritten
Digits" test set, sklearn.datasets.load_digits (1797 8x8 images, pixels 0..16, 10 classes; UCI
licenses it CC BY 4.0). Everything is seeded and single-threaded, so two runs on the same package
versions write byte-identical files; the versions are recorded under "versions".

Output:

  bench/data/digits-train.csv, bench/data/digits-test.csv
      train_test_split(X, y, test_size=0.25, random_state=0, stratify=y) of load_digits():
      1347 and 450 rows. Header p0,...,p63,label; pixels (row-major 8x8, p0 top left) and the label
      0..9 as integers, comma separated, no index column, "\\n" line ends.
  src/test/resources/dev/descent/optim/sklearn-digits.json
      The peers, trained on the train file and scored on the test file (both read back from the
      CSVs just written, so the numbers belong to those files):
        StandardScaler() fit on train (mean and std per column; a column constant on train gets
        scale 1, so it is 0 on train and x - mean on test), then
        SGDClassifier(loss='log_loss', random_state=s), s = 0..9, scikit-learn's defaults otherwise
        (alpha=1e-4, penalty='l2', learning_rate='optimal', max_iter=1000, tol=1e-3, shuffle=True,
        early_stopping=False, n_iter_no_change=5): one-vs-rest, 10 binary logistic models, argmax
        of the margins. Test accuracy per seed, and their mean, min, max and std (population, ddof 0).
        LogisticRegression(multi_class='multinomial', C=1.0, max_iter=2000) (lbfgs, the defaults
        otherwise) on the same scaled data: "multinomial_accuracy", the test accuracy of the
        (regularized) multinomial optimum, the reference a softmax model trained to convergence
        should approach.
"""
import os

# single-threaded BLAS before numpy loads: same sums, same bits, on any machine
for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DATA_OUT = os.path.join(ROOT, "bench", "data")
JSON_OUT = os.path.join(ROOT, "src", "test", "resources", "dev", "descent", "optim")
SEEDS = range(10)
SPLIT = dict(test_size=0.25, random_state=0)


def write_csv(path, X, y):
    d = X.shape[1]
    lines = [",".join([f"p{j}" for j in range(d)] + ["label"])]
    lines += [",".join(str(int(v)) for v in row) + f",{int(c)}" for row, c in zip(X, y)]
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


def read_csv(path):
    with open(path, encoding="utf-8") as f:
        header = f.readline().strip().split(",")
        rows = [[int(v) for v in line.split(",")] for line in f if line.strip()]
    a = np.array(rows, dtype=np.int64)
    assert header[-1] == "label" and len(header) == a.shape[1]
    return a[:, :-1].astype(np.float64), a[:, -1]


def to_json(v, ind=0):
    """Dicts one key per line, lists of scalars on one line; floats as repr (shortest round trip)."""
    if isinstance(v, dict):
        pad = " " * (ind + 1)
        return "{\n" + ",\n".join(pad + json.dumps(k) + ": " + to_json(e, ind + 1) for k, e in v.items()) + "\n" + " " * ind + "}"
    if isinstance(v, list):
        return "[" + ",".join(to_json(e, ind + 1) for e in v) + "]"
    if isinstance(v, float):
        assert np.isfinite(v)
        return repr(v)
    return json.dumps(v, ensure_ascii=False)


def params_string(est, **shown):
    """Estimator(name=value, ...) with every parameter, sorted; `shown` replaces a value's text."""
    p = est.get_params()
    return f"{type(est).__name__}(" + ", ".join(f"{k}={shown.get(k, repr(p[k]))}" for k in sorted(p)) + ")"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=None, help="write all three files into this folder instead")
    a = ap.parse_args()
    data_out, json_out = (a.out, a.out) if a.out else (DATA_OUT, JSON_OUT)

    import sklearn
    from sklearn.datasets import load_digits
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression, SGDClassifier
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    digits = load_digits()
    X, y = digits.data, digits.target
    assert X.shape == (1797, 64) and np.array_equal(X, np.round(X)) and X.min() == 0 and X.max() == 16
    Xtr, Xte, ytr, yte = train_test_split(X, y, stratify=y, **SPLIT)

    os.makedirs(data_out, exist_ok=True)
    os.makedirs(json_out, exist_ok=True)
    train_csv, test_csv = os.path.join(data_out, "digits-train.csv"), os.path.join(data_out, "digits-test.csv")
    write_csv(train_csv, Xtr, ytr)
    write_csv(test_csv, Xte, yte)
    Xtr, ytr = read_csv(train_csv)
    Xte, yte = read_csv(test_csv)
    n_tr, d = Xtr.shape
    k = 10

    scaler = StandardScaler().fit(Xtr)
    Str, Ste = scaler.transform(Xtr), scaler.transform(Xte)
    constant = [int(j) for j in np.flatnonzero(Xtr.std(axis=0) == 0)]
    assert np.all(Str[:, constant] == 0)

    accs, n_iter, converged = [], [], []
    for s in SEEDS:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always", ConvergenceWarning)
            clf = SGDClassifier(loss="log_loss", random_state=s).fit(Str, ytr)
        accs.append(float(clf.score(Ste, yte)))
        n_iter.append(int(clf.n_iter_))
        converged.append(not any(issubclass(x.category, ConvergenceWarning) for x in w))
    acc = np.array(accs)

    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always", ConvergenceWarning)
        lr = LogisticRegression(multi_class="multinomial", C=1.0, max_iter=2000).fit(Str, ytr)
    lr_converged = not any(issubclass(x.category, ConvergenceWarning) for x in w)
    multinomial_acc = float(lr.score(Ste, yte))

    doc = {
        "generator": "bench/peers/digits.py",
        "versions": {"python": platform.python_version(), "numpy": np.__version__, "sklearn": sklearn.__version__},
        "data": {
            "source": "sklearn.datasets.load_digits (scikit-learn's bundled copy of the UCI optical digits, "
                      "1797 8x8 images, pixels 0..16, 10 classes; CC BY 4.0 per UCI)",
            "train_rows": int(n_tr),
            "test_rows": int(Xte.shape[0]),
            "d": int(d),
            "k": k,
            "split": "train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)",
            "train_file": "bench/data/digits-train.csv",
            "test_file": "bench/data/digits-test.csv",
            "train_class_counts": [int(np.sum(ytr == c)) for c in range(k)],
            "test_class_counts": [int(np.sum(yte == c)) for c in range(k)],
            "constant_train_columns": constant,
            # test rows with a nonzero pixel in each of those columns (scaled: x - 0 over scale 1, i.e. raw)
            "constant_train_columns_nonzero_test_rows": [int(np.sum(Xte[:, j] != 0)) for j in constant],
        },
        "scaler": "StandardScaler(copy=True, with_mean=True, with_std=True) fit on train, applied to train and test; "
                  "std is the population std (ddof 0); a column constant on train has scale 1 (stays 0 on train, "
                  "x - mean on test)",
        "classifier": params_string(SGDClassifier(loss="log_loss", random_state=0), random_state="s")
                      + ", s = 0..9; multiclass as one-vs-rest (10 binary log-loss models), predict = argmax margin",
        "seeds": list(SEEDS),
        "accuracies": accs,
        "n_iter": n_iter,
        "converged": converged,
        "accuracy_mean": float(acc.mean()),
        "accuracy_min": float(acc.min()),
        "accuracy_max": float(acc.max()),
        "accuracy_std": float(acc.std()),
        "accuracy_std_ddof": 0,
        "multinomial_classifier": params_string(lr),
        "multinomial_n_iter": int(np.max(lr.n_iter_)),
        "multinomial_converged": lr_converged,
        "multinomial_accuracy": multinomial_acc,
    }
    text = to_json(doc) + "\n"
    assert json.loads(text) == doc
    json_path = os.path.join(json_out, "sklearn-digits.json")
    with open(json_path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)

    print(f"digits: {n_tr} train / {Xte.shape[0]} test rows, d = {d}, k = {k}; "
          f"{len(constant)} pixel columns constant on train", file=sys.stderr)
    print(f"SGDClassifier(log_loss), seeds 0..9: test accuracy mean {acc.mean():.4f}, min {acc.min():.4f}, "
          f"max {acc.max():.4f}, std {acc.std():.4f}; n_iter {min(n_iter)}..{max(n_iter)}", file=sys.stderr)
    print(f"LogisticRegression(multinomial, C=1): test accuracy {multinomial_acc:.4f} "
          f"({'converged' if lr_converged else 'NOT converged'}, {int(np.max(lr.n_iter_))} iterations)", file=sys.stderr)
    for p in (train_csv, test_csv, json_path):
        print(f"  {os.path.relpath(p, ROOT) if not a.out else p}: {os.path.getsize(p)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
