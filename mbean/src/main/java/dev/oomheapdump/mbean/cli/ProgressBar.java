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
        draw(fraction, seconds -> phase + "  " + seconds + " s");
    }

    /** A bar whose text says it all (no elapsed seconds added), such as a fetch's speed and time left. */
    void show(String text, double fraction) {
        draw(fraction, seconds -> text);
    }

    private void draw(double fraction, java.util.function.LongFunction<String> text) {
        long now = System.nanoTime();
        if (!terminal || now - start < QUIET_NANOS || now - lastDraw < 200_000_000L) {
            return;
        }
        lastDraw = now;
        err.print("\r" + line(text.apply((now - start) / 1_000_000_000L), fraction));
        err.flush();
        drawn = true;
    }

    /** {@code [#########           ]  45%  reading objects  12 s} as {@link #update} draws it. */
    static String line(String phase, double fraction, long seconds) {
        return line(phase + "  " + seconds + " s", fraction);
    }

    /** {@code [#########           ]  45%  text}, padded to clear what was there before. */
    static String line(String text, double fraction) {
        double f = Math.max(0, Math.min(1, fraction));
        int filled = (int) Math.round(f * WIDTH);
        String bar = "[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + String.format(java.util.Locale.ROOT, "%3d%%",
                Math.round(f * 100)) + "  " + text;
        return String.format(java.util.Locale.ROOT, "%-78s", bar);
    }

    @Override
    public void close() {
        if (drawn) {
            err.print("\r" + " ".repeat(78) + "\r");
            err.flush();
        }
    }
}
