package dev.oomheapdump.core.transfer;

import java.util.Locale;

/**
 * How far a fetch is, as both the command line's bar and the JConsole tab show it.
 *
 * @param done         bytes in {@code OUT.part} (resumed ones included)
 * @param total        the file's size
 * @param resumedFrom  bytes that were there already when this fetch started
 * @param elapsedNanos since this fetch started reading
 */
public record FetchProgress(long done, long total, long resumedFrom, long elapsedNanos) {

    public double fraction() {
        return total <= 0 ? 1 : Math.min(1, done / (double) total);
    }

    /** Bytes per second read by this fetch (resumed bytes do not count). */
    public double bytesPerSecond() {
        return elapsedNanos <= 0 ? 0 : (done - resumedFrom) * 1e9 / elapsedNanos;
    }

    /** Seconds left at the speed so far; -1 while unknown. */
    public long etaSeconds() {
        double speed = bytesPerSecond();
        return speed <= 0 ? -1 : (long) Math.ceil((total - done) / speed);
    }

    /** {@code 512.0/1240.0 MB  402.1 MB/s  ETA 2 s} (decimal megabytes, as MB/s is usually read). */
    public String describe() {
        long eta = etaSeconds();
        return String.format(Locale.ROOT, "%.1f/%.1f MB  %.1f MB/s  ETA %s", done / 1e6, total / 1e6,
                bytesPerSecond() / 1e6, eta < 0 ? "?" : eta >= 3600 ? eta / 3600 + " h " + eta % 3600 / 60 + " min"
                        : eta >= 60 ? eta / 60 + " min " + eta % 60 + " s" : eta + " s");
    }
}
