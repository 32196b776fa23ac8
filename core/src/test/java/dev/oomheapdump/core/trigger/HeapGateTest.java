package dev.oomheapdump.core.trigger;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gate in this JVM (the build's collector, G1 by default): closed below the level with a threshold armed,
 * open once the heap crosses it, closed again when a collection ends below, and nothing left after close.
 */
public class HeapGateTest {

    @Test
    void theGateOpensWhenTheHeapCrossesTheLevelAndClosesBelowIt() {
        long max = GcMonitor.maxHeap();
        long margin = max / 100 * HeapGate.MARGIN_PERCENT;
        AtomicLong level = new AtomicLong(max); // unreachable: stays closed
        List<GcMonitor.Reading> readings = new CopyOnWriteArrayList<>();
        HeapGate gate = new HeapGate(readings::add, m -> level.get());
        List<byte[]> retained = new ArrayList<>();
        try {
            assertNotEquals(HeapGate.Layout.EVERY_COLLECTION, gate.layout(), "this JVM's collector has a sound threshold");
            assertFalse(gate.isOpen());
            assertTrue(armedThresholds() > 0, "the JVM checks a threshold itself");
            System.gc();
            assertEquals(List.of(), readings, "below the level nothing is listened to");

            // a level 16 MiB above what the heap holds now (after the gate's margin); then 48 MiB more are kept
            System.gc();
            level.set(heapInUse() + (16 << 20) + margin);
            gate.rearm();
            assertFalse(gate.isOpen());
            for (int i = 0; i < 48; i++) {
                retained.add(new byte[1 << 20]);
            }
            System.gc();
            await().atMost(Duration.ofSeconds(10)).alias("the threshold's notification opens the gate").until(gate::isOpen);
            await().atMost(Duration.ofSeconds(10)).until(() -> !readings.isEmpty());
            GcMonitor.Reading crossing = readings.get(0);
            assertTrue(crossing.cause().contains("crossed its"), crossing.toString());
            assertTrue(crossing.usedAfter() >= level.get() - margin, crossing + " is at the level");

            retained.clear();
            level.set(max); // the next dump is far above: a collection below closes the gate
            System.gc();
            await().atMost(Duration.ofSeconds(10)).alias("a collection below closes the gate").until(() -> !gate.isOpen());

            level.set(1); // a gate armed below what the heap holds opens at once
            gate.rearm();
            assertTrue(gate.isOpen());
            assertTrue(readings.get(readings.size() - 1).cause().contains("above the gate"), readings.toString());
        } finally {
            gate.close();
        }
        assertEquals(0, armedThresholds(), "close sets the thresholds back to off");
    }

    @Test
    void aLateNotificationOfAnOldSmallHeapDoesNotLeaveTheGateClosedAboveItsThreshold() {
        List<GcMonitor.Reading> readings = new CopyOnWriteArrayList<>();
        HeapGate gate = new HeapGate(readings::add, m -> 1); // anything in use is above the gate
        try {
            assertTrue(gate.isOpen(), "armed below what the heap holds: open at once");
            // the notification of a collection long before, when the heap was small, arrives now
            gate.onCollection(new GcMonitor.Reading("G1 Young Generation", "late", 0, GcMonitor.maxHeap(),
                    System.nanoTime()));
            assertTrue(gate.isOpen(), "the heap is above the gate now: the threshold, seen crossed, would never tell");
        } finally {
            gate.close();
        }
    }

    /** The heap in use without eden, as the gate reads it right after a collection. */
    private static long heapInUse() {
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && !pool.getName().toLowerCase(java.util.Locale.ROOT).contains("eden")) {
                used += pool.getUsage().getUsed();
            }
        }
        return used;
    }

    /** How many heap pools have a usage or collection-usage threshold set. */
    public static long armedThresholds() {
        long armed = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() != MemoryType.HEAP) {
                continue;
            }
            if (pool.isUsageThresholdSupported() && pool.getUsageThreshold() > 0) {
                armed++;
            }
            if (pool.isCollectionUsageThresholdSupported() && pool.getCollectionUsageThreshold() > 0) {
                armed++;
            }
        }
        return armed;
    }
}
