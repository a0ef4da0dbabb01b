/*
 * descent — the update rules, the learning-rate schedule and the batch range, written once for
 * every kernel language. The Java reference (dev.descent.optim.Optimizer, Rate, and
 * dev.descent.backend.Batches) computes the same in double; DESCENT_RULE_* are Rule.code().
 */
#ifndef DESCENT_RULES_H
#define DESCENT_RULES_H

#include "lang.h"

#define DESCENT_RULE_SGD 0
#define DESCENT_RULE_MOMENTUM 1
#define DESCENT_RULE_NESTEROV 2
#define DESCENT_RULE_ADAM 3              /* AdamW: ADAM with decoupled decay */
#define DESCENT_RULE_ADAGRAD 4
#define DESCENT_RULE_RMSPROP 5           /* with momentum when mu > 0 */
#define DESCENT_RULE_RMSPROP_CENTERED 6

/* Optimizer state: slots per parameter (Optimizer.Rule.slots()); the state buffer holds slot k of
 * parameter c at k·np + c. A kernel loads a parameter's slots into a private float[DESCENT_MAX_SLOTS]. */
#define DESCENT_MAX_SLOTS 4
/* The update number t saturates here on every backend (Optimizer.T_CAP): beta^t has long reached 0
 * and 1/t is below float's resolution of the average, so results agree past it. */
#define DESCENT_T_CAP (1 << 30)
DESCENT_FN int descent_rule_slots(int rule) {
    if (rule == DESCENT_RULE_SGD) return 0;
    if (rule == DESCENT_RULE_ADAM) return 2;
    if (rule >= DESCENT_RULE_RMSPROP) return 3;
    return 1;
}

/* All slots: the rule's, then with averaging (Polyak–Ruppert, scikit-learn's average=True) one more
 * holding the mean of the iterates since the state was reset, the parameters a model reports. */
DESCENT_FN int descent_slots(int rule, int average) { return descent_rule_slots(rule) + (average ? 1 : 0); }

/* What a model reports for parameter c (its records, a run's snapshots): the average, its state's last slot, when it
 * averages, else the parameter itself (p, st: its parameters and slot-major state, np parameters). */
DESCENT_FN float descent_reported(GLOBAL const float *p, GLOBAL const float *st, int np, int c, int rule, int average) {
    return average ? st[(descent_slots(rule, 1) - 1) * np + c] : p[c];
}

/* Parameter c's slots between a state array of any address space (slot k at k·np + c) and a private st[DESCENT_MAX_SLOTS]. */
#define DESCENT_LOAD_SLOTS(st, arr, np, c, slots) \
    for (int k_ = 0; k_ < DESCENT_MAX_SLOTS; ++k_) (st)[k_] = k_ < (slots) ? (arr)[k_ * (np) + (c)] : 0.0f
#define DESCENT_STORE_SLOTS(st, arr, np, c, slots) \
    for (int k_ = 0; k_ < (slots); ++k_) (arr)[k_ * (np) + (c)] = (st)[k_]

/*
 * One optimizer step on one parameter (Optimizer.step in Java, with PyTorch's torch.optim
 * semantics for the adaptive rules). lambda is 0 for the bias; t ≥ 1 is this update's number since
 * the state was reset (Adam's bias correction). s holds the parameter's state slots, updated in place.
 *   L2:         g += lambda w
 *   decoupled:  SGD, momentum, Nesterov: w -= lr lambda w (pre-step w, folded into the step);
 *               adaptive rules: w *= 1 - lr lambda first (AdamW)
 *   SGD:        w -= lr g
 *   momentum:   s0 = mu s0 + g;  w -= lr s0
 *   Nesterov:   s0 = mu s0 + g;  w -= lr (g + mu s0)
 *   Adam:       s0 = s0 + (1 - mu)(g - s0);  s1 = beta2 s1 + (1 - beta2) g²
 *               w -= (lr / (1 - mu^t)) s0 / (sqrt(s1) / sqrt(1 - beta2^t) + eps)
 *   AdaGrad:    s0 += g²;  w -= lr g / (sqrt(s0) + eps)
 *   RMSprop:    s0 = beta2 s0 + (1 - beta2) g²  (beta2 is PyTorch's alpha)
 *               centered: s2 = s2 + (1 - beta2)(g - s2);  a = sqrt(s0 - s2²) + eps;  else a = sqrt(s0) + eps
 *               mu > 0: s1 = mu s1 + g / a;  w -= lr s1;   else w -= lr g / a
 */
DESCENT_FN float descent_rule_step(int rule, float w, float g, float *s, float lr, float mu, float beta2, float eps,
                                   float lambda, int decoupled, int t) {
    if (!decoupled) g += lambda * w;
    if (rule <= DESCENT_RULE_NESTEROV) {
        float dir = g;
        if (rule != DESCENT_RULE_SGD) {
            float vk = mu * s[0] + g;
            s[0] = vk;
            dir = rule == DESCENT_RULE_MOMENTUM ? vk : g + mu * vk;
        }
        if (decoupled) dir += lambda * w;
        return w - lr * dir;
    }
    if (decoupled) w = w * (1.0f - lr * lambda);
    if (rule == DESCENT_RULE_ADAM) {
        float m = s[0] + (1.0f - mu) * (g - s[0]);
        float v = beta2 * s[1] + (1.0f - beta2) * g * g;
        s[0] = m;
        s[1] = v;
        float bc1 = 1.0f - D_POWN(mu, t), bc2 = 1.0f - D_POWN(beta2, t);
        return w - (lr / bc1) * (m / (D_SQRT(v) / D_SQRT(bc2) + eps));
    }
    if (rule == DESCENT_RULE_ADAGRAD) {
        float a = s[0] + g * g;
        s[0] = a;
        return w - lr * (g / (D_SQRT(a) + eps));
    }
    float sq = beta2 * s[0] + (1.0f - beta2) * g * g;
    s[0] = sq;
    float a;
    if (rule == DESCENT_RULE_RMSPROP_CENTERED) {
        float ga = s[2] + (1.0f - beta2) * (g - s[2]);
        s[2] = ga;
        a = D_SQRT(sq - ga * ga) + eps;
    } else {
        a = D_SQRT(sq) + eps;
    }
    if (mu > 0.0f) {
        float b = mu * s[1] + g / a;
        s[1] = b;
        return w - lr * b;
    }
    return w - lr * (g / a);
}

/* The rule's step, then L1's proximal step, then the running average of the iterates when asked (soft thresholding by lr·l1, weights only: l1 is 0 for the
 * bias): w = sign(w) max(0, |w| - lr l1). With L2 decay (lambda) this is the elastic net. */
DESCENT_FN float descent_step(int rule, float w, float g, float *s, float lr, float mu, float beta2, float eps,
                              float lambda, float l1, int decoupled, int average, int t) {
    t = t < DESCENT_T_CAP ? t : DESCENT_T_CAP;
    w = descent_rule_step(rule, w, g, s, lr, mu, beta2, eps, lambda, decoupled, t);
    if (l1 > 0.0f) {
        float a = D_FABS(w) - lr * l1;
        w = a > 0.0f ? (w > 0.0f ? a : -a) : 0.0f;
    }
    if (average) {                       /* the mean of w_1 .. w_t: avg = w_1, then avg += (w - avg) / t */
        const int k = descent_rule_slots(rule);
        s[k] = t == 1 ? w : s[k] + (w - s[k]) / (float)t;
    }
    return w;
}

/* The learning rate of step k of a run (Rate.at): lr, or lr / sqrt(first_step + k) when inv_sqrt. */
DESCENT_FN float descent_rate(float lr, int inv_sqrt, int first_step, int k) {
    return inv_sqrt ? lr / D_SQRT((float)(first_step + k)) : lr;
}

/* The rate of step k of a run: the per-step schedule's when given (RATE_ARGS), else descent_rate. */
DESCENT_FN float descent_run_rate(GLOBAL const float *lrs, int per_step, float lr, int inv_sqrt, int first_step, int k) {
    return per_step ? lrs[k] : descent_rate(lr, inv_sqrt, first_step, k);
}

/* Batch j of an order of order_len positions (Batches.from / Batches.count in Java): positions
 * [j·batch, j·batch + count), the last batch shorter when order_len is not a multiple. */
DESCENT_FN int descent_batch_from(int j, int batch) { return j * batch; }
DESCENT_FN int descent_batch_count(int j, int batch, int order_len) {
    int left = order_len - j * batch;
    return left < batch ? left : batch;
}

#endif /* DESCENT_RULES_H */
