package dev.oomheapdump.core.trigger;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Watches the process's resident memory against the memory the JVM may use on this machine: the container's
 * memory limit when there is one (the JDK reads the cgroup), else the machine's memory. A JVM whose
 * {@code -Xmx} exceeds its container's limit is killed by the kernel long before its heap reaches
 * {@code threshold} % of its maximum: no GC notification, no OutOfMemoryError, no hook. This watch dumps
 * while there is still time.
 *
 * <p>It runs only where that can happen: when the memory available is below the maximum heap plus the
 * maximum direct memory. It reads {@code /proc/self/status} every 100 ms (Linux only).
 */
public final class ProcessMemoryMonitor {

    private static final String STATUS = "/proc/self/status";

    private ProcessMemoryMonitor() {
    }

    /** Starts watching when the process can outgrow its memory before its heap is full; empty otherwise. */
    static Optional<MemoryPoller> startIfNeeded(MemoryPoller.Sink sink) {
        long total = totalMemory();
        if (total <= 0 || residentBytes() < 0) {
            return Optional.empty();
        }
        long mayUse = GcMonitor.maxHeap() + DirectMemoryMonitor.maxDirectMemory();
        return total < mayUse ? Optional.of(new MemoryPoller("process", "process memory (resident, against the "
                + "container's limit)", total, ProcessMemoryMonitor::residentBytes, sink)) : Optional.empty();
    }

    /** The memory the JVM may use here: the container's limit, else the machine's memory; 0 when unknown. */
    public static long totalMemory() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            return ((com.sun.management.OperatingSystemMXBean) os).getTotalMemorySize();
        }
        return 0;
    }

    /** The process's resident set size in bytes, from {@code VmRSS}; -1 when unreadable (not Linux). */
    public static long residentBytes() {
        byte[] buffer = new byte[4096];
        int n;
        try (RandomAccessFile file = new RandomAccessFile(STATUS, "r")) {
            n = file.read(buffer);
        } catch (IOException e) {
            return -1;
        }
        if (n <= 0) {
            return -1;
        }
        return vmRssBytes(new String(buffer, 0, n, StandardCharsets.US_ASCII));
    }

    /** {@code VmRSS} of a {@code /proc/<pid>/status} text, in bytes; -1 when it has none. */
    static long vmRssBytes(String status) {
        int at = status.indexOf("VmRSS:");
        if (at < 0) {
            return -1;
        }
        long kb = 0;
        boolean digits = false;
        for (int i = at + 6; i < status.length(); i++) {
            char c = status.charAt(i);
            if (c >= '0' && c <= '9') {
                kb = kb * 10 + (c - '0');
                digits = true;
            } else if (digits || c == '\n') {
                break;
            }
        }
        return digits ? kb * 1024 : -1;
    }
}
