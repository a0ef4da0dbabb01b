package dev.descent.util;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * Prints numbers the way the numpy of seed 1's tutorial did, so its lines can be compared by eye:
 * a 1×d float array as {@code [[ 1.99949276 -3.39981604]]} (fixed point with up to 8 digits,
 * trailing zeros shown as spaces, a sign column) and a float32 scalar as {@code %.6g}.
 */
public final class NumpyFormat {
    private NumpyFormat() {}

    /** {@code np.reshape(w, (1, -1))} as old numpy printed it. */
    public static String row(float[] v) {
        int precision = 0;
        double maxAbs = 0;
        for (float f : v) {
            if (!Float.isFinite(f)) continue;
            maxAbs = Math.max(maxAbs, Math.abs(f));
            String s = fixed(f, 8);
            int dot = s.indexOf('.');
            String frac = s.substring(dot + 1).replaceAll("0+$", "");
            precision = Math.max(precision, frac.length());
        }
        if (maxAbs >= 1e8) return exponential(v);
        int width = String.valueOf((long) maxAbs).length() + precision + 2;
        width = Math.max(width, 4);
        StringBuilder sb = new StringBuilder("[[");
        for (int i = 0; i < v.length; i++) {
            if (i > 0) sb.append(' ');
            String s;
            if (!Float.isFinite(v[i])) {
                s = Float.isNaN(v[i]) ? "nan" : v[i] > 0 ? "inf" : "-inf";
            } else {
                s = fixed(v[i], precision);
                String z = s.replaceAll("0+$", "");
                s = z + " ".repeat(s.length() - z.length());
            }
            sb.append(" ".repeat(Math.max(0, width - s.length()))).append(s);
        }
        return sb.append("]]").toString();
    }

    /** Old numpy's exponent form for arrays with large entries: {@code [[  5.77014119e+37  -6.18645488e+37]]}. */
    private static String exponential(float[] v) {
        StringBuilder sb = new StringBuilder("[[");
        for (int i = 0; i < v.length; i++) {
            String s = Float.isFinite(v[i]) ? String.format(Locale.ROOT, "%.8e", v[i])
                    : Float.isNaN(v[i]) ? "nan" : v[i] > 0 ? "inf" : "-inf";
            if (i > 0) sb.append(' ');
            sb.append(" ".repeat(Math.max(0, 16 - s.length()))).append(s);
        }
        return sb.append("]]").toString();
    }

    /** Python's {@code '%.6g' % x}, as old numpy printed a float32 scalar. */
    public static String scalar(float f) {
        if (Float.isNaN(f)) return "nan";
        if (Float.isInfinite(f)) return f > 0 ? "inf" : "-inf";
        if (f == 0) return "0";
        BigDecimal r = new BigDecimal((double) f).round(new MathContext(6, RoundingMode.HALF_EVEN));
        int exp = r.precision() - r.scale() - 1;
        if (exp < -4 || exp >= 6) {
            String m = r.movePointLeft(exp).stripTrailingZeros().toPlainString();
            return m + String.format(Locale.ROOT, "e%s%02d", exp < 0 ? "-" : "+", Math.abs(exp));
        }
        String s = r.stripTrailingZeros().toPlainString();
        return s;
    }

    /** Python's {@code '%.4e' % x} (nan and inf spelled as Python does). */
    public static String sci4(double x) {
        if (Double.isNaN(x)) return "nan";
        if (Double.isInfinite(x)) return x > 0 ? "inf" : "-inf";
        return String.format(Locale.ROOT, "%.4e", x);
    }

    private static String fixed(float f, int digits) {
        return new BigDecimal((double) f).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
    }
}
