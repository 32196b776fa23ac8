package dev.oomheapdump.core.trigger;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;

import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationFilter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Reports the heap in use after every garbage collection, from the collectors' GC notifications.
 *
 * <p>Works with every HotSpot collector (G1, Parallel, Serial, ZGC, Shenandoah): the heap pools are told
 * apart from non-heap ones by their {@link MemoryType}, not by name. The sink runs on the JVM's
 * notification thread and must return at once. {@link #close()} removes every listener it added.
 */
public final class GcMonitor implements AutoCloseable {

    /**
     * The heap after one collection.
     *
     * @param collector     the collector bean's name ("G1 Young Generation", "ZGC Cycles")
     * @param cause         "G1 Evacuation Pause", "Allocation Failure"...
     * @param usedAfter     bytes in use in the heap pools after the collection
     * @param max           the maximum heap in bytes
     * @param receivedNanos {@link System#nanoTime()} when the notification arrived
     */
    public record Reading(String collector, String cause, long usedAfter, long max, long receivedNanos) {
    }

    private final List<Runnable> cleanup = new ArrayList<>();
    private final Set<String> heapPools;
    private final long maxHeap;

    /** Starts listening; the sink gets one reading per collection. */
    public GcMonitor(Consumer<Reading> sink) {
        heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
        maxHeap = maxHeap();
        NotificationFilter filter = n -> GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType());
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (!(gc instanceof NotificationEmitter)) {
                continue;
            }
            NotificationEmitter emitter = (NotificationEmitter) gc;
            NotificationListener listener = (notification, handback) -> onNotification(notification, sink);
            emitter.addNotificationListener(listener, filter, null);
            cleanup.add(() -> {
                try {
                    emitter.removeNotificationListener(listener, filter, null);
                } catch (ListenerNotFoundException e) {
                    // already gone
                }
            });
        }
    }

    /** The maximum heap: the heap usage's max, or {@link Runtime#maxMemory()} when the JVM has none. */
    public static long maxHeap() {
        long max = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
        return max > 0 ? max : Runtime.getRuntime().maxMemory();
    }

    /** How many collectors this monitor listens to. */
    public int listenerCount() {
        return cleanup.size();
    }

    private void onNotification(Notification notification, Consumer<Reading> sink) {
        try {
            read(notification, sink);
        } catch (RuntimeException | OutOfMemoryError e) {
            // Never let anything escape onto the JVM's notification thread: it serves every listener.
        }
    }

    private void read(Notification notification, Consumer<Reading> sink) {
        long received = System.nanoTime();
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
        GcInfo gcInfo = info.getGcInfo();
        long used = 0;
        boolean sawHeap = false;
        for (Map.Entry<String, MemoryUsage> pool : gcInfo.getMemoryUsageAfterGc().entrySet()) {
            if (heapPools.contains(pool.getKey())) {
                used += pool.getValue().getUsed();
                sawHeap = true;
            }
        }
        if (!sawHeap) {
            return;
        }
        sink.accept(new Reading(info.getGcName(), info.getGcCause(), used, maxHeap, received));
    }

    @Override
    public void close() {
        cleanup.forEach(Runnable::run);
        cleanup.clear();
    }
}
