package dev.oomheapdump.it;

import dev.oomheapdump.core.format.HprofFile;
import dev.oomheapdump.core.format.JfrFile;
import dev.oomheapdump.mbean.ArtifactInfo;
import dev.oomheapdump.mbean.OomHeapdumpMXBean;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServerConnection;
import javax.management.Notification;
import javax.management.ObjectName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Heap snapshots, CPU profiles, deletes and the mutex, over real remote JMX against the agent jar. */
@ExtendWith(ChildOutputOnFailure.class)
class RemoteOperationsIT {

    @TempDir
    Path dir;

    @Test
    void snapshotAndProfileOnRequestAreCompleteAndListed() throws Exception {
        try (ChildJvm child = ChildJvm.builder().heap("128m").directory(dir).start()) {
            child.awaitLine("JMX listening on " + child.url(), Duration.ofSeconds(30));
            OomHeapdumpMXBean bean = child.proxy(OomHeapdumpMXBean.class);
            MBeanServerConnection connection = child.connect();
            List<Notification> notifications = new CopyOnWriteArrayList<>();
            connection.addNotificationListener(new ObjectName(ChildJvm.OBJECT_NAME), (n, h) -> notifications.add(n), null, null);

            String snapshot = bean.createHeapSnapshot("remote-snap");
            assertEquals(dir.resolve("remote-snap.hprof").toString(), snapshot);
            assertTrue(HprofFile.check(Path.of(snapshot)).complete());
            assertTrue(HprofFile.classNames(Path.of(snapshot)).contains("dev/oomheapdump/it/app/LeakApp"));

            child.send("spin 3000");
            String profile = bean.createCpuProfile("remote-prof", 1500);
            assertEquals(dir.resolve("remote-prof.jfr").toString(), profile);
            assertTrue(JfrFile.check(Path.of(profile)).complete());
            assertTrue(samplesIn(Path.of(profile), "burnCpu") > 10, "the profile sampled the spinning method");

            assertArrayEquals(new String[]{snapshot}, bean.getHeapSnapshots());
            assertArrayEquals(new String[]{profile}, bean.getCpuProfiles());
            ArtifactInfo[] artifacts = bean.getArtifacts();
            // the profile's flame graph (profileFormats=jfr,html by default) is listed beside it
            assertEquals(List.of("HEAP_SNAPSHOT COMPLETE THIS_RUN", "CPU_PROFILE COMPLETE THIS_RUN",
                            "CPU_PROFILE COMPLETE THIS_RUN"),
                    Arrays.stream(artifacts).map(a -> a.getKind() + " " + a.getState() + " " + a.getOrigin())
                            .collect(java.util.stream.Collectors.toList()));
            assertEquals(Files.size(Path.of(snapshot)), artifacts[0].getBytes());

            child.await(Duration.ofSeconds(10), "file.created notifications").until(() -> notifications.stream()
                    .filter(n -> n.getType().equals("dev.oomheapdump.file.created")).count() == 3);
            Map<?, ?> data = (Map<?, ?>) notifications.stream().filter(n -> n.getType().equals("dev.oomheapdump.file.created"))
                    .findFirst().orElseThrow().getUserData();
            assertEquals(snapshot, data.get("path"));
            assertEquals("COMPLETE", data.get("state"));

            bean.deleteHeapSnapshot("remote-snap");
            assertFalse(Files.exists(Path.of(snapshot)));
            bean.deleteHeapSnapshot("remote-snap");
            Files.delete(Path.of(profile));
            bean.deleteAllCpuProfiles();
            child.await(Duration.ofSeconds(5), "the listing notices the manual removal")
                    .until(() -> bean.getArtifacts().length == 0);
            assertEquals(List.of(dir.resolve(".oom-heapdump-index")), ChildJvm.files(dir));
        }
    }

    @Test
    void theMutexRefusesASecondJobForARemoteClientAndComesBack() throws Exception {
        try (ChildJvm child = ChildJvm.builder().heap("64m").directory(dir).start()) {
            OomHeapdumpMXBean first = child.proxy(OomHeapdumpMXBean.class);
            OomHeapdumpMXBean second = child.proxy(OomHeapdumpMXBean.class);
            CompletableFuture<String> profile = CompletableFuture.supplyAsync(() -> first.createCpuProfile("long", 4000));
            child.await(Duration.ofSeconds(20), "the profile runs").until(second::isBusy);
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> second.createHeapSnapshot("refused"));
            assertTrue(refused.getMessage().startsWith(
                    "A CPU profile or heap snapshot is already being created, please retry later."), refused.getMessage());
            assertTrue(refused.getMessage().contains("Running: CPU profile 'long.jfr' since "), refused.getMessage());
            assertTrue(second.getCurrentJob().startsWith("CPU profile 'long.jfr' since "), second.getCurrentJob());
            assertThrows(IllegalStateException.class, () -> second.createCpuProfile("refused", 100));
            assertTrue(JfrFile.check(Path.of(profile.get(30, TimeUnit.SECONDS))).complete());
            assertFalse(second.isBusy());
            assertEquals("", second.getCurrentJob());
            assertFalse(Files.exists(dir.resolve("refused.hprof")));
            assertTrue(HprofFile.check(Path.of(second.createHeapSnapshot("after"))).complete(), "the guard came back");
        }
    }

    @Test
    void aFailedSnapshotLeavesNothingAndReleasesTheGuard() throws Exception {
        try (ChildJvm child = ChildJvm.builder().heap("64m").directory(dir).start()) {
            OomHeapdumpMXBean bean = child.proxy(OomHeapdumpMXBean.class);
            Files.writeString(dir.resolve("taken.hprof"), "someone else's file");
            IllegalArgumentException exists = assertThrows(IllegalArgumentException.class,
                    () -> bean.createHeapSnapshot("taken"));
            assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());
            assertEquals("someone else's file", Files.readString(dir.resolve("taken.hprof")), "nothing is overwritten");
            IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class,
                    () -> bean.deleteHeapSnapshot("taken"));
            assertTrue(foreign.getMessage().contains("not made by oom-heapdump"), foreign.getMessage());
            assertFalse(bean.isBusy());
        }
    }

    static long samplesIn(Path jfr, String method) throws Exception {
        long count = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(jfr)) {
            if (event.getEventType().getName().equals("jdk.ExecutionSample") && event.getStackTrace() != null) {
                for (RecordedFrame frame : event.getStackTrace().getFrames()) {
                    if (frame.getMethod().getName().equals(method)) {
                        count++;
                        break;
                    }
                }
            }
        }
        return count;
    }
}
