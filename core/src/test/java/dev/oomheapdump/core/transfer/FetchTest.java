package dev.oomheapdump.core.transfer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongPredicate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fetch engine against a source in memory: output checks, order, resume, verification, what is left behind. */
class FetchTest {

    private static final int CHUNK = 64 << 10;

    @TempDir
    Path dir;

    /** A file in memory; reads can fail, block or see the file change. */
    static class MemorySource implements TransferSource {
        volatile byte[] data;
        volatile SourceFile file;
        volatile String hash;
        volatile LongPredicate failAt = offset -> false;
        final AtomicInteger reads = new AtomicInteger();
        final AtomicInteger concurrent = new AtomicInteger();
        final AtomicInteger maxConcurrent = new AtomicInteger();
        volatile CountDownLatch gate;

        MemorySource(byte[] data, String state) {
            set(data, "/srv/dumps/big.hprof", "id-1", state);
        }

        void set(byte[] bytes, String path, String id, String state) {
            this.data = bytes;
            this.file = new SourceFile(path, bytes.length, 1_700_000_000_000L + bytes.length, id, state, "");
            this.hash = FetchTest.sha256(bytes);
        }

        @Override
        public SourceFile describe() {
            return file;
        }

        @Override
        public byte[] read(long offset, int length) throws IOException {
            reads.incrementAndGet();
            int now = concurrent.incrementAndGet();
            maxConcurrent.accumulateAndGet(now, Math::max);
            try {
                CountDownLatch g = gate;
                if (g != null) {
                    g.countDown();
                    try {
                        g.await(5, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                }
                if (failAt.test(offset)) {
                    throw new IOException("connection reset at " + offset);
                }
                byte[] d = data;
                int from = (int) Math.min(offset, d.length);
                return Arrays.copyOfRange(d, from, (int) Math.min(d.length, offset + length));
            } finally {
                concurrent.decrementAndGet();
            }
        }

        @Override
        public String sha256() {
            return hash;
        }

        @Override
        public int maxRead() {
            return CHUNK;
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static final class Recorder implements FetchListener {
        final List<String> notes = new CopyOnWriteArrayList<>();
        final List<FetchProgress> progress = new CopyOnWriteArrayList<>();
        volatile long resumedFrom = -1;

        @Override
        public void started(SourceFile source, Path target, long resumed, String note) {
            resumedFrom = resumed;
            notes.add(note);
        }

        @Override
        public void progress(FetchProgress p) {
            progress.add(p);
        }
    }

    private List<String> leftovers() throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theFileArrivesByteForByteInOrderWithSeveralReadsInFlightAndIsVerified() throws Exception {
        byte[] data = random(CHUNK * 20 + 123, 1);
        MemorySource source = new MemorySource(data, "COMPLETE");
        Recorder recorder = new Recorder();
        FetchResult result = new Fetch(dir.resolve("big.hprof"), 4, CHUNK, 0, recorder).run(source);
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("big.hprof")));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("big.hprof"))), "a heap dump is its owner's only");
        assertEquals(sha256(data), result.sha256());
        assertTrue(result.verified());
        assertEquals(0, result.resumedFrom());
        assertEquals(21, source.reads.get(), "every byte read once");
        assertEquals(List.of("big.hprof"), leftovers(), "no .part, no record left");
        FetchProgress last = recorder.progress.get(recorder.progress.size() - 1);
        assertEquals(data.length, last.done());
        assertEquals(1.0, last.fraction());
        assertTrue(result.summary().startsWith(data.length + " bytes in ") && result.summary().endsWith(
                "to " + dir.resolve("big.hprof") + ", SHA-256 verified " + sha256(data)), result.summary());
    }

    @Test
    void readsReallyRunAtTheSameTime() throws Exception {
        MemorySource source = new MemorySource(random(CHUNK * 8, 2), "COMPLETE");
        source.gate = new CountDownLatch(3); // the first reads wait until three are in flight
        new Fetch(dir.resolve("x"), 3, CHUNK, 0, null).run(source);
        assertTrue(source.maxConcurrent.get() >= 3, "three reads in flight: " + source.maxConcurrent.get());
    }

    @Test
    void aFolderAsOutGetsTheFileUnderItsOwnName() throws Exception {
        byte[] data = random(1000, 3);
        FetchResult result = new Fetch(dir, 2, CHUNK, 0, null).run(new MemorySource(data, "COMPLETE"));
        assertEquals(dir.resolve("big.hprof"), result.file());
        assertArrayEquals(data, Files.readAllBytes(result.file()));
    }

    @Test
    void anExistingFileAMissingFolderOrAnExistingFileInTheFolderAreRefusedBeforeAnyRead() throws Exception {
        Files.writeString(dir.resolve("taken.hprof"), "mine");
        Files.writeString(dir.resolve("big.hprof"), "also mine");
        MemorySource source = new MemorySource(random(1000, 4), "COMPLETE");
        IllegalArgumentException exists = assertThrows(IllegalArgumentException.class,
                () -> new Fetch(dir.resolve("taken.hprof"), 2, CHUNK, 0, null).run(source));
        assertEquals("'" + dir.resolve("taken.hprof") + "' exists; nothing is overwritten: choose another file or "
                + "delete it first", exists.getMessage());
        IllegalArgumentException inFolder = assertThrows(IllegalArgumentException.class,
                () -> new Fetch(dir, 2, CHUNK, 0, null).run(source));
        assertTrue(inFolder.getMessage().startsWith("'" + dir.resolve("big.hprof") + "' exists"), inFolder.getMessage());
        IllegalArgumentException noFolder = assertThrows(IllegalArgumentException.class,
                () -> new Fetch(dir.resolve("nowhere").resolve("x.hprof"), 2, CHUNK, 0, null).run(source));
        assertEquals("the folder of '" + dir.resolve("nowhere").resolve("x.hprof") + "' does not exist: "
                + dir.resolve("nowhere"), noFolder.getMessage());
        assertEquals(0, source.reads.get(), "not a byte was read");
        assertEquals("mine", Files.readString(dir.resolve("taken.hprof")));
        assertEquals(List.of("big.hprof", "taken.hprof"), leftovers());
    }

    @Test
    void onlyCompleteFilesAreFetched() throws Exception {
        for (String state : List.of("IN_PROGRESS", "TRUNCATED")) {
            MemorySource source = new MemorySource(random(1000, 5), state);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> new Fetch(dir.resolve("x"), 2, CHUNK, 0, null).run(source));
            assertTrue(e.getMessage().startsWith("'big.hprof' is " + state), e.getMessage());
            assertEquals(0, source.reads.get());
        }
        assertEquals(List.of(), leftovers());
    }

    @Test
    void aStoppedFetchResumesWhereItStoppedAndTheResultIsTheFile() throws Exception {
        byte[] data = random(CHUNK * 10, 6);
        MemorySource source = new MemorySource(data, "COMPLETE");
        source.failAt = offset -> offset >= CHUNK * 6L;
        IOException lost = assertThrows(IOException.class,
                () -> new Fetch(dir.resolve("out.hprof"), 1, CHUNK, 0, null).run(source));
        assertTrue(lost.getMessage().contains("connection reset") && lost.getMessage().contains("run the same fetch "
                + "again to resume"), lost.getMessage());
        assertEquals(List.of("out.hprof.part", "out.hprof.part.source"), leftovers());
        long kept = Files.size(dir.resolve("out.hprof.part"));
        assertEquals(CHUNK * 6L, kept);
        assertArrayEquals(Arrays.copyOf(data, (int) kept), Files.readAllBytes(dir.resolve("out.hprof.part")));

        source.failAt = offset -> false;
        source.reads.set(0);
        Recorder recorder = new Recorder();
        FetchResult result = new Fetch(dir.resolve("out.hprof"), 3, CHUNK, 0, recorder).run(source);
        assertEquals(kept, result.resumedFrom());
        assertEquals(kept, recorder.resumedFrom);
        assertEquals("resuming 'out.hprof.part' at byte " + kept + " of " + data.length
                + ": the file is unchanged (same size, time and id)", recorder.notes.get(0));
        assertEquals(4, source.reads.get(), "only the missing parts were read");
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("out.hprof")));
        assertTrue(result.verified());
        assertTrue(result.summary().contains(", resumed at byte " + kept + " to "), result.summary());
        assertEquals(List.of("out.hprof"), leftovers());
    }

    @Test
    void aPartOfAnotherVersionOfTheFileIsDiscardedNotMixed() throws Exception {
        byte[] first = random(CHUNK * 6, 7);
        MemorySource source = new MemorySource(first, "COMPLETE");
        source.failAt = offset -> offset >= CHUNK * 3L;
        assertThrows(IOException.class, () -> new Fetch(dir.resolve("out"), 1, CHUNK, 0, null).run(source));
        assertEquals(CHUNK * 3L, Files.size(dir.resolve("out.part")));

        byte[] second = random(CHUNK * 6, 8); // the same name and size, made again: another id and time
        source.set(second, "/srv/dumps/big.hprof", "id-2", "COMPLETE");
        source.file = new SourceFile(source.file.path(), second.length, source.file.modifiedMillis() + 1, "id-2",
                "COMPLETE", "");
        source.failAt = offset -> false;
        Recorder recorder = new Recorder();
        FetchResult result = new Fetch(dir.resolve("out"), 2, CHUNK, 0, recorder).run(source);
        assertEquals(0, result.resumedFrom());
        assertTrue(recorder.notes.get(0).startsWith("discarded 'out.part' (" + CHUNK * 3 + " bytes): it held another "
                + "version of the file (time "), recorder.notes.get(0));
        assertTrue(recorder.notes.get(0).endsWith(", id id-1 -> id-2)"), recorder.notes.get(0));
        assertArrayEquals(second, Files.readAllBytes(dir.resolve("out")));
    }

    @Test
    void aPartNoRecordExplainsIsLeftAloneAndRefused() throws Exception {
        Files.writeString(dir.resolve("out.part"), "someone's bytes");
        MemorySource source = new MemorySource(random(1000, 9), "COMPLETE");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Fetch(dir.resolve("out"), 2, CHUNK, 0, null).run(source));
        assertTrue(e.getMessage().contains("out.part' exists and no 'out.part.source' beside it says what it holds"),
                e.getMessage());
        assertEquals("someone's bytes", Files.readString(dir.resolve("out.part")));
        assertEquals(0, source.reads.get());
    }

    @Test
    void aFileThatChangesWhileItIsReadLeavesNothing() throws Exception {
        byte[] data = random(CHUNK * 6, 10);
        MemorySource source = new MemorySource(data, "COMPLETE");
        AtomicInteger served = new AtomicInteger();
        MemorySource changing = new MemorySource(data, "COMPLETE") {
            @Override
            public SourceFile describe() {
                return served.get() == 0 ? source.file : new SourceFile(source.file.path(), source.file.bytes(),
                        source.file.modifiedMillis() + 10, "id-1", "COMPLETE", "");
            }

            @Override
            public byte[] read(long offset, int length) throws IOException {
                served.incrementAndGet();
                return super.read(offset, length);
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new Fetch(dir.resolve("out"), 2, CHUNK, 0, null).run(changing));
        assertTrue(e.getMessage().startsWith("'big.hprof' changed while it was fetched (time ")
                && e.getMessage().endsWith("); nothing was kept: fetch it again"), e.getMessage());
        assertEquals(List.of(), leftovers());
    }

    @Test
    void bytesThatDoNotHashToTheSourcesSha256AreDeleted() throws Exception {
        byte[] data = random(CHUNK * 3, 11);
        MemorySource source = new MemorySource(data, "COMPLETE");
        source.hash = sha256(new byte[]{1});
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new Fetch(dir.resolve("out"), 2, CHUNK, 0, null).run(source));
        assertTrue(e.getMessage().startsWith("SHA-256 mismatch for 'big.hprof': the JVM's host says " + source.hash
                + ", the bytes fetched hash to " + sha256(data)), e.getMessage());
        assertEquals(List.of(), leftovers());
    }

    @Test
    void aSourceWithoutAHashGivesAFileMarkedNotVerified() throws Exception {
        byte[] data = random(5000, 12);
        MemorySource source = new MemorySource(data, "COMPLETE") {
            @Override
            public String sha256() {
                throw new UnsupportedOperationException("no artifactSha256");
            }
        };
        FetchResult result = new Fetch(dir.resolve("out"), 2, CHUNK, 0, null).run(source);
        assertFalse(result.verified());
        assertTrue(result.summary().endsWith("SHA-256 " + sha256(data) + " NOT verified (the JVM's agent is too old "
                + "to compute it)"), result.summary());
    }

    @Test
    void aReadRefusedAtOnceLeavesNoEmptyPartBehind() throws Exception {
        MemorySource source = new MemorySource(random(5000, 13), "COMPLETE") {
            @Override
            public byte[] read(long offset, int length) {
                throw new SecurityException("Access denied!");
            }
        };
        assertThrows(SecurityException.class, () -> new Fetch(dir.resolve("out"), 2, CHUNK, 0, null).run(source));
        assertEquals(List.of(), leftovers());
    }

    @Test
    void aCancelKeepsThePartForAResume() throws Exception {
        byte[] data = random(CHUNK * 40, 14);
        MemorySource source = new MemorySource(data, "COMPLETE");
        List<Fetch> fetches = new ArrayList<>();
        Fetch fetch = new Fetch(dir.resolve("out"), 1, CHUNK, 0, new FetchListener() {
            @Override
            public void progress(FetchProgress p) {
                if (p.done() >= CHUNK * 5L) {
                    fetches.get(0).cancel();
                }
            }
        });
        fetches.add(fetch);
        CancellationException e = assertThrows(CancellationException.class, () -> fetch.run(source));
        assertTrue(e.getMessage().startsWith("fetch cancelled at byte "), e.getMessage());
        long kept = Files.size(dir.resolve("out.part"));
        assertTrue(kept >= CHUNK * 5L && kept < data.length, "kept " + kept);
        FetchResult result = new Fetch(dir.resolve("out"), 4, CHUNK, 0, null).run(source);
        assertEquals(kept, result.resumedFrom());
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("out")));
    }

    @Test
    void theRateLimitPacesTheReads() throws Exception {
        byte[] data = random(256 << 10, 15);
        long start = System.nanoTime();
        new Fetch(dir.resolve("out"), 4, CHUNK, 512 << 10, null).run(new MemorySource(data, "COMPLETE"));
        double seconds = (System.nanoTime() - start) / 1e9;
        // 256 KiB at 512 KiB/s: the first 64 KiB slot starts at once, the last one 3/8 s later
        assertTrue(seconds >= 0.37, "paced: " + seconds + " s");
    }

    @Test
    void anEmptyFileIsFetchedToo() throws Exception {
        FetchResult result = new Fetch(dir.resolve("empty"), 2, CHUNK, 0, null).run(new MemorySource(new byte[0],
                "COMPLETE"));
        assertEquals(0, Files.size(result.file()));
        assertEquals(sha256(new byte[0]), result.sha256());
    }

    @Test
    void partsTheSourceRefusesForTheirSizeAreReadAgainInSmallerPieces() throws Exception {
        byte[] data = random(CHUNK * 12 + 77, 16);
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        MemorySource source = new MemorySource(data, "COMPLETE") {
            @Override
            public byte[] read(long offset, int length) throws IOException {
                sizes.add(length);
                if (length > CHUNK) {
                    throw new ReadTooLargeException("'big.hprof' cannot be read in parts of " + length + " bytes now");
                }
                return super.read(offset, length);
            }

            @Override
            public int maxRead() {
                return CHUNK * 4;
            }
        };
        FetchResult result = new Fetch(dir.resolve("out"), 4, CHUNK * 4, 0, null).run(source);
        assertArrayEquals(data, Files.readAllBytes(result.file()));
        assertTrue(result.verified());
        assertTrue(sizes.stream().filter(n -> n <= CHUNK).count() >= data.length / CHUNK,
                "read in pieces of a quarter of the first size: " + sizes);
    }

    @Test
    void aSourceThatCannotSpareEvenTheSmallestReadIsGivenUpWithItsReason() throws Exception {
        MemorySource source = new MemorySource(random(CHUNK * 4, 17), "COMPLETE") {
            @Override
            public byte[] read(long offset, int length) {
                throw new ReadTooLargeException("'big.hprof' cannot be read in parts of " + length + " bytes now");
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new Fetch(dir.resolve("out"), 2, CHUNK, 0, null).run(source));
        assertEquals("'big.hprof' cannot be read in parts of " + Fetch.SMALLEST_READ + " bytes now (even "
                + Fetch.SMALLEST_READ + " bytes at once are too many: fetch it once the JVM has more free heap)",
                e.getMessage());
        assertEquals(List.of(), leftovers());
    }

    @Test
    void theDefaultPartsInFlightFitInAQuarterOfTheClientsHeap() {
        assertEquals(Fetch.DEFAULT_CHUNK, Fetch.chunkFor(4L << 30));
        assertEquals(Fetch.DEFAULT_CHUNK, Fetch.chunkFor(256L << 20), "8 MiB parts: 7 of them are 56 of 64 MiB");
        assertEquals(2 << 20, Fetch.chunkFor(64L << 20));
        assertEquals(Fetch.SMALLEST_READ, Fetch.chunkFor(1L << 20));
    }
}
