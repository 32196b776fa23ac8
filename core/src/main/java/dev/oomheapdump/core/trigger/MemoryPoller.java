package dev.oomheapdump.core.trigger;

import dev.oomheapdump.core.Periodic;

import java.util.function.LongSupplier;

/**
 * A daemon thread that reads one memory figure every {@value #INTERVAL_MS} ms and hands it on, for what has no
 * notifications: direct memory, process memory. It survives an OutOfMemoryError of its host.
 */
final class MemoryPoller implements AutoCloseable {

    static final long INTERVAL_MS = 100;

    /** Receives each reading. */
    interface Sink {
        void accept(MemoryPoller poller, long used);
    }

    private final String source;
    private final String label;
    private final long max;
    private final Periodic periodic;

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
        this.periodic = new Periodic(source + "-memory", INTERVAL_MS, () -> {
            long used = reader.getAsLong();
            if (used >= 0) {
                sink.accept(this, used);
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

    @Override
    public void close() {
        periodic.close();
    }
}
