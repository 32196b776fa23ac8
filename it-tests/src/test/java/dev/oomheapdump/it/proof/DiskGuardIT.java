package dev.oomheapdump.it.proof;

import dev.oomheapdump.core.store.ArtifactStore;
import dev.oomheapdump.it.ChildJvm;
import dev.oomheapdump.it.ChildOutputOnFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import javax.management.Notification;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code minFreeDisk}: a snapshot that would leave less free disk is refused before anything is written, with the
 * sizes; the JVM's hook is disarmed while its dump would not fit (on a small disk, or with a reserve larger than the
 * disk) and armed again when it fits, at a policy change or when space comes free; notifications and one line each
 * in the application's output say so.
 */
@ExtendWith(ChildOutputOnFailure.class)
class DiskGuardIT {

    private static final String TOO_MUCH = "minFreeDisk=1000t";

    @TempDir
    Path dir;

    @TempDir
    Path mountPoint;

    private final List<Notification> notifications = new CopyOnWriteArrayList<>();

    private Remote connect(ChildJvm child) throws Exception {
        Remote remote = Proof.remote(child);
        remote.connection().addNotificationListener(Remote.BEAN, (n, h) -> notifications.add(n), null, null);
        return remote;
    }

    private long notified(String type) {
        return notifications.stream().filter(n -> n.getType().equals("dev.oomheapdump." + type)).count();
    }

    private static long lines(ChildJvm child, String text) {
        return child.lines().stream().filter(l -> l.startsWith("oom-heapdump: ") && l.contains(text)).count();
    }

    @Test
    void aSnapshotThatWouldNotFitIsRefusedWithTheSizesAndLeavesNothing() throws Exception {
        try (ChildJvm child = ChildJvm.builder().heap("64m").agent(TOO_MUCH).directory(dir).start()) {
            Remote remote = connect(child);
            Throwable e = Remote.failure("a snapshot with a reserve of 1000 TiB", () -> remote.createHeapSnapshot("big"));
            assertInstanceOf(IllegalStateException.class, e, e.toString());
            String message = e.getMessage();
            assertTrue(message.startsWith("The heap snapshot " + dir.resolve("big.hprof") + " was refused before "
                    + "anything was written: it needs about "), message);
            assertTrue(message.contains(" of heap in use × 1.3") && message.contains(dir + " has ")
                    && message.contains(" free and minFreeDisk=1000t keeps 1000.0 TiB"), message);
            Map<String, Long> files = Remote.listing(dir);
            files.remove(ArtifactStore.INDEX_NAME);
            assertEquals(Map.of(), files, "nothing written");
            assertFalse(remote.busy(), "the guard is free");
            assertEquals("", remote.currentJob());
            assertEquals(List.of(), remote.artifacts());
            child.await(Duration.ofSeconds(10), "a dump.refused notification").until(() -> notified("dump.refused") == 1);

            remote.applyPolicy("minFreeDisk=0");
            assertEquals(dir.resolve("big.hprof").toString(), remote.createHeapSnapshot("big"), "once it fits, it works");
        }
    }

    @Test
    void theHookIsDisarmedWhileItsDumpWouldNotFitAndArmedAgainAtAPolicyChange() throws Exception {
        try (ChildJvm child = ChildJvm.builder().heap("64m").agent(TOO_MUCH).directory(dir).start()) {
            child.awaitLine("oom-heapdump: the JVM's OOM hook is not armed: its dump would not fit, it needs about ",
                    Duration.ofSeconds(30));
            Remote remote = connect(child);
            assertEquals("false", remote.vmOption("HeapDumpOnOutOfMemoryError"));

            remote.applyPolicy("minFreeDisk=0");
            assertEquals("true", remote.vmOption("HeapDumpOnOutOfMemoryError"), "armed again at once");
            child.await(Duration.ofSeconds(10), "hook.armed").until(() -> notified("hook.armed") == 1);
            child.awaitLine("oom-heapdump: the JVM's OOM hook is armed again: its dump fits", Duration.ofSeconds(10));

            remote.applyPolicy(TOO_MUCH);
            assertEquals("false", remote.vmOption("HeapDumpOnOutOfMemoryError"));
            child.await(Duration.ofSeconds(10), "hook.disarmed").until(() -> notified("hook.disarmed") == 1);
            child.awaitLine("oom-heapdump: the JVM's OOM hook is disarmed: its dump would not fit", Duration.ofSeconds(10));
            assertEquals(1, lines(child, "is armed again: its dump fits"), "one line each, not repeated: " + child.output());
            assertEquals(1, lines(child, "is disarmed"), child.output());
        }
    }

    /** Under GC_MONITORING the monitor's dumps are refused too, each with one line, within {@code limit}. */
    @Test
    void theMonitorsDumpsThatWouldNotFitAreRefusedAndTold() throws Exception {
        try (ChildJvm child = ChildJvm.builder().heap("96m")
                .agent("OOMImplementation=GC_MONITORING,threshold=60,limit=2," + TOO_MUCH).noPort().directory(dir)
                .args("heap", "32", "40").start()) {
            assertEquals(3, child.awaitExit(Duration.ofSeconds(120)), child.output());
            long refused = lines(child, "The OOM dump " + dir + "/OoM-pid-" + child.pid() + ".hprof was refused before "
                    + "anything was written: it needs about ");
            assertTrue(refused >= 1 && refused <= 2, "one line per refused dump, within limit=2: " + child.output());
            assertTrue(child.lines().stream().noneMatch(l -> l.startsWith("Dumping heap to")), "the hook was not armed");
        }
        Map<String, Long> files = Remote.listing(dir);
        files.remove(ArtifactStore.INDEX_NAME);
        assertEquals(Map.of(), files, "nothing written");
    }

    /**
     * A 32 MiB heap, whose hook dump takes about 42 MiB (twice that while JDK 22+ merges), on a disk of 64 MiB (128 MiB
     * on JDK 22+): it fits until a file of someone else's takes 40 MiB (60 MiB), then the hook is disarmed within
     * seconds, and armed again when the file is gone.
     */
    @Test
    void theHookFollowsTheFreeSpaceOfASmallDisk() throws Exception {
        boolean merging = ChildJvm.javaFeature() >= 22;
        onSmallDisk(merging ? "128m" : "64m", dumps -> {
            try (ChildJvm child = ChildJvm.builder().heap("32m").agent("").directory(dumps).start()) {
                Remote remote = connect(child);
                assertEquals("true", remote.vmOption("HeapDumpOnOutOfMemoryError"));
                Path other = mountPoint.resolve("someone-elses.log");
                try (RandomAccessFile file = new RandomAccessFile(other.toFile(), "rw")) {
                    file.write(new byte[(merging ? 60 : 40) << 20]);
                }
                child.await(Duration.ofSeconds(20), "the hook is disarmed")
                        .until(() -> "false".equals(remote.vmOption("HeapDumpOnOutOfMemoryError")));
                child.await(Duration.ofSeconds(10), "hook.disarmed").until(() -> notified("hook.disarmed") == 1);
                Files.delete(other);
                child.await(Duration.ofSeconds(20), "the hook is armed again")
                        .until(() -> "true".equals(remote.vmOption("HeapDumpOnOutOfMemoryError")));
                child.await(Duration.ofSeconds(10), "hook.armed").until(() -> notified("hook.armed") == 1);
            }
        });
    }

    /**
     * A 256 MiB heap over a 16 MiB disk: the hook's dump could never fit, so it is not armed, and the OOM leaves no
     * dump cut off by the full disk (and fills nothing).
     */
    @Test
    void onADiskTooSmallForItsDumpTheHookIsNotArmedAndTheOomLeavesNoCutFile() throws Exception {
        onSmallDisk("16m", dumps -> {
            try (ChildJvm child = ChildJvm.builder().heap("256m").agent("").noPort().directory(dumps)
                    .args("heap", "256", "0").start()) {
                assertEquals(3, child.awaitExit(Duration.ofSeconds(90)), child.output());
                assertEquals(1, lines(child, "the JVM's OOM hook is not armed: its dump would not fit"), child.output());
                assertTrue(child.lines().stream().noneMatch(l -> l.startsWith("Dumping heap to")), child.output());
            }
            Map<String, Long> files = Remote.listing(dumps);
            files.remove(ArtifactStore.INDEX_NAME);
            assertEquals(Map.of(), files, "no dump, no segment, nothing cut off");
        });
    }

    private void onSmallDisk(String size, Mounts.OnDisk body) throws Exception {
        Mounts.onSmallDisk(mountPoint, size, body);
    }
}
