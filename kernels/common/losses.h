/*
 * descent — the per-example losses and the update rule, written once for every kernel language.
 *
 * A generalized linear model: margin m = x·w + b, loss l(m, t), residual r = dl/dm. The batch
 * gradient is g_w = (1/|B|) sum_i r_i x_i, g_b = (1/|B|) sum_i r_i. The Java reference
 * (dev.descent.model.Objective, dev.descent.optim.Optimizer) computes the same in double; the
 * numbers below (DESCENT_OBJ_*, DESCENT_RULE_*) are the codes Objective.code() and Rule.code() pass.
 *
 * Plain C with small macros: included by the .cu files in kernels/cuda (nvcc -I kernels/common) and spliced
 * into the .cl files in kernels/opencl by the OpenCL host before the driver builds it.
 */
#ifndef DESCENT_LOSSES_H
#define DESCENT_LOSSES_H

#if defined(__CUDACC__)
#define DESCENT_FN static __device__ __forceinline__
#define D_EXP(x) expf(x)
#define D_LOG1P(x) log1pf(x)
#define D_FABS(x) fabsf(x)
#define D_FMAX(a, b) fmaxf(a, b)
#define D_ISFINITE(x) isfinite(x)
#else /* OpenCL C */
#define DESCENT_FN static inline
#define D_EXP(x) exp(x)
#define D_LOG1P(x) log1p(x)
#define D_FABS(x) fabs(x)
#define D_FMAX(a, b) fmax(a, b)
#define D_ISFINITE(x) isfinite(x)
#endif

#define DESCENT_OBJ_SQUARED 0   /* l = (m - t)^2 / 2,                 r = m - t              */
#define DESCENT_OBJ_LOGISTIC 1  /* l = log(1 + e^m) - t m (t in 0/1), r = sigmoid(m) - t     */
#define DESCENT_OBJ_WAVE 2      /* l = (-m^2 + m^3) e^(-m^2), no target (seed 2)            */

#define DESCENT_RULE_SGD 0
#define DESCENT_RULE_MOMENTUM 1
#define DESCENT_RULE_NESTEROV 2

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

#endif /* DESCENT_LOSSES_H */
