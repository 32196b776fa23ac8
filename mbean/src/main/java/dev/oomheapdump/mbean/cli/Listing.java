package dev.oomheapdump.mbean.cli;

import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.Sizes;

import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** How the command line prints the files the suite made, and where each shipped one went. */
final class Listing {

    private Listing() {
    }

    static void print(List<Artifact> artifacts, PrintStream out) {
        if (artifacts.isEmpty()) {
            out.println("  (no files made by oom-heapdump)");
        }
        for (Artifact a : artifacts) {
            out.printf(Locale.ROOT, "  %-13s %-10s %10s  %s  %s%s%s%n", a.kind(), a.state(), Sizes.human(a.bytes()),
                    Instant.ofEpochMilli(a.createdMillis()), a.path(), a.detail().isEmpty() ? "" : "  (" + a.detail() + ")",
                    a.shipped() ? "  shipped to " + a.shippedTo() : "");
        }
    }
}
