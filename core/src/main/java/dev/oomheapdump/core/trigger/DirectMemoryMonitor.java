package dev.oomheapdump.core.trigger;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.Optional;

/**
 * Watches direct memory ({@code ByteBuffer.allocateDirect}) against its maximum. HotSpot's OOM hook never
 * fires for "Direct buffer memory" (that error is thrown from Java code) and the buffer pool has no
 * notifications, so a {@link MemoryPoller} reads the pool's counter every 100 ms: one volatile read, no
 * allocation.
 */
public final class DirectMemoryMonitor {

    private DirectMemoryMonitor() {
    }

    /** Starts watching; empty when this JVM has no {@code direct} buffer pool. */
    static Optional<MemoryPoller> start(MemoryPoller.Sink sink) {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals("direct")).findFirst()
                .map(pool -> new MemoryPoller("direct", "direct memory", maxDirectMemory(), pool::getMemoryUsed, sink));
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
}
