#!/usr/bin/env python3
"""Reference fixtures for descent's optimizers and losses, written by PyTorch and scikit-learn.

Run it with Debian's interpreter, which is the one that has the packages:

    apt-get install -y python3-torch python3-sklearn python3-numpy
    /usr/bin/python3 bench/peers/optim_fixtures.py            # writes the four files
    /usr/bin/python3 bench/peers/optim_fixtures.py --out DIR  # elsewhere (e.g. to diff a rerun)

(`#!/usr/bin/env python3` is kept for symmetry with the other peers; a pyenv `python3` first on PATH
has no torch/sklearn.) Everything is drawn from numpy's default_rng with fixed seeds and the torch
runs are single-threaded, so two runs on the same package versions write byte-identical files.
The versions are recorded in each file under "versions".

Output, in src/test/resources/dev/descent/optim/ :

  torch-trajectories-squared.json, torch-trajectories-logistic.json
      the first 100 steps of torch.optim on one small problem per objective (one file per
      objective, because 12 cases x 100 steps x 6 parameters in float64 and float32, written exactly,
      does not fit under 300 KB in one file; each file is self-contained: it repeats the data).
  torch-trajectories-softmax.json
      the same for the multinomial (softmax) cross-entropy, k = 3 classes, on its own data; 8 of the
      12 cases (SOFTMAX_CASES), since each case has 18 parameters (~490 KB).
  sklearn-sgd.json
      SGDClassifier / SGDRegressor end to end (5 epochs of batch-1 SGD), final coef/intercept and
      the mean training loss of the final model.

=====================================================================================================
PART 1: torch.optim trajectories
=====================================================================================================
Data (seed TORCH_SEED): n = 64 rows, d = 5 features, X ~ N(0,1) rounded to float32. Targets:
  squared   t = X·w* + 0.5 + 0.1·N(0,1), rounded to float32     (w* ~ N(0,1) drawn, not stored)
  logistic  t = 1 if U(0,1) < σ(X·(0.8·w*) − 0.3) else 0         (Bernoulli of the sigmoid)
Initial w0 (d values) and b0: 0.1·N(0,1) rounded to float32. Every stored float32 input is
written as repr(float(np.float32(x))): the exact float32 value as a double, so Java can parse it
with Double.parseDouble and cast to float without any rounding.

Batches: batch size 8; an epoch is 8 steps over a fresh rng permutation of 0..63; 13 permutations
are drawn and the first 800 positions kept as "order": step k (0-based) uses rows
order[8k .. 8k+8).

Model: margin m = x·w + b. Per-example loss:
  squared   ℓ = (m − t)²/2                       dℓ/dm = m − t
  logistic  ℓ = log(1 + e^m) − t·m  (torch's binary_cross_entropy_with_logits)   dℓ/dm = σ(m) − t
The step's gradient is the autograd gradient of the MEAN loss over the 8 rows:
  g_w = (1/8) Σ (dℓ/dm)_i x_i ,  g_b = (1/8) Σ (dℓ/dm)_i .
Parameters are two tensors in two param groups: w (shape [d]) with the case's weight_decay and b
(shape [1]) with weight_decay = 0, so weight decay (L2 or AdamW's decoupled decay) never touches
the bias. Every optimizer is built with foreach=False (and fused=False where the class takes it),
i.e. torch's single-tensor reference path `_single_tensor_<name>` in torch/optim/<name>.py.

The single-tensor updates in the installed torch (1.13), per parameter tensor p with gradient g,
hyper-parameters as named by torch (wd = weight_decay, 1-based step count k):
  SGD      g ← g + wd·p;  if momentum: buf ← g (first step, a copy, no dampening) else
           buf ← momentum·buf + (1−dampening)·g;  g ← g + momentum·buf if nesterov else buf;
           p ← p − lr·g
  Adam     g ← g + wd·p (L2);  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
           p ← p − (lr/(1−β1^k)) · m / (sqrt(v)/sqrt(1−β2^k) + eps)
  AdamW    p ← p·(1 − lr·wd) first (decoupled), then Adam's update with no L2 term
  Adagrad  g ← g + wd·p;  clr = lr/(1+(k−1)·lr_decay);  s ← s + g²;  p ← p − clr·g/(sqrt(s)+eps)
  RMSprop  g ← g + wd·p;  v ← α·v + (1−α)·g²;  centered: a ← α·a + (1−α)·g, den = sqrt(v − a²)
           else den = sqrt(v);  den ← den + eps;  momentum > 0: buf ← momentum·buf + g/den,
           p ← p − lr·buf;  else p ← p − lr·g/den
  The script checks these formulas: a numpy float64 transcription (`numpy_updates`) must agree
  with every float64 trajectory to < 1e-12 (it does to ~1e-16; "max_abs_diff_numpy_ref").
  (Adam's bias corrections and step size are Python doubles; in the float32 runs torch rounds such
  scalars to float32 inside its kernels, so a float32 reimplementation should be compared with a
  tolerance, not bit for bit.)

Each case runs the same 100 steps twice: in float64 (torch.float64 tensors; data and initial values
are the float32 values upcast) and in float32. Stored per case: params64[k] and params32[k] =
[w_0 .. w_{d-1}, b] after step k+1 (k = 0..99), and loss64[k] = the float64 mean batch loss at the
parameters before step k+1's update. Doubles are written as Python's repr (shortest string that
round-trips the double); params32 as numpy's shortest string for the float32 (about 9 digits, which
is what keeps a file under 300 KB). The writer checks that each such string gives back the same
float32 whether parsed straight to float or to double and then cast to float.

Softmax (seed SOFTMAX_SEED, torch-trajectories-softmax.json): n = 64, d = 5, k = 3 classes,
X ~ N(0,1) rounded to float32; a planted W* ~ N(0,1) [k, d], b* ~ 0.3·N(0,1) [k]; label t_i = the
class drawn from softmax(W*·x_i + b*) by inverse CDF with one U(0,1) per row (stored as 0.0/1.0/2.0).
w0 [k][d] and b0 [k]: 0.1·N(0,1) rounded to float32; "order" as above (its own 13 permutations).
  margins m_c = x·w_c + b_c;  ℓ = log Σ_c e^(m_c) − m_t  (torch's cross_entropy);  dℓ/dm_c = softmax(m)_c − [c = t]
  g_(w_c) = (1/8) Σ_i r_ic x_i,  g_(b_c) = (1/8) Σ_i r_ic  (r_ic = dℓ/dm_c), the mean over the batch.
torch holds W [k, d] (the case's weight_decay) and b [k] (weight_decay 0) in two param groups, as
above. Every stored parameter vector is head-major: for c = 0..k−1 the d weights of class c, then
its bias (index c·(d+1) + j, bias at c·(d+1) + d), length k·(d+1) = 18. The same numpy transcription
(with a numpy softmax gradient, checked against autograd at step 1 to 1e-14) must agree with every
float64 trajectory to < 1e-12, and its mean batch loss with loss64 to < 1e-13.

=====================================================================================================
PART 2: scikit-learn SGDClassifier / SGDRegressor
=====================================================================================================
Data (seed SKLEARN_SEED): n = 200, d = 4, X ~ N(0,1) drawn in float64 and rounded to float32
(stored exactly as above); sklearn is fed those float32 values upcast to float64, so Java can load
the float32 values and see identical inputs. With w* = (1.5, −2, 0.5, 1): classification labels
y ∈ {0,1} = Bernoulli(σ(X·w* + 0.25)) stored as 0/1; sklearn maps them to y = +1 for class 1
(classes_[1]) and −1 for class 0. Regression targets t = X·w* − 0.75 + 0.3·N(0,1), rounded to float32.

Settings: learning_rate='constant', eta0=0.01, penalty=None (accepted by sklearn 1.2; with an older
sklearn the script falls back to penalty='l2', alpha=0, which is the same arithmetic: w.scale(1.0)),
alpha=0, shuffle=False, max_iter=5, tol=None, fit_intercept=True, random_state=0,
coef_init=zeros, intercept_init=0, average=False (and one average=True case per estimator).

Findings, for the installed sklearn 1.2.1. Debian ships only the compiled _sgd_fast*.so and
_weight_vector*.so with their .pxd files, not the .pyx; the Cython read was upstream scikit-learn's
sklearn/linear_model/_sgd_fast.pyx and sklearn/utils/_weight_vector.pyx.tp (a stored revision near
1.2, not the exact 1.2.1 tag), plus the installed .py files _stochastic_gradient.py and _base.py. The script CHECKS every point below against the installed
binaries: each loss/dloss formula against the .so's py_loss/py_dloss on a grid including the kinks,
and the whole fit against a pure-Python float64 reimplementation (see `sk_reimpl`), which must
agree with sklearn's coef_/intercept_ to the last bit ("reimpl_max_abs_diff": 0.0 in the JSON).

  Per-example losses, p = x·w + b (the prediction), classification labels y ∈ {−1,+1}, z = p·y:
    hinge           (threshold 1)  loss = 1 − z if z <= 1 else 0      dloss = −y if z <= 1 else 0
                    (note <=: at z == 1 exactly the gradient is −y, not 0)
    squared_hinge   (threshold 1)  u = 1 − z;  loss = u² if u > 0 else 0;  dloss = −2·y·u if u > 0 else 0
    modified_huber  z >= 1: loss 0, dloss 0;  z >= −1: loss (1−z)², dloss 2·(1−z)·(−y);
                    else loss −4z, dloss −4y
    log_loss        z > 18: loss e^(−z), dloss e^(−z)·(−y);  z < −18: loss −z, dloss −y;
                    else loss log(1+e^(−z)), dloss −y/(e^z + 1)
    regression, r = p − t:
    squared_error   loss = r²/2 (as 0.5·r·r), dloss = r
    huber (eps = c) |r| <= c: loss r²/2, dloss r;  else loss c·|r| − c²/2, dloss = c if r > 0 else −c
    epsilon_insensitive  loss = max(0, |t − p| − eps);
                    dloss = −1 if t − p > eps, +1 if p − t > eps, else 0
  dloss is clipped to [−1e12, 1e12] (never reached here).

  One SGD step, for each sample i = 0..n−1 in file order (shuffle=False; every epoch the same order),
  t (the step counter, a double) starting at 1.0 and never reset between epochs:
    p = (Σ_j w_j·x_j, summed j = 0..d−1 left to right, in a plain loop, then × wscale = 1.0) + b
    update = −eta0 · dloss(p, y)            (× class_weight·sample_weight = 1.0·1.0, exact)
    [penalty: none → nothing; l2 with alpha=0 → wscale ×= 1.0]
    if update != 0:  w_j += x_j · (update / wscale)   (wscale = 1.0, so w_j += x_j·update)
                     b   += update · intercept_decay
    So plain SGD is exactly w ← w − eta·dloss·x per sample, in order, with the prediction taken
    BEFORE the update; the intercept moves by the same update as a weight with x = 1.
    intercept_decay = 1.0 for dense input (make_dataset in linear_model/_base.py); it is 0.01 only
    for sparse (CSR) input (SPARSE_INTERCEPT_DECAY), never here.
    No L2 shrink, no eta schedule: eta is eta0 for all steps ('constant').
  average=True (sklearn stores average=1): averaging runs on every step with 0 < average <= t, i.e.
  from step 1, over ALL n·epochs steps, including steps whose update is 0. It is Bottou's lazy
  "ASGD trick" (WeightVector.add_average), computed after the step's own update:
      num_iter = t − average + 1 = t;   mu = 1/num_iter
      aw_j += (average_a · x_j) · (−update / wscale)      [uses average_a from BEFORE this step]
      if num_iter > 1: average_b /= (1 − mu)
      average_a += (mu · average_b) · wscale
      average_intercept += (b − average_intercept) / num_iter      [a plain running mean]
    starting from aw = 0, average_a = 0, average_b = 1, average_intercept = 0. At the end
    (reset_wscale) aw_j += average_a · w_j, then aw_j *= (1/average_b) (BLAS axpy, then scal by
    the reciprocal). Mathematically aw = (1/T) Σ_{s=1..T} w_s and average_intercept =
    (1/T) Σ b_s, the plain means of the iterates after each of the T = n·epochs steps (the initial
    zeros are not in the mean). The intercept IS averaged. Since t_ − 1 = T >= average, sklearn then
    reports coef_ = aw and intercept_ = average_intercept; the plain iterate is kept in
    _standard_coef / _standard_intercept (stored here as "standard_coef"/"standard_intercept", taken
    from the same fit with average=False, which is the same plain iterate). Quirk: SGDClassifier
    (binary) never writes the final plain intercept back to _standard_intercept (fit_binary stores
    only _average_intercept), so that attribute stays at intercept_init (0.0) after fit; SGDRegressor
    does store it. Recorded as "sklearn_standard_intercept_attr".
    The lazy formula does not round like a direct running mean of w (on this data they differ by
    ~3e-15); a Java port that must match to the last bit has to use the same average_a/average_b
    recurrences. The intercept's plain running mean above is matched bit for bit.

"loss_mean" in the JSON is computed here in float64 from the final coef_/intercept_ with the formulas
in each case's "formula" string (m = Σ_j coef_j·x_j left to right, + intercept), averaged over the n
rows by a left-to-right sum / n. Classifier "accuracy" = fraction of rows with (m > 0) == (y == 1),
checked equal to sklearn's score().
"""
import argparse
import inspect
import json
import math
import os
import platform
import subprocess
import sys
import warnings

import numpy as np

TORCH_SEED = 20240611
SKLEARN_SEED = 20240612

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, "..", "..", "src", "test", "resources", "dev", "descent", "optim"))



def case_record(name, objective, cls_name, hp, kw, l64, p64, p32, ref_diff):
    """One fixture case as the Java tests read it: the torch arguments (weight_decay went in the weight
    param group, the bias group has 0; everything else as constructor keywords), the float64 and float32
    trajectories and how far they and the numpy reference are apart."""
    return {
        "name": name,
        "objective": objective,
        "optimizer": cls_name,
        "lr": hp["lr"],
        "hyper": {k: (list(v) if isinstance(v, tuple) else v) for k, v in kw.items()},
        "bias_group": {"weight_decay": 0.0},
        "loss_first": l64[0],
        "loss_last": l64[-1],
        "max_abs_diff_32_64": float(np.max(np.abs(np.array(p32) - np.array(p64)))),
        "max_abs_diff_numpy_ref": ref_diff,
        "loss64": l64,
        "params64": p64,
        "params32": p32,
    }

def f32(x):
    """The float32 value nearest x, as an exact Python float (a double)."""
    return float(np.float32(x))


def debian_version(pkg):
    """The Debian package version, or None where dpkg-query is missing (recorded, not required)."""
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True,
                              text=True, check=True).stdout.strip() or None
    except (OSError, subprocess.CalledProcessError):
        return None


# ---------------------------------------------------------------------------------------------------
# JSON writer: dicts one key per line, lists of numbers (or of lists of numbers) on one line, so the
# files stay small and diff readably. Floats use repr (shortest string that round-trips the double).
# ---------------------------------------------------------------------------------------------------
def _scalar(v):
    if isinstance(v, np.float32):
        # a float32 result: numpy's shortest string that rounds back to this float32 (~9 digits).
        # Checked to survive the double path too: parse as double, then round to float.
        s = str(v)
        if not math.isfinite(float(v)) or np.float32(float(s)) != v or float(np.float32(float(s))) != float(v):
            raise ValueError(f"float32 {v!r} does not round-trip through {s!r}")
        return s
    if isinstance(v, (bool, type(None), str, int)) and not isinstance(v, float):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"non-finite value {v!r} in a fixture")
        return repr(v)
    raise TypeError(type(v))


def _flat(v):
    if isinstance(v, list):
        return "[" + ",".join(_flat(e) for e in v) + "]"
    if isinstance(v, dict):
        return "{" + ",".join(json.dumps(k) + ":" + _flat(e) for k, e in v.items()) + "}"
    return _scalar(v)


def _is_numeric_nest(v):
    if isinstance(v, list):
        return all(_is_numeric_nest(e) for e in v)
    return isinstance(v, (int, float, bool, np.float32)) or v is None


def to_json(v, ind=0):
    pad, pad1 = " " * ind, " " * (ind + 1)
    if isinstance(v, dict):
        if not v:
            return "{}"
        items = [pad1 + json.dumps(k) + ": " + to_json(e, ind + 1) for k, e in v.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(v, list):
        if _is_numeric_nest(v) or all(isinstance(e, str) for e in v):
            return _flat(v)
        if all(isinstance(e, dict) and all(not isinstance(x, (dict, list)) or _is_numeric_nest(x) and len(_flat(x)) < 200
                                            for x in e.values()) for e in v) and sum(len(_flat(e)) for e in v) < 2000:
            return "[\n" + ",\n".join(pad1 + _flat(e) for e in v) + "\n" + pad + "]"
        return "[\n" + ",\n".join(pad1 + to_json(e, ind + 1) for e in v) + "\n" + pad + "]"
    return _scalar(v)


def write(path, obj):
    text = to_json(obj) + "\n"
    json.loads(text)  # it must parse
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    return len(text.encode("utf-8"))


# ===================================================================================================
# PART 1: torch.optim
# ===================================================================================================
N_T, D_T, BATCH, STEPS = 64, 5, 8, 100


def torch_data():
    rng = np.random.default_rng(TORCH_SEED)
    X = rng.standard_normal((N_T, D_T)).astype(np.float32)
    w_star = rng.standard_normal(D_T)
    b_star = 0.5
    X64 = X.astype(np.float64)
    t_sq = (X64 @ w_star + b_star + 0.1 * rng.standard_normal(N_T)).astype(np.float32)
    margin = X64 @ (0.8 * w_star) - 0.3
    t_log = (rng.random(N_T) < 1.0 / (1.0 + np.exp(-margin))).astype(np.float32)
    w0 = (0.1 * rng.standard_normal(D_T)).astype(np.float32)
    b0 = np.float32(0.1 * rng.standard_normal())
    epochs = -(-STEPS * BATCH // N_T)  # 13 permutations cover 800 positions
    order = np.concatenate([rng.permutation(N_T) for _ in range(epochs)])[: STEPS * BATCH]
    return X, {"squared": t_sq, "logistic": t_log}, w0, b0, order


def torch_cases():
    """(name, optimizer class name, hyper-parameters for the weight group) for each case.
    The bias group gets the same hyper-parameters with weight_decay = 0."""
    return [
        ("sgd", "SGD", {"lr": 0.1}),
        ("sgd-momentum", "SGD", {"lr": 0.1, "momentum": 0.9}),
        ("sgd-nesterov", "SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
        ("sgd-momentum-wd", "SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01}),
        ("adam", "Adam", {"lr": 0.01, "betas": [0.9, 0.999], "eps": 1e-8}),
        ("adam-l2", "Adam", {"lr": 0.01, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.01}),
        ("adamw", "AdamW", {"lr": 0.01, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.01}),
        ("adagrad", "Adagrad", {"lr": 0.1, "lr_decay": 0.0, "initial_accumulator_value": 0.0, "eps": 1e-10}),
        ("rmsprop", "RMSprop", {"lr": 0.01, "alpha": 0.99, "eps": 1e-8}),
        ("rmsprop-momentum", "RMSprop", {"lr": 0.01, "alpha": 0.99, "eps": 1e-8, "momentum": 0.9}),
        ("rmsprop-centered", "RMSprop", {"lr": 0.01, "alpha": 0.99, "eps": 1e-8, "centered": True}),
        ("rmsprop-centered-momentum", "RMSprop",
         {"lr": 0.01, "alpha": 0.99, "eps": 1e-8, "centered": True, "momentum": 0.9}),
    ]


def torch_kwargs(torch, cls_name, hp):
    """The keyword arguments actually passed to the torch class (besides the param groups)."""
    cls = getattr(torch.optim, cls_name)
    kw = {k: (tuple(v) if isinstance(v, list) else v) for k, v in hp.items()}
    if "weight_decay" not in kw:
        # AdamW's default weight_decay is 0.01, not 0: always pass it explicitly
        kw["weight_decay"] = 0.0
    params = inspect.signature(cls.__init__).parameters
    kw["foreach"] = False  # the single-tensor reference path
    if "fused" in params:
        kw["fused"] = False
    return cls, kw


def run_torch(torch, objective, cls_name, hp, X, t, w0, b0, order, dtype):
    """100 steps; returns (params after each step, mean batch loss before each step). Params are
    Python floats for float64 and np.float32 for float32 (written in float32's shortest form)."""
    F = torch.nn.functional
    Xt = torch.tensor(X.astype(np.float64), dtype=dtype)
    tt = torch.tensor(t.astype(np.float64), dtype=dtype)
    w = torch.tensor(w0.astype(np.float64), dtype=dtype).requires_grad_(True)
    b = torch.tensor([float(b0)], dtype=dtype).requires_grad_(True)
    cls, kw = torch_kwargs(torch, cls_name, hp)
    wd = kw.pop("weight_decay")
    opt = cls([{"params": [w], "weight_decay": wd}, {"params": [b], "weight_decay": 0.0}], **kw)
    params, losses = [], []
    for k in range(STEPS):
        idx = torch.tensor(order[BATCH * k: BATCH * (k + 1)].astype(np.int64))
        xb, tb = Xt[idx], tt[idx]
        opt.zero_grad(set_to_none=True)
        m = xb @ w + b
        if objective == "squared":
            loss = ((m - tb) ** 2 / 2).mean()
        else:
            loss = F.binary_cross_entropy_with_logits(m, tb, reduction="mean")
        loss.backward()
        losses.append(float(loss.item()))
        opt.step()
        row = w.detach().tolist() + [b.detach()[0].item()]
        params.append([float(v) if dtype == torch.float64 else np.float32(v) for v in row])
    return params, losses


def check_torch_gradient(X, t, w0, b0, order, objective, torch):
    """The first step's autograd gradient equals the written-out formula (float64, to 1e-14)."""
    idx = order[:BATCH]
    xb, tb = X[idx].astype(np.float64), t[idx].astype(np.float64)
    m = xb @ w0.astype(np.float64) + float(b0)
    r = (m - tb) if objective == "squared" else 1.0 / (1.0 + np.exp(-m)) - tb
    g = np.append(xb.T @ r / BATCH, r.mean())
    w = torch.tensor(w0.astype(np.float64), requires_grad=True)
    b = torch.tensor([float(b0)], dtype=torch.float64, requires_grad=True)
    mt = torch.tensor(xb) @ w + b
    tbt = torch.tensor(tb)
    loss = ((mt - tbt) ** 2 / 2).mean() if objective == "squared" else \
        torch.nn.functional.binary_cross_entropy_with_logits(mt, tbt)
    loss.backward()
    ga = np.append(w.grad.numpy(), b.grad.numpy())
    assert np.max(np.abs(ga - g)) < 1e-14, (objective, ga, g)


def numpy_reference(objective, cls_name, hp, X, t, w0, b0, order):
    """The header's update formulas written out in numpy float64, independent of torch: the float64
    trajectories must agree to rounding (checked < 1e-12), which pins down what the fixtures mean
    (first momentum step, where eps goes, bias without weight decay, AdamW's decoupled decay)."""
    Xd, td = X.astype(np.float64), t.astype(np.float64)
    p0 = np.append(w0.astype(np.float64), float(b0))     # [w..., b]
    wd = np.append(np.full(D_T, hp.get("weight_decay", 0.0)), 0.0)  # per coordinate: never the bias

    def grad(p, idx):
        xb, tb = Xd[idx], td[idx]
        m = xb @ p[:D_T] + p[D_T]
        r = (m - tb) if objective == "squared" else 1.0 / (1.0 + np.exp(-m)) - tb
        return np.append(xb.T @ r, r.sum()) / BATCH

    return numpy_updates(cls_name, hp, p0, wd, grad, order)


def numpy_updates(cls_name, hp, p, wd, grad, order):
    """STEPS updates of the packed parameter vector p (float64) with per-coordinate weight decay wd;
    grad(p, batch row indices) gives the packed gradient. Returns the iterate after each step."""
    lr = hp["lr"]
    mom = hp.get("momentum", 0.0)
    s1, s2, buf, k = np.zeros(len(p)), np.zeros(len(p)), None, 0
    out = []
    for step in range(STEPS):
        g = grad(p, order[BATCH * step: BATCH * (step + 1)])
        k += 1
        if cls_name == "SGD":
            g = g + wd * p
            if mom:
                buf = g.copy() if buf is None else mom * buf + g
                g = g + mom * buf if hp.get("nesterov") else buf
            p = p - lr * g
        elif cls_name in ("Adam", "AdamW"):
            b1, b2 = hp["betas"]
            if cls_name == "AdamW":
                p = p * (1 - lr * wd)
            else:
                g = g + wd * p
            s1 = b1 * s1 + (1 - b1) * g
            s2 = b2 * s2 + (1 - b2) * g * g
            p = p - (lr / (1 - b1 ** k)) * s1 / (np.sqrt(s2) / math.sqrt(1 - b2 ** k) + hp["eps"])
        elif cls_name == "Adagrad":
            g = g + wd * p
            s2 = s2 + g * g
            p = p - (lr / (1 + (k - 1) * hp["lr_decay"])) * g / (np.sqrt(s2) + hp["eps"])
        elif cls_name == "RMSprop":
            a = hp["alpha"]
            g = g + wd * p
            s2 = a * s2 + (1 - a) * g * g
            if hp.get("centered"):
                s1 = a * s1 + (1 - a) * g
                den = np.sqrt(s2 - s1 * s1) + hp["eps"]
            else:
                den = np.sqrt(s2) + hp["eps"]
            if mom:
                buf = (np.zeros(len(p)) if buf is None else buf) * mom + g / den
                p = p - lr * buf
            else:
                p = p - lr * g / den
        out.append(p.copy())
    return np.array(out)


def torch_part(torch):
    X, targets, w0, b0, order = torch_data()
    files = {}
    for objective in ("squared", "logistic"):
        t = targets[objective]
        check_torch_gradient(X, t, w0, b0, order, objective, torch)
        cases = []
        for name, cls_name, hp in torch_cases():
            _, kw = torch_kwargs(torch, cls_name, hp)
            p64, l64 = run_torch(torch, objective, cls_name, hp, X, t, w0, b0, order, torch.float64)
            p32, _ = run_torch(torch, objective, cls_name, hp, X, t, w0, b0, order, torch.float32)
            first, last = np.array(p64[0]), np.array(p64[-1])
            start = np.append(w0.astype(np.float64), float(b0))
            # the brief: finite and moving; and float32 close to float64
            assert np.all(np.isfinite(p64)) and np.all(np.isfinite(p32)), name
            assert np.max(np.abs(last - start)) > 1e-2, (objective, name, "barely moved")
            rel32 = float(np.max(np.abs(np.array(p32) - np.array(p64))) / max(1.0, np.max(np.abs(p64))))
            assert rel32 < 1e-4, (objective, name, rel32)
            assert np.all(first != start), (objective, name)
            ref = numpy_reference(objective, cls_name, hp, X, t, w0, b0, order)
            ref_diff = float(np.max(np.abs(ref - np.array(p64))))
            assert ref_diff < 1e-12, (objective, name, "numpy reference differs", ref_diff)
            cases.append(case_record(name, objective, cls_name, hp, kw, l64, p64, p32, ref_diff))
        files[objective] = {
            "objective": objective,
            "loss": {"squared": "l = (m - t)^2 / 2, dl/dm = m - t",
                     "logistic": "l = log(1 + e^m) - t*m (torch binary_cross_entropy_with_logits), dl/dm = sigmoid(m) - t"}[objective],
            "gradient": "autograd of the mean loss over the batch: g_w = (1/8) sum r_i x_i, g_b = (1/8) sum r_i, r = dl/dm",
            "seed": TORCH_SEED,
            "n": N_T, "d": D_T, "batch": BATCH, "steps": STEPS,
            "notes": [
                "X, t, w0, b0 are exact float32 values written as doubles; cast to float for the float32 run",
                "order: flat list of 800 row indices; step k (0-based) uses order[8k:8k+8]; each block of 64 is a permutation",
                "params64[k], params32[k] = [w_0..w_4, b] after step k+1; loss64[k] = float64 mean batch loss before step k+1",
                "hyper: exactly the torch arguments; weight_decay is given in the weights' param group, the bias group "
                "has weight_decay 0 (so neither L2 nor AdamW's decoupled decay touches b); the rest are constructor keywords",
                "torch.optim classes with foreach=False (fused=False where accepted): the _single_tensor_* reference path",
                "float64 run: torch.float64 tensors from the float32 values upcast; float32 run: torch.float32 throughout",
                "params64 and loss64 are doubles in their shortest round-trip form; params32 are float32 values in float32's "
                "shortest round-trip form (~9 digits): parse with Float.parseFloat, or as double then cast to float "
                "(checked to give the same float)",
            ],
            "X": [[f32(v) for v in row] for row in X],
            "t": [f32(v) for v in t],
            "w0": [f32(v) for v in w0],
            "b0": f32(b0),
            "order": [int(i) for i in order],
            "cases": cases,
        }
    return files


# ---------------------------------------------------------------------------------------------------
# PART 1, softmax: k classes, multinomial cross-entropy (its own data, seed and file)
# ---------------------------------------------------------------------------------------------------
SOFTMAX_SEED = 20240613
K_T = 3
SOFTMAX_MAX_BYTES = 600_000
# a subset of torch_cases(), by name: 12 cases of k·(d+1) = 18 parameters would make a ~800 KB file
SOFTMAX_CASES = ("sgd", "sgd-momentum", "sgd-nesterov", "adam", "adamw", "adagrad", "rmsprop", "rmsprop-centered")


def softmax_data():
    rng = np.random.default_rng(SOFTMAX_SEED)
    X = rng.standard_normal((N_T, D_T)).astype(np.float32)
    w_star = rng.standard_normal((K_T, D_T))
    b_star = 0.3 * rng.standard_normal(K_T)
    M = X.astype(np.float64) @ w_star.T + b_star
    P = np.exp(M - M.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    u = rng.random(N_T)   # inverse CDF: the first class whose cumulative probability exceeds u
    t = np.minimum((u[:, None] >= np.cumsum(P, axis=1)).sum(axis=1), K_T - 1).astype(np.float32)
    w0 = (0.1 * rng.standard_normal((K_T, D_T))).astype(np.float32)
    b0 = (0.1 * rng.standard_normal(K_T)).astype(np.float32)
    epochs = -(-STEPS * BATCH // N_T)
    order = np.concatenate([rng.permutation(N_T) for _ in range(epochs)])[: STEPS * BATCH]
    assert all(np.any(t == c) for c in range(K_T)), "every class must occur"
    return X, t, w0, b0, order


def pack(W, b):
    """Head-major: for c = 0..k-1 the d weights of class c, then its bias; length k·(d+1)."""
    return np.concatenate([np.asarray(W), np.asarray(b)[:, None]], axis=1).ravel()


def softmax_grad_np(X, t, p, idx):
    """Packed float64 gradient of the mean cross-entropy over rows idx, and that mean loss."""
    P = p.reshape(K_T, D_T + 1)
    xb, tb = X[idx], t[idx].astype(np.int64)
    M = xb @ P[:, :D_T].T + P[:, D_T]
    mx = M.max(axis=1, keepdims=True)
    E = np.exp(M - mx)
    Z = E.sum(axis=1, keepdims=True)
    loss = float(np.mean(np.log(Z[:, 0]) + mx[:, 0] - M[np.arange(len(idx)), tb]))
    R = E / Z
    R[np.arange(len(idx)), tb] -= 1.0
    return pack(R.T @ xb / BATCH, R.sum(axis=0) / BATCH), loss


def run_torch_softmax(torch, cls_name, hp, X, t, w0, b0, order, dtype):
    """As run_torch, for W [k, d] and b [k]; params written head-major (pack)."""
    F = torch.nn.functional
    Xt = torch.tensor(X.astype(np.float64), dtype=dtype)
    tt = torch.tensor(t.astype(np.int64))
    W = torch.tensor(w0.astype(np.float64), dtype=dtype).requires_grad_(True)
    b = torch.tensor(b0.astype(np.float64), dtype=dtype).requires_grad_(True)
    cls, kw = torch_kwargs(torch, cls_name, hp)
    wd = kw.pop("weight_decay")
    opt = cls([{"params": [W], "weight_decay": wd}, {"params": [b], "weight_decay": 0.0}], **kw)
    params, losses = [], []
    for k in range(STEPS):
        idx = torch.tensor(order[BATCH * k: BATCH * (k + 1)].astype(np.int64))
        xb, tb = Xt[idx], tt[idx]
        opt.zero_grad(set_to_none=True)
        m = xb @ W.t() + b
        loss = F.cross_entropy(m, tb, reduction="mean")
        loss.backward()
        losses.append(float(loss.item()))
        opt.step()
        Wl, bl = W.detach().tolist(), b.detach().tolist()
        row = [v for c in range(K_T) for v in Wl[c] + [bl[c]]]
        params.append([float(v) if dtype == torch.float64 else np.float32(v) for v in row])
    return params, losses


def check_softmax_gradient(X, t, w0, b0, order, torch):
    """The first step's autograd gradient and loss equal the written-out formulas (float64, to 1e-14)."""
    idx = order[:BATCH]
    g, l = softmax_grad_np(X.astype(np.float64), t, pack(w0.astype(np.float64), b0.astype(np.float64)), idx)
    W = torch.tensor(w0.astype(np.float64), requires_grad=True)
    b = torch.tensor(b0.astype(np.float64), requires_grad=True)
    loss = torch.nn.functional.cross_entropy(torch.tensor(X[idx].astype(np.float64)) @ W.t() + b,
                                             torch.tensor(t[idx].astype(np.int64)))
    loss.backward()
    ga = pack(W.grad.numpy(), b.grad.numpy())
    assert np.max(np.abs(ga - g)) < 1e-14 and abs(loss.item() - l) < 1e-14, (ga, g, loss.item(), l)


def softmax_part(torch):
    X, t, w0, b0, order = softmax_data()
    check_softmax_gradient(X, t, w0, b0, order, torch)
    Xd = X.astype(np.float64)
    start = pack(w0.astype(np.float64), b0.astype(np.float64))
    table = {name: (cls_name, hp) for name, cls_name, hp in torch_cases()}
    cases = []
    for name in SOFTMAX_CASES:
        cls_name, hp = table[name]
        _, kw = torch_kwargs(torch, cls_name, hp)
        p64, l64 = run_torch_softmax(torch, cls_name, hp, X, t, w0, b0, order, torch.float64)
        p32, _ = run_torch_softmax(torch, cls_name, hp, X, t, w0, b0, order, torch.float32)
        first, last = np.array(p64[0]), np.array(p64[-1])
        assert np.all(np.isfinite(p64)) and np.all(np.isfinite(p32)), name
        assert np.max(np.abs(last - start)) > 1e-2, ("softmax", name, "barely moved")
        rel32 = float(np.max(np.abs(np.array(p32) - np.array(p64))) / max(1.0, np.max(np.abs(p64))))
        assert rel32 < 1e-4, ("softmax", name, rel32)
        assert np.all(first != start), ("softmax", name)
        wd = np.tile(np.append(np.full(D_T, hp.get("weight_decay", 0.0)), 0.0), K_T)
        ref = numpy_updates(cls_name, hp, start.copy(), wd, lambda p, idx: softmax_grad_np(Xd, t, p, idx)[0], order)
        ref_diff = float(np.max(np.abs(ref - np.array(p64))))
        assert ref_diff < 1e-12, ("softmax", name, "numpy reference differs", ref_diff)
        # the loss before each step, recomputed in numpy at torch's float64 iterates
        lref = [softmax_grad_np(Xd, t, start if k == 0 else np.array(p64[k - 1]), order[BATCH * k: BATCH * (k + 1)])[1]
                for k in range(STEPS)]
        assert max(abs(a - b) for a, b in zip(lref, l64)) < 1e-13, ("softmax", name, "loss")
        cases.append(case_record(name, "softmax", cls_name, hp, kw, l64, p64, p32, ref_diff))
    return {
        "objective": "softmax",
        "loss": "margins m_c = x.w_c + b_c (c = 0..k-1), t the class index: l = log(sum_c e^(m_c)) - m_t "
                "(torch cross_entropy), dl/dm_c = softmax(m)_c - [c == t]",
        "gradient": "autograd of the mean loss over the batch: g_(w_c) = (1/8) sum r_ic x_i, g_(b_c) = (1/8) sum r_ic, "
                    "r_ic = dl/dm_c",
        "seed": SOFTMAX_SEED,
        "n": N_T, "d": D_T, "k": K_T, "batch": BATCH, "steps": STEPS,
        "notes": [
            "X, t, w0, b0 are exact float32 values written as doubles; cast to float for the float32 run",
            "t holds class indices 0..k-1 as numbers (0.0, 1.0, 2.0), drawn from the softmax of a planted model",
            "w0[c][j] = initial weight j of class c; b0[c] = initial bias of class c",
            "order: flat list of 800 row indices; step k (0-based) uses order[8k:8k+8]; each block of 64 is a permutation",
            "params64[s], params32[s] = the k*(d+1) = 18 parameters after step s+1, head-major: for c = 0..k-1, "
            "w_c0..w_c4 then b_c, i.e. index c*(d+1) + j for weight j of class c, c*(d+1) + d for its bias; "
            "loss64[s] = float64 mean batch loss before step s+1",
            "torch parameters: W of shape [k, d] in the first param group (the case's weight_decay), b of shape [k] in "
            "the second (weight_decay 0, so neither L2 nor AdamW's decoupled decay touches a bias); the rest of hyper "
            "are constructor keywords",
            "torch.optim classes with foreach=False (fused=False where accepted): the _single_tensor_* reference path",
            "float64 run: torch.float64 tensors from the float32 values upcast; float32 run: torch.float32 throughout",
            "params64 and loss64 are doubles in their shortest round-trip form; params32 are float32 values in float32's "
            "shortest round-trip form (~9 digits): parse with Float.parseFloat, or as double then cast to float "
            "(checked to give the same float)",
            "cases: a subset of the squared/logistic files' case table (same names and hyper-parameters), to keep the file small",
        ],
        "X": [[f32(v) for v in row] for row in X],
        "t": [f32(v) for v in t],
        "w0": [[f32(v) for v in row] for row in w0],
        "b0": [f32(v) for v in b0],
        "order": [int(i) for i in order],
        "cases": cases,
    }


# ===================================================================================================
# PART 2: scikit-learn SGD
# ===================================================================================================
N_S, D_S, EPOCHS, ETA0 = 200, 4, 5, 0.01


def sklearn_data():
    rng = np.random.default_rng(SKLEARN_SEED)
    X = rng.standard_normal((N_S, D_S)).astype(np.float32)
    w_star = np.array([1.5, -2.0, 0.5, 1.0])
    X64 = X.astype(np.float64)
    margin = X64 @ w_star + 0.25
    y = (rng.random(N_S) < 1.0 / (1.0 + np.exp(-margin))).astype(np.int64)          # 0/1 labels
    t = (X64 @ w_star - 0.75 + 0.3 * rng.standard_normal(N_S)).astype(np.float32)  # regression
    return X, y, t


# The per-example loss and its derivative in the prediction p, exactly as _sgd_fast.pyx writes them
# (y ∈ {−1,+1} for classifiers, the target for regressors). Checked against the .so below.
def sk_loss(name, eps):
    def hinge(p, y):
        z = p * y
        return (1.0 - z, -y) if z <= 1.0 else (0.0, 0.0)

    def squared_hinge(p, y):
        z = 1.0 - p * y
        return (z * z, -2 * y * z) if z > 0 else (0.0, 0.0)

    def modified_huber(p, y):
        z = p * y
        if z >= 1.0:
            return 0.0, 0.0
        if z >= -1.0:
            return (1.0 - z) * (1.0 - z), 2.0 * (1.0 - z) * -y
        return -4.0 * z, -4.0 * y

    def log_loss(p, y):
        z = p * y
        if z > 18.0:
            return math.exp(-z), math.exp(-z) * -y
        if z < -18.0:
            return -z, -y
        return math.log(1.0 + math.exp(-z)), -y / (math.exp(z) + 1.0)

    def squared_error(p, y):
        return 0.5 * (p - y) * (p - y), p - y

    def huber(p, y):
        r = p - y
        a = abs(r)
        if a <= eps:
            return 0.5 * r * r, r
        return eps * a - (0.5 * eps * eps), (eps if r > 0.0 else -eps)

    def epsilon_insensitive(p, y):
        ret = abs(y - p) - eps
        d = -1.0 if y - p > eps else (1.0 if p - y > eps else 0.0)
        return (ret if ret > 0 else 0.0), d

    return {"hinge": hinge, "squared_hinge": squared_hinge, "modified_huber": modified_huber,
            "log_loss": log_loss, "log": log_loss, "squared_error": squared_error, "huber": huber,
            "epsilon_insensitive": epsilon_insensitive}[name]


FORMULAS = {
    "hinge": "y in {-1,+1}, z = y*m: l = 1 - z if z <= 1 else 0; dl/dm = -y if z <= 1 else 0",
    "squared_hinge": "y in {-1,+1}, u = 1 - y*m: l = u^2 if u > 0 else 0; dl/dm = -2*y*u if u > 0 else 0",
    "modified_huber": "y in {-1,+1}, z = y*m: z >= 1: l = 0, dl/dm = 0; z >= -1: l = (1-z)^2, dl/dm = -2*y*(1-z); "
                      "else l = -4*z, dl/dm = -4*y",
    "log_loss": "y in {-1,+1}, z = y*m: z > 18: l = exp(-z), dl/dm = -y*exp(-z); z < -18: l = -z, dl/dm = -y; "
                "else l = log(1 + exp(-z)), dl/dm = -y/(exp(z) + 1)",
    "squared_error": "r = m - t: l = 0.5*r*r; dl/dm = r",
    "huber": "r = m - t, c = epsilon: |r| <= c: l = 0.5*r*r, dl/dm = r; else l = c*|r| - 0.5*c*c, dl/dm = c*sign(r)",
    "epsilon_insensitive": "l = max(0, |t - m| - epsilon); dl/dm = -1 if t - m > epsilon, +1 if m - t > epsilon, else 0",
}


def check_sk_losses(sgd_fast, log_name):
    """Our formulas against the installed .so's py_loss/py_dloss, on a grid that includes the kinks."""
    objs = {"hinge": sgd_fast.Hinge(1.0), "squared_hinge": sgd_fast.SquaredHinge(1.0),
            "modified_huber": sgd_fast.ModifiedHuber(), log_name: sgd_fast.Log(),
            "squared_error": sgd_fast.SquaredLoss(), "huber": sgd_fast.Huber(0.1),
            "epsilon_insensitive": sgd_fast.EpsilonInsensitive(0.1)}
    grid = sorted(set([-25.0, -18.0, -17.999, -1.5, -1.0, -0.9, -0.1, -0.05, 0.0, 0.05, 0.1, 0.3,
                       0.99, 1.0, 1.01, 2.0, 17.9, 18.0, 18.5, 30.0]))
    checked = 0
    for name, o in objs.items():
        eps = 0.1 if name in ("huber", "epsilon_insensitive") else None
        ours = sk_loss(name, eps)
        ys = (-1.0, 1.0) if name in ("hinge", "squared_hinge", "modified_huber", log_name) else (-0.3, 0.0, 0.2, 1.0)
        for y in ys:
            for p in grid:
                l, d = ours(p, y)
                # bit-exact: same formulas, same evaluation order, IEEE double, libm exp/log
                assert l == o.py_loss(p, y) and d == o.py_dloss(p, y), (name, p, y, l, o.py_loss(p, y), d, o.py_dloss(p, y))
                checked += 1
    return checked


def sk_reimpl(X, y, name, eps, epochs, eta0, average):
    """Pure-Python float64 _plain_sgd for dense data, constant eta, no penalty, shuffle=False,
    intercept_decay = 1, weights 1; returns (coef, intercept, standard_coef, standard_intercept)."""
    n, d = X.shape
    lf = sk_loss(name, eps)
    rows = [[float(v) for v in r] for r in X]
    w, b = [0.0] * d, 0.0
    aw, ab, avg_a, avg_b, wscale = [0.0] * d, 0.0, 0.0, 1.0, 1.0
    t = 1.0
    for _ in range(epochs):
        for i in range(n):
            x, yi = rows[i], float(y[i])
            p = 0.0
            for j in range(d):
                p += w[j] * x[j]
            p *= wscale
            p = p + b
            dl = min(max(lf(p, yi)[1], -1e12), 1e12)
            update = -eta0 * dl
            update *= 1.0 * 1.0  # class_weight * sample_weight
            if update != 0.0:
                for j in range(d):
                    w[j] += x[j] * (update / wscale)
                b += update * 1.0  # intercept_decay
            if average and 0 < 1 <= t:
                num_iter = t - 1 + 1
                mu = 1.0 / num_iter
                for j in range(d):
                    aw[j] += avg_a * x[j] * (-update / wscale)
                if num_iter > 1:
                    avg_b /= (1.0 - mu)
                avg_a += mu * avg_b * wscale
                ab += (b - ab) / num_iter
            t += 1
    if average:  # reset_wscale: axpy then scal by the reciprocal
        inv = 1.0 / avg_b
        aw = [(aw[j] + avg_a * w[j]) * inv for j in range(d)]
        return aw, ab, w, b
    return w, b, w, b


def mean_loss(X, y, coef, intercept, name, eps):
    lf = sk_loss(name, eps)
    s = 0.0
    for r, yi in zip(X, y):
        m = 0.0
        for j in range(len(coef)):
            m += coef[j] * float(r[j])
        m = m + intercept
        s += lf(m, float(yi))[0]
    return s / len(X)


def sklearn_part(sklearn):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import SGDClassifier, SGDRegressor
    from sklearn.linear_model import _sgd_fast

    warnings.simplefilter("ignore", ConvergenceWarning)
    X32, y01, t32 = sklearn_data()
    X = X32.astype(np.float64)
    t = t32.astype(np.float64)
    ypm = np.where(y01 == 1, 1.0, -1.0)

    # 'log_loss' since sklearn 1.1; 'log' before
    log_name = "log_loss" if "log_loss" in SGDClassifier.loss_functions else "log"
    n_checked = check_sk_losses(_sgd_fast, log_name)

    common = dict(learning_rate="constant", eta0=ETA0, alpha=0.0, shuffle=False, max_iter=EPOCHS,
                  tol=None, fit_intercept=True, random_state=0)
    try:  # penalty=None where accepted (sklearn >= 1.2); else l2 with alpha 0, the same arithmetic
        SGDClassifier(penalty=None, **common).fit(X[:10], y01[:10])
        penalty = None
    except (ValueError, TypeError):
        penalty = "l2"
    common["penalty"] = penalty

    specs = [("classifier", "hinge", None, False), ("classifier", "squared_hinge", None, False),
             ("classifier", "modified_huber", None, False), ("classifier", log_name, None, False),
             ("regressor", "squared_error", None, False), ("regressor", "huber", 0.1, False),
             ("regressor", "huber", 1.0, False), ("regressor", "epsilon_insensitive", 0.1, False),
             ("classifier", "hinge", None, True), ("regressor", "squared_error", None, True)]
    cases = []
    for kind, loss, eps, average in specs:
        kw = dict(common, loss=loss, average=average)
        if eps is not None:
            kw["epsilon"] = eps
        if kind == "classifier":
            est = SGDClassifier(**kw).fit(X, y01, coef_init=np.zeros(D_S), intercept_init=np.zeros(1))
            target = ypm
        else:
            est = SGDRegressor(**kw).fit(X, t, coef_init=np.zeros(D_S), intercept_init=np.zeros(1))
            target = t
        coef = [float(v) for v in est.coef_.ravel()]
        intercept = float(np.ravel(est.intercept_)[0])
        assert est.n_iter_ == EPOCHS and est.t_ == 1.0 + EPOCHS * N_S
        rc, ri, rsc, rsi = sk_reimpl(X, target, loss, eps, EPOCHS, ETA0, average)
        diff = max(max(abs(a - b) for a, b in zip(rc, coef)), abs(ri - intercept))
        case = {
            "name": f"{kind}-{loss}" + (f"-eps{eps}" if eps is not None else "") + ("-average" if average else ""),
            "estimator": "SGDClassifier" if kind == "classifier" else "SGDRegressor",
            "loss": loss,
            "epsilon": eps,
            "average": average,
            "epochs": EPOCHS,
            "eta0": ETA0,
            "formula": FORMULAS["log_loss" if loss == "log" else loss],
            "coef": coef,
            "intercept": intercept,
        }
        if average:
            # The plain iterate under averaging is the average=False run's result (averaging only
            # reads w and b). SGDRegressor keeps it in _standard_coef/_standard_intercept; SGDClassifier
            # updates _standard_coef in place but leaves _standard_intercept at its initial value
            # (fit_binary writes back only _average_intercept), so take both from a plain fit.
            plain = type(est)(**dict(kw, average=False)).fit(
                X, y01 if kind == "classifier" else t, coef_init=np.zeros(D_S), intercept_init=np.zeros(1))
            assert np.array_equal(np.ravel(est._standard_coef), np.ravel(plain.coef_))
            case["standard_coef"] = [float(v) for v in np.ravel(plain.coef_)]
            case["standard_intercept"] = float(np.ravel(plain.intercept_)[0])
            case["sklearn_standard_intercept_attr"] = float(np.ravel(est._standard_intercept)[0])
            sdiff = max(max(abs(a - b) for a, b in zip(rsc, case["standard_coef"])),
                        abs(rsi - case["standard_intercept"]))
            diff = max(diff, sdiff)
        case["reimpl_max_abs_diff"] = diff
        case["loss_mean"] = mean_loss(X, target, coef, intercept, loss, eps)
        if kind == "classifier":
            m = [sum(coef[j] * float(r[j]) for j in range(D_S)) + intercept for r in X]
            acc = sum(1 for mi, yi in zip(m, y01) if (mi > 0) == (yi == 1)) / N_S
            assert abs(acc - est.score(X, y01)) < 1e-12, (acc, est.score(X, y01))
            case["accuracy"] = acc
        cases.append(case)
    mismatches = [c["name"] for c in cases if c["reimpl_max_abs_diff"] != 0.0]
    if mismatches:  # the header's description of sklearn no longer holds for this version: say so
        raise SystemExit(f"sklearn {sklearn.__version__} differs from the documented algorithm in: {mismatches}")
    return {
        "seed": SKLEARN_SEED,
        "n": N_S, "d": D_S,
        "settings": {"learning_rate": "constant", "eta0": ETA0, "penalty": penalty, "alpha": 0.0,
                     "shuffle": False, "max_iter": EPOCHS, "tol": None, "fit_intercept": True,
                     "random_state": 0, "coef_init": "zeros", "intercept_init": 0.0},
        "notes": [
            "X, t are exact float32 values written as doubles; sklearn was fed them upcast to float64",
            "y is 0/1; sklearn trains on y = +1 for class 1 and -1 for class 0 (the formulas' y)",
            "one step per row in file order every epoch (shuffle=False), prediction m = sum_j w_j*x_j (left to right) + b "
            "taken before the update; update = -eta0*dloss(m, y); w_j += x_j*update; b += update (intercept_decay = 1.0 "
            "for dense input; 0.01 only for sparse input)",
            "average=True means averaging from step 1 (average=1 <= t) over all n*epochs steps, zero updates included; "
            "coef = mean of w after each step, intercept = running mean of b after each step (the intercept is averaged); "
            "computed by Bottou's lazy average_a/average_b recurrences (see the script header); standard_* = the plain iterate",
            "loss_mean: float64, m = sum_j coef_j*x_j left to right + intercept, per-example formula below, summed left to "
            "right over the rows, / n; accuracy = mean((m > 0) == (y == 1))",
            f"reimpl_max_abs_diff: max |sklearn - pure-Python reimplementation| over coef, intercept (and standard_*); "
            f"0.0 means bit-identical. Loss/derivative formulas checked bit-exact against the installed .so on "
            f"{n_checked} points",
        ],
        "X": [[f32(v) for v in row] for row in X32],
        "y": [int(v) for v in y01],
        "t": [f32(v) for v in t32],
        "cases": cases,
        "reimpl_mismatches": mismatches,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT, help="output folder (default: the test resources)")
    a = ap.parse_args()

    import torch
    import sklearn

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    versions = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__,
        "sklearn": sklearn.__version__,
        "debian_python3_numpy": debian_version("python3-numpy"),
        "debian_python3_torch": debian_version("python3-torch"),
        "debian_python3_sklearn": debian_version("python3-sklearn"),
    }
    os.makedirs(a.out, exist_ok=True)
    script = "bench/peers/optim_fixtures.py"

    tfiles = torch_part(torch)
    for objective, body in tfiles.items():
        doc = {"generator": script, "versions": {k: versions[k] for k in versions if "sklearn" not in k}}
        doc.update(body)
        size = write(os.path.join(a.out, f"torch-trajectories-{objective}.json"), doc)
        print(f"torch-trajectories-{objective}.json: {size} bytes, {len(body['cases'])} cases", file=sys.stderr)
        assert size < 300_000, size

    body = softmax_part(torch)
    doc = {"generator": script, "versions": {k: versions[k] for k in versions if "sklearn" not in k}}
    doc.update(body)
    size = write(os.path.join(a.out, "torch-trajectories-softmax.json"), doc)
    print(f"torch-trajectories-softmax.json: {size} bytes, {len(body['cases'])} cases", file=sys.stderr)
    assert size < SOFTMAX_MAX_BYTES, size

    sk = sklearn_part(sklearn)
    doc = {"generator": script, "versions": {k: versions[k] for k in versions if "torch" not in k}}
    doc.update(sk)
    size = write(os.path.join(a.out, "sklearn-sgd.json"), doc)
    print(f"sklearn-sgd.json: {size} bytes, {len(sk['cases'])} cases; reimplementation mismatches: "
          f"{sk['reimpl_mismatches'] or 'none'}", file=sys.stderr)
    assert size < 300_000, size


if __name__ == "__main__":
    main()
