package dev.oomheapdump.core.trigger;

import dev.oomheapdump.core.Periodic;

import java.util.function.LongSupplier;

/**
 * A daemon thread that reads one memory figure and hands it on, for what has no notifications: direct memory,
 * process memory. Every {@value #NEAR_INTERVAL_MS} ms once the figure is past half the level of the next dump,
 * every {@value #FAR_INTERVAL_MS} ms below that (an idle JVM pays for ten wake-ups a second only when it needs
 * them; a direct-memory OOM that outruns the slow pace is still caught by the OOM trap). It survives an
 * OutOfMemoryError of its host.
 */
final class MemoryPoller implements AutoCloseable {

    static final long NEAR_INTERVAL_MS = 100;
    static final long FAR_INTERVAL_MS = 1000;

    /** Receives each reading. */
    interface Sink {
        /** @return the figure at which the next dump comes, in bytes */
        long accept(MemoryPoller poller, long used);
    }

    private final String source;
    private final String label;
    private final long max;
    private final Periodic periodic;
    private volatile boolean near = true;

    /**
     * @param source a short key ("direct"): each source escalates its own dumps
     * @param label  for people ("direct memory")
     * @param max    the figure's maximum, the base of the threshold percentage
     * @param reader the figure now; negative when unreadable
     */
    MemoryPoller(String source, String label, long max, LongSupplier reader, Sink sink) {
        this.source = source;
        this.label = label;
        this.max = max;
        this.periodic = new Periodic(source + "-memory", () -> near ? NEAR_INTERVAL_MS : FAR_INTERVAL_MS, () -> {
            long used = reader.getAsLong();
            if (used >= 0) {
                near = used >= sink.accept(this, used) / 2;
            }
        }).start();
    }

    String source() {
        return source;
    }

    String label() {
        return label;
    }

    long max() {
        return max;
    }

    /** True while the figure is past half the level of the next dump (the poller looks ten times a second). */
    boolean near() {
        return near;
    }

    @Override
    public void close() {
        periodic.close();
    }
}
