package dev.oomheapdump.core;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * Watches direct memory ({@code ByteBuffer.allocateDirect}) against its maximum. HotSpot's OOM hook never
 * fires for "Direct buffer memory" (that error is thrown from Java code) and the buffer pool has no
 * notifications, so a daemon thread reads the pool's counter every {@value #INTERVAL_MS} ms: one volatile
 * read, no allocation.
 */
public final class DirectMemoryMonitor implements AutoCloseable {

    static final long INTERVAL_MS = 100;

    private final BufferPoolMXBean pool;
    private final long max;
    private final Thread thread;
    private volatile boolean closed;

    /**
     * Starts watching; the sink gets the bytes in use on every look. Returns empty when this JVM has no
     * {@code direct} buffer pool.
     */
    public static Optional<DirectMemoryMonitor> start(LongConsumer sink) {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals("direct")).findFirst()
                .map(pool -> new DirectMemoryMonitor(pool, maxDirectMemory(), sink));
    }

    private DirectMemoryMonitor(BufferPoolMXBean pool, long max, LongConsumer sink) {
        this.pool = pool;
        this.max = max;
        this.thread = new Thread(() -> run(sink), "oom-heapdump-direct-memory");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** {@code -XX:MaxDirectMemorySize}, or the maximum heap when it is not set (the JDK's own default). */
    public static long maxDirectMemory() {
        try {
            long value = Long.parseLong(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption("MaxDirectMemorySize").getValue());
            if (value > 0) {
                return value;
            }
        } catch (IllegalArgumentException e) {
            // not HotSpot: fall through to the default
        }
        return Runtime.getRuntime().maxMemory();
    }

    public long max() {
        return max;
    }

    private void run(LongConsumer sink) {
        while (!closed) {
            try {
                sink.accept(pool.getMemoryUsed());
                Thread.sleep(INTERVAL_MS);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException | OutOfMemoryError e) {
                // keep watching
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
