package dev.oomheapdump.core.trigger;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GcMonitorTest {

    @Test
    void aCollectionIsReportedWithTheHeapInUseAndTheMaximum() {
        List<GcMonitor.Reading> readings = new CopyOnWriteArrayList<>();
        try (GcMonitor monitor = new GcMonitor(readings::add)) {
            assertTrue(monitor.listenerCount() > 0, "every collector of this JVM is listened to");
            System.gc();
            await().atMost(Duration.ofSeconds(10)).until(() -> !readings.isEmpty());
            GcMonitor.Reading reading = readings.get(0);
            assertEquals(GcMonitor.maxHeap(), reading.max());
            assertTrue(reading.usedAfter() > 0 && reading.usedAfter() <= reading.max(), reading.toString());
            assertTrue(reading.cause().contains("System.gc()"), reading.toString());
        }
    }

    @Test
    void afterCloseNoReadingArrives() throws Exception {
        List<GcMonitor.Reading> readings = new CopyOnWriteArrayList<>();
        GcMonitor monitor = new GcMonitor(readings::add);
        monitor.close();
        assertEquals(0, monitor.listenerCount());
        System.gc();
        // a notification is delivered within milliseconds; a control listener proves this one would have come
        List<GcMonitor.Reading> control = new CopyOnWriteArrayList<>();
        try (GcMonitor other = new GcMonitor(control::add)) {
            System.gc();
            await().atMost(Duration.ofSeconds(10)).until(() -> !control.isEmpty());
        }
        assertEquals(List.of(), readings);
    }
}
