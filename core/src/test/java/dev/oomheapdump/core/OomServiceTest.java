package dev.oomheapdump.core;

import dev.oomheapdump.core.format.HprofFile;
import dev.oomheapdump.core.format.JfrFile;
import dev.oomheapdump.core.job.JobGuard;
import dev.oomheapdump.core.trigger.NativeHookArmer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The service in this JVM: the HotSpot flags it arms and restores, its jobs, its events. */
class OomServiceTest {

    @TempDir
    Path dir;

    private final NativeHookArmer flags = new NativeHookArmer();
    private OomService service;
    private String onOomBefore;
    private String pathBefore;

    @BeforeEach
    void baseline() {
        onOomBefore = flags.vmOption(NativeHookArmer.ON_OOM);
        pathBefore = flags.vmOption(NativeHookArmer.PATH);
    }

    @AfterEach
    void close() {
        if (service != null) {
            service.close();
        }
        assertEquals(onOomBefore, flags.vmOption(NativeHookArmer.ON_OOM), "closing restores the JVM's flag");
        assertEquals(pathBefore, flags.vmOption(NativeHookArmer.PATH), "closing restores the JVM's path");
    }

    private OomService start(String options) throws Exception {
        service = OomService.start(OomPolicy.parse(options + (options.isEmpty() ? "" : ",") + "directory=" + dir));
        return service;
    }

    @Test
    void nativeHookArmsTheJvmFlagsOnAFreshFileAndRestoresThem() throws Exception {
        start("path=crash");
        assertEquals("true", flags.vmOption(NativeHookArmer.ON_OOM));
        assertEquals(dir.resolve("crash.hprof").toString(), flags.vmOption(NativeHookArmer.PATH));
        assertEquals(0, service.monitorCount());

        service.updatePolicy(service.policy().with("OOMImplementation", "GC_MONITORING"));
        assertTrue(service.monitorCount() > 0, "monitoring");
        assertEquals("true", flags.vmOption(NativeHookArmer.ON_OOM), "the hook stays armed as the last resort");

        service.updatePolicy(service.policy().with("heapdumpOnOOM", "false"));
        assertEquals(0, service.monitorCount());
        assertEquals(onOomBefore, flags.vmOption(NativeHookArmer.ON_OOM));
        assertEquals(pathBefore, flags.vmOption(NativeHookArmer.PATH));

        service.updatePolicy(service.policy().with("heapdumpOnOOM", "true").with("path", "other"));
        assertEquals(dir.resolve("other.hprof").toString(), flags.vmOption(NativeHookArmer.PATH));
    }

    @Test
    void switchingBackAndForthNeverDoublesTheListeners() throws Exception {
        start("");
        int expected = -1;
        for (int i = 0; i < 20; i++) {
            service.updatePolicy(service.policy().with("OOMImplementation", "GC_MONITORING"));
            int count = service.monitorCount();
            if (expected < 0) {
                expected = count;
            }
            assertEquals(expected, count);
            service.updatePolicy(service.policy().with("OOMImplementation", "NATIVE_HOOK"));
            assertEquals(0, service.monitorCount());
        }
    }

    @Test
    void aSnapshotAndAProfileAreWrittenCompleteAndAnnounced() throws Exception {
        start("heapdumpOnOOM=false");
        List<OomEvent> events = new CopyOnWriteArrayList<>();
        service.addListener(events::add);
        Path snapshot = service.createHeapSnapshot("snap");
        assertEquals(dir.resolve("snap.hprof"), snapshot);
        assertTrue(HprofFile.check(snapshot).complete());
        Path profile = service.createCpuProfile("", Duration.ofMillis(300));
        assertTrue(profile.getFileName().toString().matches("cpuprofile-\\d{8}-\\d{6}-\\d{3}\\.jfr"), profile.toString());
        assertTrue(JfrFile.check(profile).complete());
        // the profile's flame graph (profileFormats=jfr,html by default) is made inside the job
        assertEquals(List.of(OomEvent.JOB_STARTED, OomEvent.FILE_CREATED, OomEvent.JOB_ENDED, OomEvent.JOB_STARTED,
                OomEvent.FILE_CREATED, OomEvent.FILE_CREATED, OomEvent.JOB_ENDED), events.stream().map(OomEvent::type)
                .collect(java.util.stream.Collectors.toList()));
        assertEquals(snapshot.toString(), events.get(1).data().get("path"));
        Path flame = profile.resolveSibling(profile.getFileName().toString().replace(".jfr", ".html"));
        assertEquals(flame.toString(), events.get(5).data().get("path"));
        assertTrue(java.nio.file.Files.readString(flame).contains("</html>"));

        assertTrue(service.deleteHeapSnapshot("snap"));
        assertEquals(OomEvent.FILE_DELETED, events.get(events.size() - 1).type());
        assertTrue(service.deleteCpuProfile(profile.getFileName().toString()), "the recording goes with its flame graph");
        assertFalse(java.nio.file.Files.exists(flame));
        assertEquals(List.of(), service.deleteAllCpuProfiles());
        assertTrue(service.artifacts().isEmpty());
    }

    @Test
    void aSecondJobIsRefusedWhileAProfileRunsAndTheGuardComesBack() throws Exception {
        start("heapdumpOnOOM=false");
        CompletableFuture<Path> profile = CompletableFuture.supplyAsync(() -> {
            try {
                return service.createCpuProfile("long", Duration.ofSeconds(2));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> service.busy());
        IllegalStateException busy = assertThrows(IllegalStateException.class, () -> service.createHeapSnapshot("x"));
        assertTrue(busy.getMessage().startsWith(JobGuard.BUSY_MESSAGE), busy.getMessage());
        assertTrue(busy.getMessage().contains("CPU profile 'long.jfr'"), busy.getMessage());
        assertTrue(JfrFile.check(profile.get(20, TimeUnit.SECONDS)).complete());
        assertFalse(service.busy());
        assertFalse(Files.exists(dir.resolve("x.hprof")));
        assertTrue(HprofFile.check(service.createHeapSnapshot("x")).complete(), "the guard was released");
    }

    @Test
    void badRequestsAreRefusedBeforeAnythingStarts() throws Exception {
        start("heapdumpOnOOM=false");
        service.createHeapSnapshot("taken");
        assertThrows(IllegalArgumentException.class, () -> service.createHeapSnapshot("taken"));
        assertThrows(IllegalArgumentException.class, () -> service.createHeapSnapshot("../outside"));
        assertThrows(IllegalArgumentException.class, () -> service.createCpuProfile("p", Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> service.createCpuProfile("p", Duration.ofHours(2)));
        assertFalse(service.busy());
        assertEquals(1, service.artifacts().size());
    }
}
