package dev.oomheapdump.it.proof;

import dev.oomheapdump.core.store.ArtifactStore;
import dev.oomheapdump.core.format.HprofFile;
import dev.oomheapdump.it.ChildJvm;
import dev.oomheapdump.it.ChildOutputOnFailure;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JVM SIGKILLed while it writes a heap snapshot leaves no file under a final name that passes as
 * complete; the next JVM on the same directory lists the leftover as TRUNCATED from an EARLIER_RUN, deletes
 * it on request (with any dump segments of JDK 22+), and makes the same snapshot again.
 */
@ExtendWith(ChildOutputOnFailure.class)
class KillDuringSnapshotIT {

    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void aKilledSnapshotIsListedTruncatedByTheNextRunAndCanBeDeleted() throws Exception {
        Path leftover = dir.resolve(".killed.inprogress.hprof");
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try (ChildJvm first = Proof.start(Proof.app().heap("512m").agent("").directory(dir))) {
            Remote remote = Proof.remote(first);
            Proof.command(first, "fill 300", "FILLED", Duration.ofSeconds(120));
            Future<String> call = caller.submit(() -> remote.createHeapSnapshot("killed"));
            AtomicLong last = new AtomicLong();
            Awaitility.await("a temporary file of the snapshot grows").atMost(Duration.ofSeconds(120))
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                    .failFast("the child died", () -> !first.process().isAlive())
                    .failFast("the snapshot finished before it could be killed", call::isDone)
                    .until(() -> {
                        long now = temporaryBytes(dir);
                        boolean growing = now > 16 * MIB && now > last.get() && last.get() > 0;
                        last.set(now);
                        return growing;
                    });
            first.process().destroyForcibly();
            assertTrue(first.process().waitFor(30, TimeUnit.SECONDS), "the killed JVM is gone");
            assertThrows(java.util.concurrent.ExecutionException.class, () -> call.get(30, TimeUnit.SECONDS),
                    "the caller learns the call failed");
        } finally {
            caller.shutdownNow();
        }

        List<String> finalNames = Remote.listing(dir).keySet().stream().filter(n -> !n.startsWith("."))
                .collect(Collectors.toList());
        assertEquals(List.of(), finalNames, "nothing under a final name after the kill");
        assertTrue(Files.exists(leftover), "the write was cut short under its temporary name: " + Remote.listing(dir));
        assertFalse(HprofFile.check(leftover).complete(), HprofFile.check(leftover).toString());

        try (ChildJvm second = Proof.start(Proof.app().heap("64m").agent("").directory(dir))) {
            Remote remote = Proof.remote(second);
            List<Map<String, Object>> artifacts = remote.artifacts();
            assertEquals(1, artifacts.size(), artifacts.toString());
            Map<String, Object> listed = artifacts.get(0);
            assertEquals(leftover.toString(), listed.get("path"), listed.toString());
            assertEquals("HEAP_SNAPSHOT", listed.get("kind"), listed.toString());
            assertEquals("TRUNCATED", listed.get("state"), listed.toString());
            assertEquals("EARLIER_RUN", listed.get("origin"), listed.toString());
            assertEquals(Files.size(leftover), listed.get("bytes"), listed.toString());
            assertFalse(((String) listed.get("detail")).isBlank(), "the listing says why: " + listed);
            assertEquals(List.of(), remote.heapSnapshots(), "a truncated file is never listed as a good snapshot");

            remote.invoke("deleteHeapSnapshot", leftover.toString());
            assertEquals(List.of(), remote.artifacts());
            assertEquals(Set.of(ArtifactStore.INDEX_NAME), Remote.listing(dir).keySet(),
                    "the leftover and any dump segments are gone");

            assertEquals(dir.resolve("killed.hprof").toString(), remote.createHeapSnapshot("killed"),
                    "the name is free again and the suite works");
            assertTrue(HprofFile.check(dir.resolve("killed.hprof")).complete());
            assertEquals("COMPLETE", remote.artifacts().get(0).get("state"));
        }
    }

    /** Bytes in the snapshot's temporary file and, on JDK 22+, its segments. */
    private static long temporaryBytes(Path dir) {
        Map<String, Long> files = Remote.listing(dir);
        return Remote.temporaries(dir).stream().mapToLong(n -> files.getOrDefault(n, 0L)).sum();
    }
}
