package dev.descent.backend.cpu;

/**
 * The losses and their derivatives in float32, as {@code kernels/common/objectives.h} computes them
 * (the same operations in the same order), for every Java path that must agree with the devices and
 * with the cpu backend bit for bit: the cpu backend's sessions and the sweep engine. The objective
 * codes are {@link dev.descent.model.Objective#code()}.
 */
public final class FloatLosses {
    private FloatLosses() {}

    /** l(m, t) as objectives.h computes it; p is the loss's parameter. */
    public static float loss(int obj, float p, float m, float t) {
        if (obj == 0) {
            float e = m - t;
            return 0.5f * e * e;
        }
        if (obj == 1) return Math.max(m, 0f) + (float) Math.log1p(Math.exp(-Math.abs(m))) - t * m;
        if (obj == 2) {
            float m2 = m * m;
            return (-m2 + m2 * m) * (float) Math.exp(-m2);
        }
        if (obj <= 5) {
            float y = 2f * t - 1f, z = y * m;
            if (obj == 3) return z <= 1f ? 1f - z : 0f;
            if (obj == 4) return z < 1f ? (1f - z) * (1f - z) : 0f;
            return z >= 1f ? 0f : z >= -1f ? (1f - z) * (1f - z) : -4f * z;
        }
        float e = m - t, a = Math.abs(e);
        if (obj == 6) return a <= p ? 0.5f * e * e : p * a - 0.5f * p * p;
        return a > p ? a - p : 0f;
    }

    /** dl/dm as objectives.h computes it. */
    public static float dloss(int obj, float p, float m, float t) {
        if (obj == 0) return m - t;
        if (obj == 1) {
            float e = (float) Math.exp(-Math.abs(m));
            float s = m >= 0f ? 1f / (1f + e) : e / (1f + e);
            return s - t;
        }
        if (obj == 2) {
            float m2 = m * m;
            return (-2f * m + 3f * m2 + 2f * m2 * m - 2f * m2 * m2) * (float) Math.exp(-m2);
        }
        if (obj <= 5) {
            float y = 2f * t - 1f, z = y * m;
            if (obj == 3) return z <= 1f ? -y : 0f;
            if (obj == 4) return z < 1f ? -2f * y * (1f - z) : 0f;
            return z >= 1f ? 0f : z >= -1f ? -2f * y * (1f - z) : -4f * y;
        }
        float e = m - t;
        if (obj == 6) return e > p ? p : e < -p ? -p : e;
        return e > p ? 1f : e < -p ? -1f : 0f;
    }
}
