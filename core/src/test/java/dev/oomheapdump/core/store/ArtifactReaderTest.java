package dev.oomheapdump.core.store;

import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.ArtifactKind;
import dev.oomheapdump.core.ArtifactState;
import dev.oomheapdump.core.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a fetch reads on the JVM's host: complete files only, the file listed and no other, its hash once. */
class ArtifactReaderTest {

    @TempDir
    Path dir;

    private Artifact write(ArtifactStore store, String name) throws IOException {
        return Fixtures.snapshot(store, name);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void readsInAnyOrderAndAtAnyOffsetGiveTheFileByteForByte() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        Artifact a = write(store, "whole.hprof");
        ArtifactReader reader = new ArtifactReader(store);
        byte[] expected = Files.readAllBytes(a.path());
        int chunk = Math.max(1, expected.length / 7) + 3;
        byte[][] parts = new byte[(expected.length + chunk - 1) / chunk][];
        for (int i = parts.length - 1; i >= 0; i--) { // backwards: reads are independent
            parts[i] = reader.read("whole", (long) i * chunk, chunk);
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.write(part);
        }
        assertArrayEquals(expected, all.toByteArray());
        assertEquals(0, reader.read("whole.hprof", expected.length, 16).length, "nothing past the end");
        assertEquals("fetch", store.inUse().reason("whole.hprof").orElse(""), "a read holds the file against retention");
    }

    @Test
    void aSnapshotBeingWrittenIsRefusedAsBeingWrittenNotAsDeleted() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        ArtifactStore.Reservation r = store.reserve("writing.hprof", ArtifactKind.HEAP_SNAPSHOT, false, false);
        Files.write(r.writePath(), new byte[4096]);
        ArtifactReader reader = new ArtifactReader(store);
        for (Callable<?> call : List.<Callable<?>>of(() -> reader.read("writing.hprof", 0, 16),
                () -> reader.sha256("writing"))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, call::call);
            assertEquals("'writing.hprof' is being written (IN_PROGRESS): it can be read once it is complete",
                    e.getMessage());
        }
    }

    @Test
    void aDumpTheJvmWritesInPlaceIsRefusedUntilItIsDone() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        Artifact a = write(store, "hook.hprof");
        store.markWritingInPlace("hook.hprof", true);
        ArtifactReader reader = new ArtifactReader(store);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> reader.read("hook.hprof", 0, 16));
        assertTrue(e.getMessage().contains("IN_PROGRESS"), e.getMessage());
        store.markWritingInPlace("hook.hprof", false);
        assertEquals(16, reader.read("hook.hprof", 0, 16).length);
        assertEquals(sha256(Files.readAllBytes(a.path())), reader.sha256("hook.hprof"));
    }

    @Test
    void aTruncatedFileIsRefusedNamingItsState() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        Artifact a = write(store, "cut.hprof");
        Files.write(a.path(), Arrays.copyOf(Files.readAllBytes(a.path()), 1000));
        store.refresh();
        assertEquals(ArtifactState.TRUNCATED, store.find("cut.hprof").orElseThrow().state());
        ArtifactReader reader = new ArtifactReader(store);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> reader.read("cut.hprof", 0, 16));
        assertTrue(e.getMessage().startsWith("'cut.hprof' is TRUNCATED (") && e.getMessage().endsWith(
                "): only complete files are read"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> reader.sha256("cut.hprof"));
    }

    @Test
    void aFileChangedSinceItWasListedIsRefused() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        Artifact a = write(store, "moved.hprof");
        ArtifactReader reader = new ArtifactReader(store);
        Files.write(a.path(), new byte[10], java.nio.file.StandardOpenOption.APPEND); // the listing has not seen it
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> reader.read("moved.hprof", 0, 16));
        assertEquals("'moved.hprof' changed since it was listed (listed with " + a.bytes() + " bytes, it has "
                + (a.bytes() + 10) + " now): list the files again", e.getMessage());
    }

    @Test
    void aDeletedFileIsSaidToBeDeleted() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        Artifact a = write(store, "gone.hprof");
        Files.delete(a.path()); // before the listing notices
        ArtifactReader reader = new ArtifactReader(store);
        assertEquals("'gone.hprof' was deleted",
                assertThrows(IllegalArgumentException.class, () -> reader.read("gone", 0, 1)).getMessage());
        assertEquals("'gone.hprof' was deleted",
                assertThrows(IllegalArgumentException.class, () -> reader.sha256("gone")).getMessage());
    }

    @Test
    void theHashIsTheFilesAndIsComputedOncePerIdentity() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        Artifact a = write(store, "hashed.hprof");
        ArtifactReader reader = new ArtifactReader(store);
        String expected = sha256(Files.readAllBytes(a.path()));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> answers = pool.invokeAll(List.<Callable<String>>of(() -> reader.sha256("hashed"),
                    () -> reader.sha256("hashed.hprof"), () -> reader.sha256(a.path().toString()),
                    () -> reader.sha256("hashed")));
            for (Future<String> answer : answers) {
                assertEquals(expected, answer.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, reader.cachedHashes());

        // the same size and time, other bytes: the identity is unchanged, so the cached hash is the answer
        FileTime time = Files.getLastModifiedTime(a.path());
        byte[] other = Files.readAllBytes(a.path());
        other[other.length / 2] ^= 1;
        Files.write(a.path(), other);
        Files.setLastModifiedTime(a.path(), time);
        assertEquals(expected, reader.sha256("hashed"), "answered from the cache: the file was not read again");

        // a new time is a new identity: hashed again once the listing knows the file as it is
        Files.setLastModifiedTime(a.path(), FileTime.fromMillis(time.toMillis() + 5000));
        store.refresh();
        assertNotEquals(expected, reader.sha256("hashed"));
        assertEquals(sha256(other), reader.sha256("hashed"));
        assertEquals(1, reader.cachedHashes(), "one entry per file");
    }

    @Test
    void aFileMadeAgainUnderTheSameNameHasAnotherIdAndAFileKeepsItsIdAcrossRuns() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        Artifact first = write(store, "again.hprof");
        assertTrue(first.id().matches("[0-9a-f]{16}"), first.id());
        store.refresh();
        assertEquals(first.id(), store.find("again.hprof").orElseThrow().id(), "stable across refreshes");
        assertEquals(first.id(), new ArtifactStore(dir).find("again.hprof").orElseThrow().id(),
                "stable across runs: the next JVM reads the same index entry");
        store.delete("again.hprof", java.util.Set.of(ArtifactKind.HEAP_SNAPSHOT), "heap snapshot");
        Artifact second = write(store, "again.hprof");
        assertEquals(first.bytes(), second.bytes());
        assertNotEquals(first.id(), second.id());
    }

    @Test
    void aReadTheHeapCannotSpareIsRefusedBeforeItAllocatesAndSmallerOnesPass() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        Artifact a = write(store, "big.hprof");
        long[] free = {4L << 20};
        ArtifactReader reader = new ArtifactReader(store, () -> free[0]);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> reader.read("big", 0, 2 << 20));
        assertEquals("'big.hprof' cannot be read in parts of " + (2 << 20) + " bytes now: this JVM's heap has 4 MiB "
                + "free, and reads may take a 4th of that so that the application keeps the rest; read smaller parts",
                e.getMessage());
        assertArrayEquals(Arrays.copyOf(Files.readAllBytes(a.path()), 1 << 20), reader.read("big", 0, 1 << 20),
                "a quarter of the free heap passes");
        free[0] = 64L << 20;
        assertEquals(2 << 20, reader.read("big", 0, 2 << 20).length, "with more room, the same read passes");
    }
}
