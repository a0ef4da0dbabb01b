/*
 * descent — the per-example losses, written once for every kernel language.
 *
 * A generalized linear model: margin m = x·w + b, loss l(m, t), residual r = dl/dm. The batch
 * gradient is g_w = (1/|B|) sum_i r_i x_i, g_b = (1/|B|) sum_i r_i. The Java reference
 * (dev.descent.model.Objective, dev.descent.optim.Optimizer) computes the same in double; the
 * numbers below (DESCENT_OBJ_*) are the codes Objective.code() passes.
 *
 * Plain C with small macros: included by the .cu files in kernels/cuda (nvcc -I kernels/common) and spliced
 * into the .cl files in kernels/opencl by the OpenCL host before the driver builds it.
 */
#ifndef DESCENT_OBJECTIVES_H
#define DESCENT_OBJECTIVES_H

#include "lang.h"

#define DESCENT_OBJ_SQUARED 0   /* l = (m - t)^2 / 2,                 r = m - t              */
#define DESCENT_OBJ_LOGISTIC 1  /* l = log(1 + e^m) - t m (t in 0/1), r = sigmoid(m) - t     */
#define DESCENT_OBJ_WAVE 2      /* l = (-m^2 + m^3) e^(-m^2), no target (seed 2)            */
/* Classification losses of scikit-learn's SGDClassifier, labels t in 0/1 read as y = 2t - 1, z = y m: */
#define DESCENT_OBJ_HINGE 3            /* l = max(0, 1 - z),              r = -y where z <= 1 */
#define DESCENT_OBJ_SQUARED_HINGE 4    /* l = max(0, 1 - z)^2,            r = -2 y (1 - z) where z < 1 */
#define DESCENT_OBJ_MODIFIED_HUBER 5   /* l = (1 - z)^2 for -1 <= z < 1, -4 z below, 0 above; r = -2 y (1 - z), -4 y, 0 */
/* Robust regression losses of SGDRegressor, e = m - t, p = the loss's epsilon: */
#define DESCENT_OBJ_HUBER 6            /* l = e^2 / 2 for |e| <= p, else p |e| - p^2 / 2;  r = e, or p sign(e) */
#define DESCENT_OBJ_EPS_INSENSITIVE 7  /* l = max(0, |e| - p);  r = sign(e) where |e| > p, else 0 */

/* l(m, t); p is the loss's parameter (Huber's and epsilon-insensitive's epsilon, else unused).
 * The logistic form max(m, 0) + log1p(e^-|m|) - t m never overflows. */
DESCENT_FN float descent_loss(int obj, float p, float m, float t) {
    if (obj == DESCENT_OBJ_SQUARED) {
        float e = m - t;
        return 0.5f * e * e;
    }
    if (obj == DESCENT_OBJ_LOGISTIC) {
        return D_FMAX(m, 0.0f) + D_LOG1P(D_EXP(-D_FABS(m))) - t * m;
    }
    if (obj == DESCENT_OBJ_WAVE) {
        float m2 = m * m;
        return (-m2 + m2 * m) * D_EXP(-m2);
    }
    if (obj <= DESCENT_OBJ_MODIFIED_HUBER) {
        float y = 2.0f * t - 1.0f, z = y * m;
        if (obj == DESCENT_OBJ_HINGE) return z <= 1.0f ? 1.0f - z : 0.0f;
        if (obj == DESCENT_OBJ_SQUARED_HINGE) return z < 1.0f ? (1.0f - z) * (1.0f - z) : 0.0f;
        return z >= 1.0f ? 0.0f : z >= -1.0f ? (1.0f - z) * (1.0f - z) : -4.0f * z;
    }
    float e = m - t, a = D_FABS(e);
    if (obj == DESCENT_OBJ_HUBER) return a <= p ? 0.5f * e * e : p * a - 0.5f * p * p;
    return a > p ? a - p : 0.0f;
}

/* r = dl/dm at (m, t). */
DESCENT_FN float descent_dloss(int obj, float p, float m, float t) {
    if (obj == DESCENT_OBJ_SQUARED) return m - t;
    if (obj == DESCENT_OBJ_LOGISTIC) {
        float e = D_EXP(-D_FABS(m));
        float s = m >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
        return s - t;
    }
    if (obj == DESCENT_OBJ_WAVE) {
        float m2 = m * m;
        return (-2.0f * m + 3.0f * m2 + 2.0f * m2 * m - 2.0f * m2 * m2) * D_EXP(-m2);
    }
    if (obj <= DESCENT_OBJ_MODIFIED_HUBER) {
        float y = 2.0f * t - 1.0f, z = y * m;
        if (obj == DESCENT_OBJ_HINGE) return z <= 1.0f ? -y : 0.0f;
        if (obj == DESCENT_OBJ_SQUARED_HINGE) return z < 1.0f ? -2.0f * y * (1.0f - z) : 0.0f;
        return z >= 1.0f ? 0.0f : z >= -1.0f ? -2.0f * y * (1.0f - z) : -4.0f * y;
    }
    float e = m - t;
    if (obj == DESCENT_OBJ_HUBER) return e > p ? p : e < -p ? -p : e;
    return e > p ? 1.0f : e < -p ? -1.0f : 0.0f;
}

#endif /* DESCENT_OBJECTIVES_H */
