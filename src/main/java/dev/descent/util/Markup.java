package dev.descent.util;

/** Text for HTML and SVG pages. */
public final class Markup {
    private Markup() {}

    /** {@code s} with &amp;, &lt;, &gt; and &quot; escaped: safe in element text and in a quoted attribute. */
    public static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
