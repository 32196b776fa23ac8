package dev.oomheapdump.it.proof;

import dev.oomheapdump.it.ChildJvm;
import dev.oomheapdump.it.ChildOutputOnFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import javax.management.Notification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code maxDumps} and {@code maxBytes} in a real JVM: after a new file (a snapshot over JMX, the JVM's own OOM
 * dump) or a policy change, the oldest snapshots go first; the newest OOM dump stays, and so does a file being
 * fetched over JMX; each deletion is notified with its reason.
 */
@ExtendWith(ChildOutputOnFailure.class)
class RetentionIT {

    @TempDir
    Path dir;

    private final List<Notification> notifications = new CopyOnWriteArrayList<>();

    private Remote connect(ChildJvm child) {
        Remote remote = Proof.remote(child);
        try {
            remote.connection().addNotificationListener(Remote.BEAN, (n, h) -> notifications.add(n), null, null);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return remote;
    }

    /** Snapshots of these names, one after the other. */
    private static void snapshots(Remote remote, String... names) {
        for (String name : names) {
            remote.createHeapSnapshot(name);
        }
    }

    /** The listed heap dumps' file names, oldest first. */
    private static List<String> dumps(Remote remote) {
        return remote.artifacts().stream().filter(a -> !"HEAP_REPORT".equals(a.get("kind")))
                .map(a -> Path.of((String) a.get("path")).getFileName().toString()).collect(Collectors.toList());
    }

    private void awaitDumps(ChildJvm child, Remote remote, List<String> expected) {
        child.await(Duration.ofSeconds(20), "the listed dumps are " + expected).until(() -> dumps(remote).equals(expected));
        for (String name : expected) {
            assertTrue(Files.exists(dir.resolve(name)), name);
        }
    }

    /** The reason of the file's deletion, once its notification came (JMX delivers it after the listing changed). */
    private String deletionReason(ChildJvm child, String name) {
        child.await(Duration.ofSeconds(30), "the deletion of " + name + " notified")
                .until(() -> notifiedReason(name).isPresent());
        return notifiedReason(name).orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private java.util.Optional<String> notifiedReason(String name) {
        return notifications.stream().filter(n -> n.getType().equals("dev.oomheapdump.file.deleted"))
                .map(n -> (Map<String, String>) n.getUserData())
                .filter(d -> d.get("path").equals(dir.resolve(name).toString())).map(d -> d.get("reason"))
                .findFirst();
    }

    @Test
    void overMaxDumpsTheOldestSnapshotsGoAndTheOomDumpStays() throws Exception {
        try (ChildJvm child = ChildJvm.builder().heap("64m").agent("maxDumps=2,path=crash").directory(dir).start()) {
            Remote remote = connect(child);
            snapshots(remote, "s1", "s2");
            child.send("swallow 64 0"); // the JVM's hook dumps the OOM, the application catches it and lives on
            child.awaitLine("SWALLOWED", Duration.ofSeconds(60));
            awaitDumps(child, remote, List.of("s2.hprof", "crash.hprof"));
            assertEquals("retention: maxDumps=2", deletionReason(child, "s1.hprof"));

            remote.createHeapSnapshot("s3");
            awaitDumps(child, remote, List.of("crash.hprof", "s3.hprof"));
            remote.createHeapSnapshot("s4");
            awaitDumps(child, remote, List.of("crash.hprof", "s4.hprof"));
            assertEquals("retention: maxDumps=2", deletionReason(child, "s3.hprof"), "a snapshot, never the OOM dump");
            assertEquals(List.of("crash.hprof", "s4.hprof"), Files.list(dir).map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".")).sorted().collect(Collectors.toList()), "and on disk");
        }
    }

    @Test
    void overMaxBytesSetAtRuntimeTheOldestSnapshotGoes() throws Exception {
        try (ChildJvm child = ChildJvm.builder().heap("64m").agent("heapdumpOnOOM=false").directory(dir).start()) {
            Remote remote = connect(child);
            snapshots(remote, "a", "b", "c");
            long kept = Files.size(dir.resolve("b.hprof")) + Files.size(dir.resolve("c.hprof"));
            remote.applyPolicy("maxBytes=" + (kept + Files.size(dir.resolve("c.hprof")) / 2));
            awaitDumps(child, remote, List.of("b.hprof", "c.hprof"));
            assertTrue(deletionReason(child, "a.hprof").startsWith("retention: maxBytes="), deletionReason(child, "a.hprof"));
        }
    }

    @Test
    void aSnapshotBeingFetchedStaysAndTheNextOneGoesInstead() throws Exception {
        try (ChildJvm child = ChildJvm.builder().heap("64m").agent("heapdumpOnOOM=false").directory(dir).start()) {
            Remote remote = connect(child);
            snapshots(remote, "fetched", "b", "c");
            assertEquals(16, remote.readArtifact("fetched", 0, 16).length);
            remote.applyPolicy("maxDumps=1");
            awaitDumps(child, remote, List.of("fetched.hprof"));
            assertEquals("retention: maxDumps=1", deletionReason(child, "b.hprof"));
            assertEquals("retention: maxDumps=1", deletionReason(child, "c.hprof"));
        }
    }
}
