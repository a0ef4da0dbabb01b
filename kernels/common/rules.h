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

/*
 * One optimizer step on one parameter (Optimizer.step in Java). lambda is 0 for the bias.
 *   L2:         g += lambda w                      decoupled:  w -= lr lambda w (pre-step w)
 *   SGD:        w -= lr g
 *   momentum:   v = mu v + g;  w -= lr v
 *   Nesterov:   v = mu v + g;  w -= lr (g + mu v)
 * v is read and written only for momentum and Nesterov.
 */
DESCENT_FN float descent_step(int rule, float w, float g, float v_in, float *v_out,
                              float lr, float mu, float lambda, int decoupled) {
    if (!decoupled) g += lambda * w;
    float dir = g;
    if (rule != DESCENT_RULE_SGD) {
        float vk = mu * v_in + g;
        *v_out = vk;
        dir = rule == DESCENT_RULE_MOMENTUM ? vk : g + mu * vk;
    }
    if (decoupled) dir += lambda * w;
    return w - lr * dir;
}

/* The learning rate of step k of a run (Rate.at): lr, or lr / sqrt(first_step + k) when inv_sqrt. */
DESCENT_FN float descent_rate(float lr, int inv_sqrt, int first_step, int k) {
    return inv_sqrt ? lr / D_SQRT((float)(first_step + k)) : lr;
}

/* Batch j of an order of order_len positions (Batches.from / Batches.count in Java): positions
 * [j·batch, j·batch + count), the last batch shorter when order_len is not a multiple. */
DESCENT_FN int descent_batch_from(int j, int batch) { return j * batch; }
DESCENT_FN int descent_batch_count(int j, int batch, int order_len) {
    int left = order_len - j * batch;
    return left < batch ? left : batch;
}

#endif /* DESCENT_RULES_H */
