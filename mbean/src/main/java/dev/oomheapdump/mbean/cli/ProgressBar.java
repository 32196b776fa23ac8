package dev.oomheapdump.mbean.cli;

import dev.oomheapdump.core.analysis.AnalysisProgress;

import java.io.PrintStream;

/**
 * A one-line progress bar on standard error, drawn only on a terminal and only once the work has taken more
 * than two seconds (a quick analysis prints nothing extra); redrawn at most five times a second.
 */
final class ProgressBar implements AnalysisProgress, AutoCloseable {

    static final long QUIET_NANOS = 2_000_000_000L;
    private static final int WIDTH = 30;

    private final PrintStream err;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private long lastDraw;
    private boolean drawn;

    ProgressBar(PrintStream err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    /** A bar for this process: drawn when standard error is a terminal. */
    static ProgressBar forConsole() {
        return new ProgressBar(System.err, System.console() != null);
    }

    @Override
    public void update(String phase, double fraction) {
        long now = System.nanoTime();
        if (!terminal || now - start < QUIET_NANOS || now - lastDraw < 200_000_000L) {
            return;
        }
        lastDraw = now;
        err.print("\r" + line(phase, fraction, (now - start) / 1_000_000_000L));
        err.flush();
        drawn = true;
    }

    /** {@code [#########           ]  45%  reading objects  12 s}, padded to clear what was there before. */
    static String line(String phase, double fraction, long seconds) {
        double f = Math.max(0, Math.min(1, fraction));
        int filled = (int) Math.round(f * WIDTH);
        String text = "[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + String.format(java.util.Locale.ROOT, "%3d%%",
                Math.round(f * 100)) + "  " + phase + "  " + seconds + " s";
        return String.format(java.util.Locale.ROOT, "%-78s", text);
    }

    @Override
    public void close() {
        if (drawn) {
            err.print("\r" + " ".repeat(78) + "\r");
            err.flush();
        }
    }
}
