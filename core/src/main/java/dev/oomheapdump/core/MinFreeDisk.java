package dev.oomheapdump.core;

import java.util.Locale;

/**
 * The option {@code minFreeDisk}: free space a dump must leave on the dump directory's file system, either a
 * number of bytes ({@code 2g}) or a percentage of the file system ({@code 5%}).
 */
public final class MinFreeDisk {

    /** The default: 5% of the file system. */
    public static final MinFreeDisk DEFAULT = new MinFreeDisk(0, 5);

    private final long bytes;
    private final int percent;

    private MinFreeDisk(long bytes, int percent) {
        this.bytes = bytes;
        this.percent = percent;
    }

    /**
     * Parses {@code 5%}, {@code 0}, {@code 2g}, {@code 500m}.
     *
     * @throws IllegalArgumentException naming the value when it is neither a size nor a percentage from 0 to 99
     */
    public static MinFreeDisk parse(String value) {
        String v = value == null ? "" : value.trim();
        try {
            if (v.endsWith("%")) {
                return new MinFreeDisk(0, OomPolicy.parseInt(OomPolicy.MIN_FREE_DISK, v.substring(0, v.length() - 1), 0, 99));
            }
            return new MinFreeDisk(Sizes.parse(OomPolicy.MIN_FREE_DISK, v), -1);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Option '" + OomPolicy.MIN_FREE_DISK + "' must be a percentage of the "
                    + "file system from 0% to 99% or a size such as 2g, not '" + value + "'");
        }
    }

    /** The bytes to keep free on a file system of {@code totalSpace} bytes. */
    public long bytesOf(long totalSpace) {
        return percent >= 0 ? totalSpace / 100 * percent : bytes;
    }

    /** Whether the reserve is a percentage of the file system rather than a number of bytes. */
    public boolean isPercent() {
        return percent >= 0;
    }

    /** As the option is written: {@code 5%} or {@code 2g}. */
    @Override
    public String toString() {
        return percent >= 0 ? percent + "%" : Sizes.option(bytes).toLowerCase(Locale.ROOT);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MinFreeDisk && ((MinFreeDisk) o).bytes == bytes && ((MinFreeDisk) o).percent == percent;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(bytes) * 31 + percent;
    }
}
