package dev.oomheapdump.core.store;

import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.ArtifactKind;
import dev.oomheapdump.core.ArtifactOrigin;
import dev.oomheapdump.core.ArtifactState;
import dev.oomheapdump.core.Fixtures;
import dev.oomheapdump.core.format.HprofFile;
import dev.oomheapdump.core.job.HeapDumper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code .hprof.gz} the suite compresses itself: written plain to a hidden stage, compressed into the temporary
 * file, checked, renamed; nothing but the {@code .hprof.gz} left. A dump whose compression failed or was cut short
 * by a kill is kept uncompressed, never lost.
 */
class CompressedDumpsTest {

    @TempDir
    Path dir;

    @Test
    void aCompressedSnapshotGoesThroughItsPlainStageAndOnlyTheGzipIsLeft() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        ArtifactStore.Reservation r = store.reserve("snap.hprof.gz", ArtifactKind.HEAP_SNAPSHOT, false, false);
        assertEquals(dir.resolve(".snap.inprogress-plain.hprof"), r.stagePath().orElseThrow());
        assertEquals(dir.resolve(".snap.inprogress.hprof.gz"), r.writePath());
        Files.copy(Fixtures.heapDump(), r.stagePath().orElseThrow());
        new HeapDumper().compress(r, 1);
        Artifact done = store.commit(r);

        assertEquals(dir.resolve("snap.hprof.gz"), done.path());
        assertEquals(ArtifactKind.HEAP_SNAPSHOT, done.kind());
        assertEquals(ArtifactState.COMPLETE, done.state());
        assertTrue(HprofFile.check(done.path()).complete());
        assertArrayEquals(Files.readAllBytes(Fixtures.heapDump()), gunzip(done.path()), "the HPROF inside is the dump");
        assertTrue(done.bytes() < Files.size(Fixtures.heapDump()), "smaller than the plain dump");
        assertEquals(List.of(ArtifactStore.INDEX_NAME, "snap.hprof.gz"), names(), "no stage, no temporary file left");
    }

    @Test
    void anOomDumpWhoseCompressionFailedIsKeptUncompressed() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        ArtifactStore.Reservation r = store.reserve("oom.hprof.gz", ArtifactKind.OOM_DUMP, true, false);
        Files.copy(Fixtures.heapDump(), r.stagePath().orElseThrow());
        Files.write(r.writePath(), new byte[]{0x1f, (byte) 0x8b, 8, 0}); // a compression cut short (disk full)
        IOException cut = assertThrows(IOException.class, () -> store.commit(r));
        assertTrue(cut.getMessage().contains("is not complete"), cut.getMessage());
        assertTrue(Files.exists(r.stagePath().orElseThrow()), "the plain dump survives the failed commit");

        Artifact kept = store.commitUncompressed(r);
        assertEquals(dir.resolve("oom.hprof"), kept.path());
        assertEquals(ArtifactKind.OOM_DUMP, kept.kind());
        assertEquals(ArtifactState.COMPLETE, kept.state());
        assertEquals(List.of(ArtifactStore.INDEX_NAME, "oom.hprof"), names());
    }

    @Test
    void aCompressionCutShortByAKillIsKeptUncompressedOnceNobodyWritesIt() throws Exception {
        ArtifactStore killed = new ArtifactStore(dir);
        ArtifactStore.Reservation r = killed.reserve("oom.hprof.gz", ArtifactKind.OOM_DUMP, true, false);
        Path stage = r.stagePath().orElseThrow();
        Files.copy(Fixtures.heapDump(), stage);
        Files.write(r.writePath(), new byte[]{0x1f, (byte) 0x8b, 8, 0});

        Artifact compressing = new ArtifactStore(dir).find(stage.getFileName().toString()).orElseThrow();
        assertEquals(ArtifactState.IN_PROGRESS, compressing.state(), "a fresh stage may be another JVM's: left alone");
        assertTrue(Files.exists(stage));

        FileTime old = FileTime.fromMillis(System.currentTimeMillis() - ArtifactStore.STAGE_QUIET_MILLIS - 1000);
        Files.setLastModifiedTime(stage, old);
        Files.setLastModifiedTime(r.writePath(), old);
        ArtifactStore next = new ArtifactStore(dir);
        Artifact kept = next.find("oom.hprof").orElseThrow();
        assertEquals(ArtifactState.COMPLETE, kept.state());
        assertEquals(ArtifactOrigin.EARLIER_RUN, kept.origin(), "still the dump of the run that made it");
        assertEquals(List.of(kept), next.list());
        assertEquals(List.of(ArtifactStore.INDEX_NAME, "oom.hprof"), names());
    }

    @Test
    void aStageCutShortIsListedTruncatedAndCanBeDeleted() throws Exception {
        ArtifactStore killed = new ArtifactStore(dir);
        ArtifactStore.Reservation r = killed.reserve("oom.hprof.gz", ArtifactKind.OOM_DUMP, true, false);
        Fixtures.truncatedCopy(Fixtures.heapDump(), 1000, r.stagePath().orElseThrow());
        ArtifactStore next = new ArtifactStore(dir);
        Artifact cut = next.find(".oom.inprogress-plain.hprof").orElseThrow();
        assertEquals(ArtifactState.TRUNCATED, cut.state());
        assertTrue(next.delete(".oom.inprogress-plain.hprof", java.util.Set.of(ArtifactKind.OOM_DUMP), "OOM dump").isPresent());
        assertEquals(List.of(ArtifactStore.INDEX_NAME), names());
    }

    @Test
    void aNameWithoutItsExtensionFindsTheCompressedDump() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        ArtifactStore.Reservation r = store.reserve("named.hprof.gz", ArtifactKind.HEAP_SNAPSHOT, false, false);
        new HeapDumper().write(r, true, 1);
        store.commit(r);
        assertEquals(dir.resolve("named.hprof.gz"), store.listed("named").path());
        assertEquals(ArtifactKind.HEAP_SNAPSHOT, store.listed("named.hprof.gz").kind());
    }

    private List<String> names() throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static byte[] gunzip(Path gz) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            return in.readAllBytes();
        }
    }
}
