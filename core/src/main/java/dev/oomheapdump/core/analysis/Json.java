package dev.oomheapdump.core.analysis;

import java.util.List;

/** A small JSON writer: objects, arrays, strings with correct escaping, numbers. */
final class Json {

    private final StringBuilder out = new StringBuilder();
    private boolean first = true;

    Json begin() {
        comma();
        out.append('{');
        first = true;
        return this;
    }

    Json end() {
        out.append('}');
        first = false;
        return this;
    }

    Json beginArray(String key) {
        key(key);
        out.append('[');
        first = true;
        return this;
    }

    Json endArray() {
        out.append(']');
        first = false;
        return this;
    }

    Json field(String key, String value) {
        key(key);
        string(out, value);
        first = false;
        return this;
    }

    Json field(String key, long value) {
        key(key);
        out.append(value);
        first = false;
        return this;
    }

    Json field(String key, double value) {
        key(key);
        out.append(Double.isFinite(value) ? Double.toString(value) : "0");
        first = false;
        return this;
    }

    Json field(String key, boolean value) {
        key(key);
        out.append(value);
        first = false;
        return this;
    }

    Json strings(String key, List<String> values) {
        beginArray(key);
        for (String v : values) {
            comma();
            string(out, v);
            first = false;
        }
        return endArray();
    }

    Json numbers(String key, long[] values) {
        beginArray(key);
        for (long v : values) {
            comma();
            out.append(v);
            first = false;
        }
        return endArray();
    }

    private void key(String key) {
        comma();
        string(out, key);
        out.append(':');
        first = true;
    }

    private void comma() {
        if (!first) {
            out.append(',');
        }
    }

    static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                case '\b': out.append("\\b"); break;
                case '\f': out.append("\\f"); break;
                default:
                    if (c < 0x20 || c == 0x2028 || c == 0x2029 || Character.isSurrogate(c)
                            && !(Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1)))
                            && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1)))) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
