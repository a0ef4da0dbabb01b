/*
 * descent — the per-example losses, written once for every kernel language.
 *
 * A generalized linear model: margin m = x·w + b, loss l(m, t), residual r = dl/dm. The batch
 * gradient is g_w = (1/|B|) sum_i r_i x_i, g_b = (1/|B|) sum_i r_i. Softmax has k heads, one margin
 * m_c = x·w_c + b_c per class, and a residual per head; every other loss has one head. The Java reference
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
/* Multinomial logistic regression, labels t in 0..k-1, k = heads: l = log sum_c e^(m_c) - m_t,
 * r_c = softmax(m)_c - [c == t] (computed after subtracting max_c m_c, so it never overflows) */
#define DESCENT_OBJ_SOFTMAX 8
/* The most heads a model may have (Spec.MAX_CLASSES): a row's margins live in a private array this long. */
#define DESCENT_MAX_HEADS 64

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

/* The k = heads margins m[0..heads) of one row (softmax) become its residuals r_c = dl/dm_c, in
 * place; returns the row's loss when with_loss, else 0. */
DESCENT_FN float descent_softmax_residuals(int heads, float *m, float t, int with_loss) {
    const int y = (int)t;
    float mx = m[0];
    for (int c = 1; c < heads; ++c) mx = D_FMAX(mx, m[c]);
    const float zy = m[y] - mx;
    float s = 0.0f;
    for (int c = 0; c < heads; ++c) {
        m[c] = D_EXP(m[c] - mx);
        s += m[c];
    }
    const float inv = 1.0f / s;
    for (int c = 0; c < heads; ++c) m[c] = c == y ? m[c] * inv - 1.0f : m[c] * inv;
    return with_loss ? D_LOG(s) - zy : 0.0f;
}

/* The softmax loss log sum_c e^(m_c) - m_t of one row's k = heads margins (left unchanged). */
DESCENT_FN float descent_softmax_loss(int heads, const float *m, float t) {
    float mx = m[0];
    for (int c = 1; c < heads; ++c) mx = D_FMAX(mx, m[c]);
    float s = 0.0f;
    for (int c = 0; c < heads; ++c) s += D_EXP(m[c] - mx);
    return D_LOG(s) - (m[(int)t] - mx);
}

/* Margins of one row x (d features) under the heads' parameters w (heads blocks of np = d + 1:
 * weights, then bias; any address space) into m[0..heads); the bias counts when use_bias. */
#define DESCENT_MARGINS(m, x, w, d, heads, use_bias) \
    for (int h_ = 0; h_ < (heads); ++h_) { \
        float s_ = (use_bias) ? (w)[h_ * ((d) + 1) + (d)] : 0.0f; \
        for (int j_ = 0; j_ < (d); ++j_) s_ += (x)[j_] * (w)[h_ * ((d) + 1) + j_]; \
        (m)[h_] = s_; \
    }

#endif /* DESCENT_OBJECTIVES_H */
