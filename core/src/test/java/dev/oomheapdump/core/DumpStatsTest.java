package dev.oomheapdump.core;

import dev.oomheapdump.core.trigger.NativeHookArmer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The numbers ops alert on: failed dumps, the last OOM dump, the hook, free disk. */
class DumpStatsTest {

    @TempDir
    Path base;

    private final NativeHookArmer flags = new NativeHookArmer();
    private final String onOomBefore = flags.vmOption(NativeHookArmer.ON_OOM);
    private OomService service;

    @AfterEach
    void close() {
        if (service != null) {
            service.close();
        }
        assertEquals(onOomBefore, flags.vmOption(NativeHookArmer.ON_OOM), "closing restores the JVM's flag");
    }

    @Test
    void failedDumpsAreOomDumpFailuresAndSnapshotWritesThatFailedNothingElse() {
        DumpStats stats = new DumpStats();
        stats.accept(new OomEvent(OomEvent.OOM_DUMP_CREATED, "", Map.of()));
        stats.accept(new OomEvent(OomEvent.JOB_ENDED, "", Map.of("kind", "HEAP_SNAPSHOT", "ok", "true")));
        stats.accept(new OomEvent(OomEvent.JOB_ENDED, "", Map.of("kind", "CPU_PROFILE", "ok", "false")));
        stats.accept(new OomEvent(OomEvent.ANALYSIS_FAILED, "", Map.of()));
        assertEquals(0, stats.failedDumps());
        stats.accept(new OomEvent(OomEvent.OOM_DUMP_FAILED, "", Map.of("reason", "x")));
        stats.accept(new OomEvent(OomEvent.JOB_ENDED, "", Map.of("kind", "HEAP_SNAPSHOT", "ok", "false")));
        assertEquals(2, stats.failedDumps());
    }

    @Test
    void theLastOomDumpIsTheNewestOomDumpListedWhateverItsStateOrRun() {
        assertEquals(0, DumpStats.lastOomDumpMillis(List.of()));
        List<Artifact> listing = List.of(
                artifact("a.hprof", ArtifactKind.OOM_DUMP, 1_000, ArtifactState.COMPLETE, ArtifactOrigin.EARLIER_RUN),
                artifact("b.hprof", ArtifactKind.OOM_DUMP, 3_000, ArtifactState.TRUNCATED, ArtifactOrigin.EARLIER_RUN),
                artifact("c.hprof", ArtifactKind.HEAP_SNAPSHOT, 9_000, ArtifactState.COMPLETE, ArtifactOrigin.THIS_RUN),
                artifact("d.hprof", ArtifactKind.OOM_DUMP, 2_000, ArtifactState.COMPLETE, ArtifactOrigin.THIS_RUN));
        assertEquals(3_000, DumpStats.lastOomDumpMillis(listing));
    }

    @Test
    void theServiceCountsAFailedOomDumpAndShowsAnEarlierRunsOomDumpAfterARestart() throws Exception {
        Path dir = base.resolve("dumps");
        service = OomService.start(OomPolicy.parse("path=crash,directory=" + dir));
        assertTrue(service.hookArmed(), "NATIVE_HOOK arms the JVM's hook");
        assertEquals(0, service.lastOomDumpMillis());
        assertTrue(service.freeDiskBytes() > 0);
        service.onTrapped(new OutOfMemoryError("Direct buffer memory"));
        Artifact dump = service.artifacts().stream().filter(a -> a.kind() == ArtifactKind.OOM_DUMP).findFirst()
                .orElseThrow(() -> new AssertionError("the trapped OOM left no dump: " + service.artifacts()));
        assertEquals(dump.createdMillis(), service.lastOomDumpMillis());
        assertEquals(0, service.failedDumpCount());
        service.close();

        service = OomService.start(OomPolicy.parse("path=crash,directory=" + dir));
        assertEquals(dump.createdMillis(), service.lastOomDumpMillis(), "the earlier run's dump shows after a restart");
        assertEquals(0, service.failedDumpCount(), "counted per JVM run");
        deleteTree(dir);
        Files.writeString(dir, "a file where the dump directory was");
        service.onTrapped(new OutOfMemoryError("Direct buffer memory"));
        assertEquals(1, service.failedDumpCount(), "the dump could not be written");

        service.updatePolicy(service.policy().with("heapdumpOnOOM", "false"));
        assertFalse(service.hookArmed());
    }

    private Artifact artifact(String name, ArtifactKind kind, long created, ArtifactState state,
                                     ArtifactOrigin origin) {
        return new Artifact(base.resolve(name), kind, 1, created, state, origin, "");
    }

    private static void deleteTree(Path dir) throws Exception {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
