#!/usr/bin/env python3
"""The LIBSVM peer fixture: a file with the format's corners, and what scikit-learn reads from it.

Writes bench/peers/libsvm-peer.svm (seeded, ~300 rows: labels ±1 / real / class ids, values in
several spellings — %.9g of float32, %.3e, integers, '+' signs, subnormals, huge and tiny —
qid fields, comments, blank and comment-only lines, CRLF and LF, tabs, trailing blanks, a row
with its label only, a last line without a line end), then loads it with
sklearn.datasets.load_svmlight_file(dtype=float32, zero_based=False) and writes what it read to
bench/peers/libsvm-peer.json: shape, CSR arrays, labels, and the float32 bits of every value, so
LibsvmPeerTest compares bit for bit without Python. Indices are sorted: scikit-learn refuses
unsorted ones (descent sorts them; LibsvmTest covers that).

    /usr/bin/python3 bench/peers/libsvm_fixture.py     # Debian's python3-sklearn
"""
import json
import os
import random

import numpy as np
import sklearn
from sklearn.datasets import load_svmlight_file

HERE = os.path.dirname(os.path.abspath(__file__))
SVM, OUT = os.path.join(HERE, "libsvm-peer.svm"), os.path.join(HERE, "libsvm-peer.json")


def spell(r, v):
    """A float32 value in one of the spellings LIBSVM files use."""
    k = r.randrange(6)
    if k == 0:
        return "%.9g" % v
    if k == 1:
        return "%.3e" % v
    if k == 2:
        return str(int(round(v * 100)))
    if k == 3:
        return ("+" if v >= 0 else "") + "%.6f" % v
    if k == 4:
        return repr(float(np.float32(v)))
    return "%.17g" % (v * 10.0 ** r.randrange(-40, 38))


def main():
    r = random.Random(13)
    d = 40
    lines = ["# descent LIBSVM peer fixture (bench/peers/libsvm_fixture.py)", ""]
    for i in range(300):
        kind = r.randrange(3)
        label = r.choice(["+1", "-1"]) if kind == 0 else "%.5g" % r.gauss(0, 3) if kind == 1 else str(r.randrange(5))
        cols = sorted(r.sample(range(1, d + 1), r.randrange(0, 12)))
        fields = [label]
        if r.random() < 0.1:
            fields.append("qid:%d" % r.randrange(100))
        fields += ["%d:%s" % (c, spell(r, r.gauss(0, 1))) for c in cols]
        sep = "\t" if r.random() < 0.1 else " "
        line = sep.join(fields)
        if r.random() < 0.1:
            line += "  # a comment 1:2 qid:3"
        if r.random() < 0.1:
            line += " \t "
        lines.append(line)
        if r.random() < 0.05:
            lines.append(r.choice(["", "   ", "# comment only"]))
    text = ""
    for i, line in enumerate(lines):
        text += line + ("\r\n" if i % 7 == 3 else "\n")
    text += "7 %d:0.5" % d                                   # the last line: no line end, the widest index
    with open(SVM, "w", newline="") as f:
        f.write(text)

    X, y = load_svmlight_file(SVM, dtype=np.float32, zero_based=False)
    X.sort_indices()
    out = {
        "peer": "scikit-learn %s load_svmlight_file(dtype=float32, zero_based=False)" % sklearn.__version__,
        "n": int(X.shape[0]), "d": int(X.shape[1]),
        "indptr": [int(v) for v in X.indptr],
        "indices": [int(v) for v in X.indices],
        "value_bits": [int(v) for v in X.data.astype(np.float32).view(np.int32)],
        "label_bits": [int(v) for v in y.astype(np.float32).view(np.int32)],
    }
    with open(OUT, "w") as f:
        json.dump(out, f)
        f.write("\n")
    print("wrote %s (%d rows, %d features, %d values) and %s" % (SVM, X.shape[0], X.shape[1], X.nnz, OUT))


if __name__ == "__main__":
    main()
