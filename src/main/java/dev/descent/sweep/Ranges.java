package dev.descent.sweep;

import dev.descent.DescentException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The values of one swept setting, as the command line writes them: a comma-separated list of
 * numbers and ranges, where a range is {@code a..b:log:N} (N points spaced evenly in log a..log b,
 * both ends included; a, b &gt; 0) or {@code a..b:lin:N} (N evenly spaced points). For example
 * {@code 1e-3..1:log:32}, {@code 0.01,0.1,1} or {@code 1,10,100..1000:log:3}. Every failure is one line
 * naming the option and what to write instead.
 */
public final class Ranges {
    private Ranges() {}

    /** Most points one range may ask for. */
    public static final int MAX_POINTS = 1 << 20;

    /** The values in the order written (duplicates kept out); each finite. */
    public static double[] parse(String option, String spec) {
        String what = option + " " + spec;
        DescentException.require(spec != null && !spec.isBlank(), option + ": give a value, a list (0.01,0.1,1) or a range (1e-3..1:log:32)");
        Set<Double> out = new LinkedHashSet<>();
        for (String item : spec.split(",", -1)) {
            String s = item.trim();
            if (s.isEmpty()) {
                throw new DescentException.InvalidArgument(what + ": an empty item in the list: write values separated by single commas, e.g. 0.01,0.1,1");
            }
            if (s.contains("..")) {
                for (double v : range(what, s)) out.add(v);
            } else {
                out.add(number(what, s));
            }
        }
        double[] v = new double[out.size()];
        int i = 0;
        for (double x : out) v[i++] = x;
        return v;
    }

    /** Whole numbers (a range's points rounded to the nearest, repeats dropped), in the order written. */
    public static int[] ints(String option, String spec) {
        boolean isRange = spec != null && spec.contains("..");
        List<Integer> out = new ArrayList<>();
        for (double x : parse(option, spec)) {
            double r = isRange ? Math.rint(x) : x;
            if (r != Math.rint(r) || Math.abs(r) > Integer.MAX_VALUE) {
                throw new DescentException.InvalidArgument(option + " " + spec + ": " + fmt(x) + " is not a whole number");
            }
            if (!out.contains((int) r)) out.add((int) r);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static double[] range(String what, String s) {
        String syntax = "write a range as a..b:log:N or a..b:lin:N, e.g. 1e-3..1:log:32";
        int dots = s.indexOf("..");
        String a = s.substring(0, dots).trim(), rest = s.substring(dots + 2);
        String[] p = rest.split(":", -1);
        String b = p[0].trim();
        if (a.isEmpty() || b.isEmpty()) throw new DescentException.InvalidArgument(what + ": a range needs both ends: " + syntax);
        if (p.length != 3) throw new DescentException.InvalidArgument(what + ": '" + s + "' names no spacing and count: " + syntax);
        double lo = number(what, a), hi = number(what, b);
        String spacing = p[1].trim().toLowerCase(Locale.ROOT);
        if (!spacing.equals("log") && !spacing.equals("lin")) {
            throw new DescentException.InvalidArgument(what + ": spacing '" + p[1] + "' is neither log nor lin: " + syntax);
        }
        long n;
        try {
            n = Long.parseLong(p[2].trim());
        } catch (NumberFormatException e) {
            throw new DescentException.InvalidArgument(what + ": the count '" + p[2] + "' is not a whole number: " + syntax);
        }
        if (n < 1) throw new DescentException.InvalidArgument(what + ": the range is empty (" + n + " points): give a count of at least 1");
        if (n > MAX_POINTS) throw new DescentException.InvalidArgument(what + ": " + n + " points is more than " + MAX_POINTS + " per range");
        boolean log = spacing.equals("log");
        if (log && (lo <= 0 || hi <= 0)) {
            throw new DescentException.InvalidArgument(what + ": a log range needs both ends > 0: use lin, or positive ends");
        }
        if (lo == hi && n > 1) {
            throw new DescentException.InvalidArgument(what + ": both ends are " + fmt(lo) + ", so " + n + " points would be one value: give distinct ends or a count of 1");
        }
        double[] v = new double[(int) n];
        v[0] = lo;
        if (n == 1) return v;
        double la = log ? Math.log(lo) : lo, lb = log ? Math.log(hi) : hi;
        for (int i = 1; i < n - 1; i++) {
            double t = la + (lb - la) * i / (n - 1);
            v[i] = log ? Math.exp(t) : t;
        }
        v[(int) n - 1] = hi;                     // the ends exactly as written
        return v;
    }

    private static double number(String what, String s) {
        double x;
        try {
            x = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new DescentException.InvalidArgument(what + ": '" + s + "' is not a number");
        }
        if (!Double.isFinite(x)) throw new DescentException.InvalidArgument(what + ": '" + s + "' is not a finite number");
        return x;
    }

    /** A value as the command line would write it: the shortest text that reads back to the same double. */
    public static String fmt(double x) {
        if (x == Math.rint(x) && Math.abs(x) < 1e15) return Long.toString((long) x);
        return Double.toString(x);
    }
}
