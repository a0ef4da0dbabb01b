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

/* l(m, t). The logistic form max(m, 0) + log1p(e^-|m|) - t m never overflows. */
DESCENT_FN float descent_loss(int obj, float m, float t) {
    if (obj == DESCENT_OBJ_SQUARED) {
        float e = m - t;
        return 0.5f * e * e;
    }
    if (obj == DESCENT_OBJ_LOGISTIC) {
        return D_FMAX(m, 0.0f) + D_LOG1P(D_EXP(-D_FABS(m))) - t * m;
    }
    float m2 = m * m;
    return (-m2 + m2 * m) * D_EXP(-m2);
}

/* r = dl/dm at (m, t). */
DESCENT_FN float descent_dloss(int obj, float m, float t) {
    if (obj == DESCENT_OBJ_SQUARED) return m - t;
    if (obj == DESCENT_OBJ_LOGISTIC) {
        float e = D_EXP(-D_FABS(m));
        float s = m >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
        return s - t;
    }
    float m2 = m * m;
    return (-2.0f * m + 3.0f * m2 + 2.0f * m2 * m - 2.0f * m2 * m2) * D_EXP(-m2);
}

#endif /* DESCENT_OBJECTIVES_H */
