package dev.oomheapdump.it.proof;

import dev.oomheapdump.core.store.ArtifactStore;
import dev.oomheapdump.core.format.HprofFile;
import dev.oomheapdump.core.format.JfrFile;
import dev.oomheapdump.it.ChildJvm;
import dev.oomheapdump.it.ChildOutputOnFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A heap snapshot bigger than the free disk fails with a clear {@link IllegalStateException} at the JMX
 * caller (refused before it starts by the disk guard, or failing when the disk fills up), leaves nothing behind
 * (no temporary file, no segment, no final file), frees the job guard, and the next requests work. The disk is a
 * small tmpfs; without the right to mount one the tests are skipped.
 */
@ExtendWith(ChildOutputOnFailure.class)
class DiskFullIT {

    @TempDir
    Path mountPoint;

    private void onSmallDisk(String size, Mounts.OnDisk body) throws Exception {
        Mounts.onSmallDisk(mountPoint, size, body);
    }

    @Test
    void aSnapshotBiggerThanTheDiskFailsCleanlyAndTheNextJobsWork() throws Exception {
        onSmallDisk("20m", dir -> {
            try (ChildJvm child = Proof.start(Proof.app().heap("128m").agent("").directory(dir))) {
                Remote remote = Proof.remote(child);
                Proof.command(child, "fill 60", "FILLED", Duration.ofSeconds(60));
                Map<String, Long> before = withoutIndex(dir);

                Throwable e = Remote.failure("a 60 MB snapshot on a 20 MB disk", () -> remote.createHeapSnapshot("full"));
                assertInstanceOf(IllegalStateException.class, e, "a refused write is an IllegalStateException: " + e);
                assertTrue(e.getMessage().contains(dir.resolve("full.hprof") + " was refused before anything was written: "
                        + "it needs about")
                        && e.getMessage().contains(dir + " has ") && e.getMessage().contains(" free and minFreeDisk=5% keeps"),
                        "the message says what and why, with the sizes: " + e);
                assertNothingLeft(remote, dir, before);
                assertTrue(child.process().isAlive());

                assertEquals(dir.resolve("after.jfr").toString(), remote.createCpuProfile("after", 50));
                assertTrue(JfrFile.check(dir.resolve("after.jfr")).complete());
                Proof.command(child, "free", "FREED", Duration.ofSeconds(30));
                assertEquals(dir.resolve("full.hprof").toString(), remote.createHeapSnapshot("full"),
                        "once it fits, the same name works");
                assertTrue(HprofFile.check(dir.resolve("full.hprof")).complete());
                assertEquals(List.of(), Remote.temporaries(dir));
            }
        });
    }

    /**
     * The disk guard's estimate is a guess (1.3 times the heap in use): a heap of small objects of one reference each
     * takes about twice its size in a dump. Such a snapshot passes the guard and then fills the disk: it still fails
     * cleanly, saying the disk is full, and leaves nothing.
     */
    @Test
    void aSnapshotBiggerThanItsEstimateFailsWhenTheDiskFillsAndLeavesNothing() throws Exception {
        boolean merging = ChildJvm.javaFeature() >= 22; // the guard counts twice the dump there
        onSmallDisk(merging ? "90m" : "48m", dir -> {
            try (ChildJvm child = Proof.start(Proof.app().heap("128m").agent("").directory(dir))) {
                Remote remote = Proof.remote(child);
                Proof.command(child, "nodes 24", "NODES", Duration.ofSeconds(60));
                Map<String, Long> before = withoutIndex(dir);

                Throwable e = Remote.failure("about 55 MB of dump, guessed at about 38, on a disk that holds neither",
                        () -> remote.createHeapSnapshot("nodes"));
                assertInstanceOf(IllegalStateException.class, e, e.toString());
                // HotSpot says so in its words: a failed write (17), a failed merge of the segments (22+)
                assertTrue(e.getMessage().contains(dir.resolve("nodes.hprof").toString() + " could not be written")
                        && (e.getMessage().contains("No space left on device")
                        || merging && e.getMessage().contains("Failed to merge segmented heap file")),
                        "past the guard, the disk filled: " + e);
                assertNothingLeft(remote, dir, before);
                assertEquals(dir.resolve("after.jfr").toString(), remote.createCpuProfile("after", 50));
            }
        });
    }

    /**
     * About 23 MB of dump on a 32 MB disk: it fits once. JDK 22+ writes segments and then merges them into the
     * file, about twice the size: there the disk fills up during the merge, and the caller must still learn
     * that the disk is full.
     */
    @Test
    void aSnapshotThatFitsOnceButNotTwiceIsWrittenOrFailsSayingTheDiskIsFull() throws Exception {
        onSmallDisk("32m", dir -> {
            try (ChildJvm child = Proof.start(Proof.app().heap("128m").agent("").directory(dir))) {
                Remote remote = Proof.remote(child);
                Proof.command(child, "fill 16", "FILLED", Duration.ofSeconds(60));
                Map<String, Long> before = withoutIndex(dir);
                String written;
                try {
                    written = remote.createHeapSnapshot("twice");
                } catch (RuntimeException thrown) {
                    Throwable e = Remote.unwrap(thrown);
                    assertInstanceOf(IllegalStateException.class, e, e.toString());
                    assertNothingLeft(remote, dir, before);
                    assertEquals(dir.resolve("again.jfr").toString(), remote.createCpuProfile("again", 50));
                    assertTrue(e.getMessage().contains(dir.resolve("twice.hprof").toString())
                            && (e.getMessage().contains("No space left on device") || e.getMessage().contains("free")),
                            "the caller learns the disk is full (" + dir + " has 32 MB): " + e.getMessage());
                    return;
                }
                assertEquals(dir.resolve("twice.hprof").toString(), written);
                assertTrue(HprofFile.check(dir.resolve("twice.hprof")).complete());
                assertEquals(List.of(), Remote.temporaries(dir));
            }
        });
    }

    private static void assertNothingLeft(Remote remote, Path dir, Map<String, Long> before) {
        assertEquals(before, withoutIndex(dir), "no temporary file, no segment, no final file is left");
        assertFalse(remote.busy(), "the guard is free again");
        assertEquals("", remote.currentJob());
        assertEquals(List.of(), remote.artifacts(), "nothing is listed for the failed snapshot");
    }

    /** The files, without the index (the failed snapshot's name was recorded there before the write, by design). */
    private static Map<String, Long> withoutIndex(Path dir) {
        Map<String, Long> files = Remote.listing(dir);
        files.remove(ArtifactStore.INDEX_NAME);
        return files;
    }
}
