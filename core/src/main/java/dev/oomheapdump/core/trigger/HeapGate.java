package dev.oomheapdump.core.trigger;

import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationFilter;
import javax.management.NotificationListener;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryNotificationInfo;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongUnaryOperator;
import java.util.stream.Collectors;

/**
 * Listens to every collection only while the heap is near the next trigger level; below it, the JVM checks a
 * memory-pool threshold natively and says nothing, so the JDK builds no GC notification at all (at 10–20
 * collections a second those cost ≈ 0.3 ms of CPU each on the JDK's notification thread).
 *
 * <p>Which threshold is sound depends on the collector's pools (measured on JDK 17 and 25):
 * <ul>
 *   <li>One heap pool (ZGC on 17, Shenandoah): its collection-usage threshold is the heap after each cycle,
 *   checked after every cycle. Set at the trigger level less a margin.</li>
 *   <li>Generational ZGC (young and old pools): collection-usage thresholds on both, a quarter and three
 *   quarters of the level: when the heap after a cycle reaches the level, one of them is reached.</li>
 *   <li>G1, Parallel, Serial (eden, survivor, old): the old pool's collection usage is refreshed only by mixed
 *   or full collections, seconds late or never, so its <em>usage</em> threshold is used instead, which the JVM
 *   checks after every collection, young ones included: the level less a margin for survivor space, and never
 *   above the old pool's own maximum (Parallel's and Serial's is two thirds of the heap).</li>
 *   <li>Anything else, or a pool whose threshold someone else already uses: every collection is listened to.</li>
 * </ul>
 * When a threshold is crossed, the heap as it is right after that collection is handed on at once (the
 * reaction is not delayed to the next collection) and every collection is listened to until one ends below the
 * gate again. {@link #close()} removes every listener and sets the thresholds back to 0 (off).
 */
final class HeapGate implements AutoCloseable {

    /** Below the trigger level by this share of the heap, the gate opens (survivor space, hysteresis). */
    static final int MARGIN_PERCENT = 10;

    enum Layout { SINGLE_POOL, GENERATIONAL_ZGC, YOUNG_AND_OLD, EVERY_COLLECTION }

    private final Consumer<GcMonitor.Reading> sink;
    private final LongUnaryOperator level;
    private final long maxHeap;
    private final List<MemoryPoolMXBean> heapPools;
    private final Layout layout;
    private final MemoryPoolMXBean old;
    private final MemoryPoolMXBean young;
    private final NotificationEmitter memory = (NotificationEmitter) ManagementFactory.getMemoryMXBean();
    private final NotificationListener listener = (n, handback) -> onThreshold(n);
    private final NotificationFilter filter = n -> n.getType().equals(MemoryNotificationInfo.MEMORY_THRESHOLD_EXCEEDED)
            || n.getType().equals(MemoryNotificationInfo.MEMORY_COLLECTION_THRESHOLD_EXCEEDED);
    /** Guarded by this: the monitor while the gate is open. */
    private GcMonitor open;
    private boolean closed;

    /**
     * Arms the thresholds (or opens for good when none is sound here).
     *
     * @param sink  gets a reading after each collection while open, and one when a threshold is crossed
     * @param level the heap in use, in bytes, at which the next dump comes, given the maximum heap
     */
    HeapGate(Consumer<GcMonitor.Reading> sink, LongUnaryOperator level) {
        this.sink = sink;
        this.level = level;
        this.maxHeap = GcMonitor.maxHeap();
        this.heapPools = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .collect(Collectors.toList());
        MemoryPoolMXBean oldPool = null;
        MemoryPoolMXBean youngPool = null;
        for (MemoryPoolMXBean pool : heapPools) {
            String name = pool.getName().toLowerCase(Locale.ROOT);
            if (name.contains("old") || name.contains("tenured")) {
                oldPool = pool;
            } else if (name.contains("young")) {
                youngPool = pool;
            }
        }
        this.old = oldPool;
        this.young = youngPool;
        this.layout = classify(heapPools, oldPool, youngPool);
        if (layout == Layout.EVERY_COLLECTION) {
            open = new GcMonitor(sink);
        } else {
            memory.addNotificationListener(listener, filter, null);
            armOrOpen(level.applyAsLong(maxHeap));
        }
    }

    private static Layout classify(List<MemoryPoolMXBean> pools, MemoryPoolMXBean old, MemoryPoolMXBean young) {
        for (MemoryPoolMXBean pool : pools) {
            if ((pool.isUsageThresholdSupported() && pool.getUsageThreshold() != 0)
                    || (pool.isCollectionUsageThresholdSupported() && pool.getCollectionUsageThreshold() != 0)) {
                return Layout.EVERY_COLLECTION; // someone else's thresholds: leave them be
            }
        }
        if (pools.size() == 1 && pools.get(0).isCollectionUsageThresholdSupported()) {
            return Layout.SINGLE_POOL;
        }
        if (pools.size() == 2 && old != null && young != null && old.isCollectionUsageThresholdSupported()
                && young.isCollectionUsageThresholdSupported()) {
            return Layout.GENERATIONAL_ZGC;
        }
        if (old != null && young == null && old.isUsageThresholdSupported()) {
            return Layout.YOUNG_AND_OLD;
        }
        return Layout.EVERY_COLLECTION;
    }

    Layout layout() {
        return layout;
    }

    /**
     * Sets the thresholds for the current level; called when the level moves. The level is asked for before this
     * gate's lock is taken: its owner holds its own lock while it closes the gate.
     */
    void rearm() {
        if (layout != Layout.EVERY_COLLECTION) {
            armOrOpen(level.applyAsLong(maxHeap));
        }
    }

    /**
     * Arms the thresholds, and opens at once when the heap is above the gate already: a threshold the JVM saw
     * crossed before (by an earlier gate, before a policy change) stays "exceeded" until the heap falls below
     * it, and would not tell again.
     */
    private void armOrOpen(long next) {
        GcMonitor.Reading now = null;
        synchronized (this) {
            if (closed || open != null) {
                return;
            }
            arm(next);
            long used = heapAfterCollection();
            if (used >= gateLevel(next)) {
                open = new GcMonitor(this::onCollection);
                now = new GcMonitor.Reading("a collection", "the heap was above the gate when it was armed", used,
                        maxHeap, System.nanoTime());
            }
        }
        if (now != null) {
            sink.accept(now);
        }
    }

    /** The heap in use below which the gate is closed, for a trigger level of {@code next} bytes. */
    private long gateLevel(long next) {
        long margin = maxHeap / 100 * MARGIN_PERCENT;
        if (layout == Layout.YOUNG_AND_OLD) {
            long oldMax = old.getUsage().getMax();
            return Math.max(1, (oldMax > 0 ? Math.min(next, oldMax) : next) - margin);
        }
        return Math.max(4, next - margin);
    }

    /** Guarded by this. */
    private void arm(long next) {
        long gate = gateLevel(next);
        switch (layout) {
            case SINGLE_POOL:
                heapPools.get(0).setCollectionUsageThreshold(capped(heapPools.get(0), gate));
                break;
            case GENERATIONAL_ZGC:
                young.setCollectionUsageThreshold(capped(young, gate / 4));
                old.setCollectionUsageThreshold(capped(old, gate - gate / 4));
                break;
            default:
                old.setUsageThreshold(gate);
                break;
        }
    }

    private static long capped(MemoryPoolMXBean pool, long threshold) {
        long max = pool.getUsage().getMax();
        return max > 0 ? Math.min(threshold, max) : threshold;
    }

    /** On the JVM's notification thread: a threshold was crossed. */
    private void onThreshold(javax.management.Notification notification) {
        try {
            long received = System.nanoTime();
            String type = notification.getType();
            String pool = MemoryNotificationInfo.from((javax.management.openmbean.CompositeData) notification.getUserData())
                    .getPoolName();
            if (heapPools.stream().noneMatch(p -> p.getName().equals(pool))) {
                return; // a threshold of the application's own, on another pool
            }
            GcMonitor.Reading now;
            synchronized (this) {
                if (closed || open != null) {
                    return;
                }
                open = new GcMonitor(this::onCollection);
                now = new GcMonitor.Reading("a collection", "the heap crossed its " + (type.equals(
                        MemoryNotificationInfo.MEMORY_THRESHOLD_EXCEEDED) ? "usage" : "collection-usage") + " threshold",
                        heapAfterCollection(), maxHeap, received);
            }
            sink.accept(now);
        } catch (RuntimeException | OutOfMemoryError e) {
            // never onto the JVM's notification thread; the next crossing or collection tries again
        }
    }

    /** The heap right after the collection that crossed a threshold. */
    private long heapAfterCollection() {
        long used = 0;
        for (MemoryPoolMXBean pool : heapPools) {
            if (layout == Layout.YOUNG_AND_OLD) {
                // eden is empty after the collection and only fills again: what the collection left is the rest
                if (!pool.getName().toLowerCase(Locale.ROOT).contains("eden")) {
                    used += pool.getUsage().getUsed();
                }
            } else {
                MemoryUsage after = pool.getCollectionUsage();
                used += after == null ? pool.getUsage().getUsed() : after.getUsed();
            }
        }
        return used;
    }

    void onCollection(GcMonitor.Reading reading) {
        sink.accept(reading);
        long next = level.applyAsLong(maxHeap);
        synchronized (this) {
            if (closed || open == null || reading.usedAfter() >= gateLevel(next)) {
                return;
            }
            open.close();
            open = null;
        }
        // A collection's notification can arrive late, behind the threshold's, and tell of a heap long gone: if the
        // heap is above the gate now, the threshold (already seen crossed) would never tell again, so reopen.
        armOrOpen(next);
    }

    /** True while every collection is listened to. */
    synchronized boolean isOpen() {
        return open != null;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (open != null) {
            open.close();
            open = null;
        }
        if (layout == Layout.EVERY_COLLECTION) {
            return;
        }
        try {
            memory.removeNotificationListener(listener, filter, null);
        } catch (ListenerNotFoundException e) {
            // already gone
        }
        for (MemoryPoolMXBean pool : heapPools) {
            if (pool.isUsageThresholdSupported()) {
                pool.setUsageThreshold(0);
            }
            if (pool.isCollectionUsageThresholdSupported()) {
                pool.setCollectionUsageThreshold(0);
            }
        }
    }
}
