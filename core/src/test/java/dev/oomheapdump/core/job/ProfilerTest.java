package dev.oomheapdump.core.job;

import dev.oomheapdump.core.ArtifactKind;
import dev.oomheapdump.core.ProfileEvent;
import dev.oomheapdump.core.ProfileFormat;
import dev.oomheapdump.core.format.JfrFile;
import dev.oomheapdump.core.format.ProfileViews;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProfilerTest {

    private static ProfileWorkload workload;

    @TempDir
    Path dir;

    @BeforeAll
    static void startWorkload() {
        workload = new ProfileWorkload().start();
    }

    @AfterAll
    static void stopWorkload() throws InterruptedException {
        workload.close();
    }

    private Profiler.Recorded record(Path file, ProfileEvent event, boolean jfrOnly) throws Exception {
        try (JobGuard.Ticket ticket = new JobGuard().tryAcquire(ArtifactKind.CPU_PROFILE, file.getFileName().toString())) {
            return new Profiler(dir).record(file, event, Duration.ofSeconds(2), ticket, jfrOnly);
        }
    }

    @ParameterizedTest(name = "{0} with {1}")
    @CsvSource({"cpu,ASYNC_PROFILER,spin", "wall,ASYNC_PROFILER,sleep", "alloc,ASYNC_PROFILER,allocate",
            "lock,ASYNC_PROFILER,contend", "cpu,JFR,spin", "alloc,JFR,allocate", "lock,JFR,contend"})
    void eachEventNamesItsMethodAtTheTop(String eventName, Profiler.Engine engine, String expected) throws Exception {
        ProfileEvent event = ProfileEvent.parse(eventName);
        Path file = dir.resolve(eventName + ".jfr");
        Profiler.Recorded recorded = record(file, event, engine == Profiler.Engine.JFR);
        assertEquals(engine, recorded.engine(), "engine");
        assertFalse(recorded.early());
        if (event == ProfileEvent.CPU && engine == Profiler.Engine.ASYNC_PROFILER) {
            assertEquals(!recorded.sampler().equals("perf_events"), recorded.fallback().isPresent(),
                    "a sampler other than perf events is told: " + recorded);
        }
        assertTrue(JfrFile.check(file).complete(), JfrFile.check(file).reason());

        Path collapsed = dir.resolve(eventName + ".collapsed");
        ProfileViews.write(file, event, ProfileFormat.COLLAPSED, collapsed, "test");
        List<String> lines = Files.readAllLines(collapsed);
        Map<String, Long> weights = ProfileWorkload.weights(lines);
        if (event == ProfileEvent.WALL) {
            // wall clock samples every thread alike: the sleeping thread shows, as much as any other thread
            long sleep = weights.getOrDefault("sleep", 0L);
            long total = weights.values().stream().mapToLong(Long::longValue).sum();
            assertTrue(sleep * 8 > total, "the sleeping method is a fair share of wall time: " + weights);
        } else {
            assertEquals(expected, ProfileWorkload.heaviest(lines), "heaviest workload method: " + weights);
        }
        assertEquals(ProfileEvent.CPU == event || engine == Profiler.Engine.ASYNC_PROFILER
                ? java.util.Optional.of(event) : ProfileViews.recordedEvent(file), ProfileViews.recordedEvent(file));
    }

    @Test
    void jfrRecordingsSayWhereTheyWereMade() throws Exception {
        for (boolean jfrOnly : new boolean[]{false, true}) {
            Path file = dir.resolve("env-" + jfrOnly + ".jfr");
            record(file, ProfileEvent.CPU, jfrOnly);
            Set<String> types = new HashSet<>();
            for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                types.add(e.getEventType().getName());
            }
            for (String expected : List.of("jdk.JVMInformation", "jdk.OSInformation", "jdk.CPUInformation",
                    "jdk.ActiveSetting", "jdk.InitialSystemProperty", "jdk.ExecutionSample")) {
                assertTrue(types.contains(expected), (jfrOnly ? "JFR" : "async-profiler") + " recording has " + expected
                        + ": " + types);
            }
        }
    }

    @Test
    void wallClockUnderJfrIsRefusedSayingWhy() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> record(dir.resolve("wall.jfr"), ProfileEvent.WALL, true));
        assertTrue(e.getMessage().contains("wall-clock") && e.getMessage().contains("profiler=jfr"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("wall.jfr")), "nothing written");
    }

    @Test
    void anOomDumpEndsTheProfileEarlyAndItIsKept() throws Exception {
        for (boolean jfrOnly : new boolean[]{false, true}) {
            JobGuard guard = new JobGuard();
            Path file = dir.resolve("early-" + jfrOnly + ".jfr");
            JobGuard.Ticket ticket = guard.tryAcquire(ArtifactKind.CPU_PROFILE, file.getFileName().toString());
            CompletableFuture<Profiler.Recorded> early = CompletableFuture.supplyAsync(() -> {
                try {
                    return new Profiler(dir).record(file, ProfileEvent.CPU, Duration.ofMinutes(5), ticket, jfrOnly);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            ticket.preempt();
            assertTrue(early.get(30, TimeUnit.SECONDS).early(), "ended early");
            ticket.close();
            assertTrue(JfrFile.check(file).complete(), "what was recorded is kept");
        }
    }

    @Test
    void aDurationOutOfRangeIsRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Profiler.checkDuration(0));
        assertTrue(e.getMessage().contains("0 ms"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Profiler.checkDuration(3_600_001));
    }

    @Test
    void anUnknownEventIsRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProfileEvent.parse("heap"));
        assertTrue(e.getMessage().contains("'heap'") && e.getMessage().contains("cpu, wall, alloc, lock"), e.getMessage());
    }
}
