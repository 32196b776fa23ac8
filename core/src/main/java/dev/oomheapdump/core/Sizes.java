package dev.oomheapdump.core;

import java.util.Locale;

/** How the suite writes a number of bytes for people: {@code 812 B}, {@code 1.5 KiB}, {@code 55.3 MiB}. */
public final class Sizes {

    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB"};

    private Sizes() {
    }

    /** Binary units, one decimal; plain bytes below 1 KiB. */
    public static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
    }
}
