package dev.oomheapdump.core.trigger;

import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.OomEvents;
import dev.oomheapdump.core.OomPolicy;
import dev.oomheapdump.core.store.ArtifactStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trigger decisions with fake readings, a fake JVM flag bean and a fake writer: escalation, the limit across
 * the hook, the monitor and the trap, and the all-or-nothing policy change.
 */
class OomTriggersTest {

    @TempDir
    Path dir;

    private final FakeHotSpot hotspot = new FakeHotSpot();
    private final List<String> written = new CopyOnWriteArrayList<>();
    private final AtomicInteger monitorsOpen = new AtomicInteger();
    private OomTriggers triggers;

    private OomTriggers start(String options, OomTriggers.MonitorFactory monitors) throws Exception {
        OomPolicy policy = OomPolicy.parse(options + ",directory=" + dir);
        triggers = new OomTriggers(policy, new ArtifactStore(dir), this::write, new NativeHookArmer(hotspot), monitors,
                new OomEvents(), Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC));
        triggers.apply(policy);
        return triggers;
    }

    private OomTriggers start(String options) throws Exception {
        return start(options, t -> {
            monitorsOpen.incrementAndGet();
            return List.of(monitorsOpen::decrementAndGet);
        });
    }

    private Optional<Artifact> write(String fileName, String reason, Map<String, String> details) {
        written.add(reason);
        return Optional.empty();
    }

    @AfterEach
    void close() {
        if (triggers != null) {
            triggers.close();
        }
    }

    private void reading(long used) {
        int before = written.size();
        triggers.consider("heap", used, 1000, System.nanoTime(), () -> "heap at " + used);
        // a decision to dump is carried out on the dump thread; wait until it is done or certainly not coming
        await().atMost(Duration.ofSeconds(5)).until(() -> !triggers.dumpPending());
        assertTrue(written.size() - before <= 1);
    }

    @Test
    void monitorDumpsEscalateTowardsTheMaximumAndStopAtTheLimit() throws Exception {
        start("OOMImplementation=GC_MONITORING,threshold=70,limit=3");
        reading(690);
        assertEquals(List.of(), written);
        reading(700);
        reading(800);
        reading(849);
        assertEquals(List.of("heap at 700"), written, "the second waits for half way to the maximum");
        reading(850);
        reading(925);
        reading(1000);
        assertEquals(List.of("heap at 700", "heap at 850", "heap at 925"), written);
        assertEquals(3, triggers.count());
        assertFalse(hotspot.armed(), "the last slot disarms the JVM's hook: it must not add a fourth");
    }

    @Test
    void theHooksDumpTakesASlotAndTheTrapStopsAtTheLimit() throws Exception {
        start("limit=2");
        assertTrue(hotspot.armed());
        Path hookFile = Path.of(hotspot.options.get(NativeHookArmer.PATH));
        Files.write(hookFile, new byte[]{1}); // the JVM's hook fired
        triggers.onTrapped(new OutOfMemoryError("Direct buffer memory"));
        triggers.onTrapped(new OutOfMemoryError("Direct buffer memory"));
        assertEquals(1, written.size(), "the hook's dump and one trapped dump make the limit of 2");
        assertEquals(2, triggers.count());
        assertFalse(hotspot.armed());
    }

    @Test
    void underTheDefaultPolicyTrappedErrorsLeaveTheArmedHookItsSlot() throws Exception {
        start("limit=3");
        for (int i = 0; i < 5; i++) {
            triggers.onTrapped(new OutOfMemoryError("unable to create native thread: possibly out of memory"));
        }
        assertEquals(2, written.size(), "two trapped dumps, the third slot is the hook's");
        assertTrue(written.get(0).startsWith("OutOfMemoryError: unable to create native thread"), written.get(0));
        assertTrue(hotspot.armed(), "the heap OOM that kills the process is still dumped");
        Files.write(Path.of(hotspot.options.get(NativeHookArmer.PATH)), new byte[]{1}); // and it fires
        triggers.onTrapped(new OutOfMemoryError("Direct buffer memory"));
        assertEquals(3, triggers.count());
        assertEquals(2, written.size(), "the limit holds after the hook's dump");
    }

    @Test
    void underGcMonitoringTrappedErrorsTakeEverySlotAndTheLastDisarmsTheHook() throws Exception {
        start("OOMImplementation=GC_MONITORING,limit=3");
        for (int i = 0; i < 5; i++) {
            triggers.onTrapped(new OutOfMemoryError("Direct buffer memory"));
        }
        assertEquals(3, written.size());
        assertFalse(hotspot.armed());
    }

    @Test
    void nothingIsTrappedWhenDumpsAreOff() throws Exception {
        start("heapdumpOnOOM=false");
        triggers.onTrapped(new OutOfMemoryError("Direct buffer memory"));
        assertEquals(List.of(), written);
        assertEquals(0, triggers.count());
    }

    @Test
    void aMonitorThatFailsToStartLeavesThePreviousPolicyInForce() throws Exception {
        start("", t -> {
            throw new IllegalStateException("no notification emitter");
        });
        List<String> flagsBefore = new ArrayList<>(hotspot.options.values());
        OomPolicy monitoring = OomPolicy.parse("OOMImplementation=GC_MONITORING,directory=" + dir);
        assertThrows(IllegalStateException.class, () -> triggers.apply(monitoring));
        assertEquals(0, triggers.monitorCount());
        assertEquals(flagsBefore, new ArrayList<>(hotspot.options.values()));
        triggers.onTrapped(new OutOfMemoryError("Direct buffer memory"));
        assertEquals(1, written.size(), "the previous policy still dumps");
    }

    @Test
    void closingStopsTheMonitorsAndRestoresTheFlags() throws Exception {
        start("OOMImplementation=GC_MONITORING");
        assertEquals(1, monitorsOpen.get());
        assertTrue(hotspot.armed());
        triggers.close();
        assertEquals(0, monitorsOpen.get());
        assertEquals(Map.of(NativeHookArmer.ON_OOM, "false", NativeHookArmer.PATH, "", NativeHookArmer.GZIP_LEVEL, "0"),
                Map.copyOf(hotspot.options));
        triggers.consider("heap", 1000, 1000, System.nanoTime(), () -> "after close");
        assertEquals(List.of(), written);
    }
}
