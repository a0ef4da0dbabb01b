package dev.descent.util;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/** Numbers as the reports print them. No AWT here: reports are written where the runtime cannot draw (a JRE without java.desktop). */
public final class Numbers {
    private Numbers() {}

    /** Two significant digits: 3.1e-05 → "3.1e-5", 0.25 → "0.25", 1200 → "1.2e3". */
    public static String sci(double v) {
        if (!Double.isFinite(v)) return String.valueOf(v);
        if (v != 0 && (Math.abs(v) < 0.01 || Math.abs(v) >= 1000)) {
            String s = String.format(Locale.ROOT, "%.1e", v);
            int e = s.indexOf('e');
            return s.substring(0, e).replace(".0", "") + "e" + Integer.parseInt(s.substring(e + 1));
        }
        return new BigDecimal(v).round(new MathContext(2)).stripTrailingZeros().toPlainString();
    }
}
