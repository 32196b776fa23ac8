package dev.oomheapdump.mbean.cli;

import dev.oomheapdump.core.Artifact;

import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** How the command line prints files and sizes. */
final class Listing {

    private static final String[] UNITS = {"bytes", "KiB", "MiB", "GiB", "TiB"};

    private Listing() {
    }

    static void print(List<Artifact> artifacts, PrintStream out) {
        if (artifacts.isEmpty()) {
            out.println("  (no files made by oom-heapdump)");
        }
        for (Artifact a : artifacts) {
            out.printf(Locale.ROOT, "  %-13s %-10s %10s  %s  %s%s%n", a.kind(), a.state(), size(a.bytes()),
                    Instant.ofEpochMilli(a.createdMillis()), a.path(), a.detail().isEmpty() ? "" : "  (" + a.detail() + ")");
        }
    }

    /** "812 bytes", "1.5 KiB", "64.0 MiB", "2.3 GiB": binary units, one decimal. */
    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        int unit = 0;
        double value = bytes;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
    }
}
