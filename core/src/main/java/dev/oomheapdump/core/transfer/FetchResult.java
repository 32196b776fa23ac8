package dev.oomheapdump.core.transfer;

import java.nio.file.Path;
import java.util.Locale;

/**
 * A finished fetch.
 *
 * @param file        where the file is now (complete, under its final name)
 * @param bytes       its size
 * @param resumedFrom bytes a stopped fetch had brought before this one (0 for a fresh start)
 * @param sha256      its SHA-256, lowercase hex
 * @param verified    true when the source's SHA-256 matched; false when the source cannot compute one
 * @param nanos       how long this fetch took, from its first read to the rename
 */
public record FetchResult(Path file, long bytes, long resumedFrom, String sha256, boolean verified, long nanos) {

    public double megabytesPerSecond() {
        return nanos <= 0 ? 0 : (bytes - resumedFrom) * 1e3 / nanos;
    }

    /**
     * {@code 1240000000 bytes in 3.1 s (400.0 MB/s) to ./x.hprof, SHA-256 verified 3f5a...}: the line the
     * command line ends with and the tab shows.
     */
    public String summary() {
        return String.format(Locale.ROOT, "%d bytes in %.1f s (%.1f MB/s)%s to %s, ", bytes, nanos / 1e9,
                megabytesPerSecond(), resumedFrom > 0 ? ", resumed at byte " + resumedFrom : "", file)
                + (verified ? "SHA-256 verified " + sha256
                : "SHA-256 " + sha256 + " NOT verified (the JVM's agent is too old to compute it)");
    }
}
