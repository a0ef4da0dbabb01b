package dev.descent.util;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The JSON descent's library writes and reads (saved models, history files), without a JSON library:
 * the library's only runtime dependencies stay the device bindings (issue #16). {@link #write} prints
 * maps (in their order), collections, arrays, numbers, booleans, strings, enums (their names) and null,
 * indented by two spaces; {@link #parse} reads standard JSON into a {@link Node} tree, numbers kept as
 * their text, and reports the line of the first error.
 */
public final class Json {
    private Json() {}

    /** A JSON text that does not parse: the message names what was expected and the line. */
    public static final class Error extends Exception {
        public final int line;

        Error(String message, int line) {
            super(message + " (line " + line + ")");
            this.line = line;
        }
    }

    // ---------------------------------------------------------------------------------------- writing

    /** {@code value} as indented JSON text (no trailing newline). */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, 0);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v, int indent) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            string(sb, s);
        } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            sb.append(v);
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (!Double.isFinite(d)) string(sb, String.valueOf(d));
            else sb.append(v instanceof Float f ? Float.toString(f) : Double.toString(d));
        } else if (v instanceof Number n) {
            sb.append(n);
        } else if (v instanceof Enum<?> e) {
            string(sb, e.name());
        } else if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                sb.append("{ }");
                return;
            }
            sb.append("{\n");
            Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                pad(sb, indent + 1);
                string(sb, String.valueOf(e.getKey()));
                sb.append(" : ");
                write(sb, e.getValue(), indent + 1);
                sb.append(it.hasNext() ? ",\n" : "\n");
            }
            pad(sb, indent);
            sb.append('}');
        } else if (v instanceof Collection<?> c) {
            list(sb, new ArrayList<>(c), indent);
        } else if (v.getClass().isArray()) {
            int n = java.lang.reflect.Array.getLength(v);
            List<Object> l = new ArrayList<>(n);
            for (int i = 0; i < n; i++) l.add(java.lang.reflect.Array.get(v, i));
            list(sb, l, indent);
        } else {
            string(sb, v.toString());
        }
    }

    private static void list(StringBuilder sb, List<?> l, int indent) {
        if (l.isEmpty()) {
            sb.append("[ ]");
            return;
        }
        sb.append("[ ");
        for (int i = 0; i < l.size(); i++) {
            if (i > 0) sb.append(", ");
            write(sb, l.get(i), indent + 1);
        }
        sb.append(" ]");
    }

    private static void pad(StringBuilder sb, int indent) {
        sb.append("  ".repeat(indent));
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }

    // ---------------------------------------------------------------------------------------- reading

    /** A parsed value: an object, an array, a string, a number (its text), a boolean, null, or missing (a path to nothing). */
    public static final class Node {
        static final Node MISSING = new Node(null, true);
        private final Object v;
        private final boolean missing;

        private Node(Object v, boolean missing) {
            this.v = v;
            this.missing = missing;
        }

        public boolean isMissing() { return missing; }
        public boolean isNull() { return !missing && v == null; }
        public boolean isObject() { return v instanceof Map; }
        public boolean isArray() { return v instanceof List; }
        public boolean isNumber() { return v instanceof Num; }

        /** The member {@code key} of an object, else a missing node. */
        public Node path(String key) {
            if (v instanceof Map<?, ?> m && m.containsKey(key)) return (Node) m.get(key);
            return MISSING;
        }

        public boolean has(String key) { return v instanceof Map<?, ?> m && m.containsKey(key); }

        /** Elements of an array, members of an object, else 0. */
        public int size() {
            if (v instanceof List<?> l) return l.size();
            if (v instanceof Map<?, ?> m) return m.size();
            return 0;
        }

        /** Element {@code i} of an array, else a missing node. */
        @SuppressWarnings("unchecked")
        public Node get(int i) {
            if (v instanceof List<?> l && i >= 0 && i < l.size()) return ((List<Node>) l).get(i);
            return MISSING;
        }

        /** An array's elements (an empty list for anything else). */
        @SuppressWarnings("unchecked")
        public List<Node> elements() {
            return v instanceof List<?> l ? (List<Node>) l : List.of();
        }

        /** An object's members in order (an empty map for anything else). */
        @SuppressWarnings("unchecked")
        public Map<String, Node> fields() {
            return v instanceof Map<?, ?> m ? (Map<String, Node>) m : Map.of();
        }

        /** A string's value, a number's or a boolean's text, "null" for null, "" when missing or a container. */
        public String asText() {
            if (v instanceof String s) return s;
            if (v instanceof Num n) return n.text;
            if (v instanceof Boolean b) return b.toString();
            if (isNull()) return "null";
            return "";
        }

        /** A whole number (or a string holding one) as an int, else {@code otherwise}. */
        public int asInt(int otherwise) {
            try {
                double d = Double.parseDouble(asText());
                return d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE ? (int) d : otherwise;
            } catch (NumberFormatException e) {
                return otherwise;
            }
        }

        /** A number (or a string holding one) as a double, else 0. */
        public double asDouble() {
            try {
                return Double.parseDouble(asText());
            } catch (NumberFormatException e) {
                return 0;
            }
        }

        /** A boolean (or "true"/"false"), else {@code otherwise}. */
        public boolean asBoolean(boolean otherwise) {
            if (v instanceof Boolean b) return b;
            if (v instanceof String s && (s.equals("true") || s.equals("false"))) return Boolean.parseBoolean(s);
            return otherwise;
        }
    }

    private record Num(String text) {}

    /** Parses one JSON value (with only white space around it). */
    public static Node parse(String text) throws Error {
        Parser p = new Parser(text);
        p.space();
        Node n = p.value();
        p.space();
        if (p.at < text.length()) throw p.error("unexpected text after the value");
        return n;
    }

    private static final class Parser {
        final String s;
        int at, line = 1;

        Parser(String s) {
            this.s = s;
        }

        Error error(String what) {
            return new Error(what, line);
        }

        void space() {
            while (at < s.length()) {
                char c = s.charAt(at);
                if (c == '\n') line++;
                else if (c != ' ' && c != '\t' && c != '\r') return;
                at++;
            }
        }

        Node value() throws Error {
            if (at >= s.length()) throw error("the text ends where a value was expected");
            char c = s.charAt(at);
            if (c == '{') return object();
            if (c == '[') return array();
            if (c == '"') return new Node(string(), false);
            if (s.startsWith("true", at)) { at += 4; return new Node(Boolean.TRUE, false); }
            if (s.startsWith("false", at)) { at += 5; return new Node(Boolean.FALSE, false); }
            if (s.startsWith("null", at)) { at += 4; return new Node(null, false); }
            if (c == '-' || (c >= '0' && c <= '9')) return new Node(new Num(number()), false);
            throw error("unexpected character '" + c + "'");
        }

        Node object() throws Error {
            at++;
            Map<String, Node> m = new LinkedHashMap<>();
            space();
            if (at < s.length() && s.charAt(at) == '}') { at++; return new Node(m, false); }
            while (true) {
                space();
                if (at >= s.length() || s.charAt(at) != '"') throw error("a member name in quotes was expected");
                String k = string();
                space();
                expect(':');
                space();
                m.put(k, value());
                space();
                if (at < s.length() && s.charAt(at) == ',') { at++; continue; }
                expect('}');
                return new Node(m, false);
            }
        }

        Node array() throws Error {
            at++;
            List<Node> l = new ArrayList<>();
            space();
            if (at < s.length() && s.charAt(at) == ']') { at++; return new Node(l, false); }
            while (true) {
                space();
                l.add(value());
                space();
                if (at < s.length() && s.charAt(at) == ',') { at++; continue; }
                expect(']');
                return new Node(l, false);
            }
        }

        void expect(char c) throws Error {
            if (at >= s.length() || s.charAt(at) != c) throw error("'" + c + "' was expected");
            at++;
        }

        String number() throws Error {
            int a = at;
            if (s.charAt(at) == '-') at++;
            while (at < s.length() && "0123456789.eE+-".indexOf(s.charAt(at)) >= 0) at++;
            String t = s.substring(a, at);
            try {
                Double.parseDouble(t);
            } catch (NumberFormatException e) {
                throw error("'" + t + "' is not a number");
            }
            return t;
        }

        String string() throws Error {
            at++;
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (at >= s.length()) throw error("a string is not closed");
                char c = s.charAt(at++);
                if (c == '"') return sb.toString();
                if (c == '\n') throw error("a string runs past the end of its line");
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                if (at >= s.length()) throw error("a string is not closed");
                char e = s.charAt(at++);
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'u' -> {
                        if (at + 4 > s.length()) throw error("a \\u escape needs four hex digits");
                        try {
                            sb.append((char) Integer.parseInt(s.substring(at, at + 4), 16));
                        } catch (NumberFormatException x) {
                            throw error("a \\u escape needs four hex digits");
                        }
                        at += 4;
                    }
                    default -> throw error("unknown escape \\" + e);
                }
            }
        }
    }
}
