package dev.oomheapdump.core;

import java.util.Locale;

/**
 * How the suite writes a number of bytes for people ({@code 812 B}, {@code 1.5 KiB}, {@code 55.3 MiB}) and reads
 * one from an option ({@code 1048576}, {@code 500m}, {@code 20g}).
 */
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

    /**
     * Bytes from an option value: a whole number, optionally followed by {@code k}, {@code m}, {@code g} or
     * {@code t} (binary units, either case, an optional {@code b}: {@code 500m}, {@code 20GB}).
     *
     * @throws IllegalArgumentException naming the option and the value when it is not such a size, or negative
     */
    public static long parse(String option, String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        if (v.endsWith("b")) {
            v = v.substring(0, v.length() - 1);
        }
        int shift = 0;
        if (!v.isEmpty()) {
            int unit = "kmgt".indexOf(v.charAt(v.length() - 1));
            if (unit >= 0) {
                shift = 10 * (unit + 1);
                v = v.substring(0, v.length() - 1);
            }
        }
        long number;
        try {
            number = Long.parseLong(v);
        } catch (NumberFormatException e) {
            number = -1;
        }
        if (number < 0 || number > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("Option '" + option + "' must be a size such as 1048576, 500m or 20g, not '"
                    + value + "'");
        }
        return number << shift;
    }

    /** A size as an option value, in the largest unit that keeps it whole: {@code 500m}, {@code 20g}, {@code 1000}. */
    public static String option(long bytes) {
        String[] units = {"", "k", "m", "g", "t"};
        int unit = 0;
        while (unit < units.length - 1 && bytes != 0 && bytes % 1024 == 0) {
            bytes /= 1024;
            unit++;
        }
        return bytes + units[unit];
    }

    /** The heap this JVM may still take: its maximum less what is in use now (garbage included). */
    public static long freeHeap() {
        Runtime runtime = Runtime.getRuntime();
        return runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
    }
}
