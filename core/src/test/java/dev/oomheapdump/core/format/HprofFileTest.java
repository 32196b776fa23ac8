package dev.oomheapdump.core.format;

import dev.oomheapdump.core.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HprofFileTest {

    @TempDir
    Path dir;

    @Test
    void aDumpOfThisJvmIsCompleteAndNamesItsClasses() throws Exception {
        Path dump = Fixtures.heapDump();
        HprofFile.Check check = HprofFile.check(dump);
        assertTrue(check.complete(), check.toString());
        assertEquals(Files.size(dump), check.bytes());
        assertEquals(8, check.idSize());
        assertTrue(check.records() > 1000, "a real dump has many records: " + check.records());
        assertTrue(HprofFile.classNames(dump).contains("dev/oomheapdump/core/format/HprofFileTest"));
    }

    @Test
    void everyCutOfTheFileIsTruncated() throws Exception {
        Path dump = Fixtures.heapDump();
        long size = Files.size(dump);
        long[] cuts = {0, 5, 18, 25, 31, 40, size / 3, size / 2, size - 20, size - 9, size - 1};
        for (long cut : cuts) {
            Path part = Fixtures.truncatedCopy(dump, cut, dir.resolve("cut-" + cut + ".hprof"));
            HprofFile.Check check = HprofFile.check(part);
            assertFalse(check.complete(), "cut at " + cut + " of " + size + " must not pass: " + check);
            assertFalse(check.reason().isEmpty());
        }
    }

    @Test
    void trailingGarbageAfterTheEndMarkerIsNotComplete() throws Exception {
        Path copy = Files.copy(Fixtures.heapDump(), dir.resolve("garbage.hprof"));
        try (OutputStream out = Files.newOutputStream(copy, java.nio.file.StandardOpenOption.APPEND)) {
            out.write(new byte[]{0x2C, 0, 0, 0, 0, 0, 0, 0, 50});
        }
        assertFalse(HprofFile.check(copy).complete());
    }

    @Test
    void aGzipCompressedDumpIsWalkedThroughGunzip() throws Exception {
        Path gz = dir.resolve("dump.hprof");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(Fixtures.heapDump(), out);
        }
        assertTrue(HprofFile.check(gz).complete(), HprofFile.check(gz).toString());
        Path cut = Fixtures.truncatedCopy(gz, Files.size(gz) / 2, dir.resolve("cut.hprof"));
        assertFalse(HprofFile.check(cut).complete());
    }

    /**
     * HotSpot's own gzip ({@code HeapDumpGzipLevel}) writes one gzip member per block of 1 MiB: a file of many
     * members is complete only when the last member's trailer is there and the HPROF inside ends with its marker;
     * a cut between two members (every member whole) is not.
     */
    @Test
    void aGzipOfManyMembersIsCompleteOnlyWholeToItsLastTrailer() throws Exception {
        Path members = dir.resolve("members.hprof.gz");
        byte[] plain = Files.readAllBytes(Fixtures.heapDump());
        List<Long> boundaries = new ArrayList<>();
        try (OutputStream file = Files.newOutputStream(members)) {
            for (int from = 0; from < plain.length; from += 1 << 16) {
                GZIPOutputStream member = new GZIPOutputStream(new NoClose(file));
                member.write(plain, from, Math.min(1 << 16, plain.length - from));
                member.finish();
                boundaries.add(Files.size(members));
            }
        }
        assertTrue(boundaries.size() > 3, "several members: " + boundaries.size());
        assertTrue(HprofFile.check(members).complete(), HprofFile.check(members).toString());
        long size = Files.size(members);
        long betweenMembers = boundaries.get(boundaries.size() / 2);
        for (long cut : new long[]{betweenMembers, size - 8, size - 1}) {
            Path part = Fixtures.truncatedCopy(members, cut, dir.resolve("members-" + cut + ".hprof.gz"));
            assertFalse(HprofFile.check(part).complete(), "cut at " + cut + " of " + size);
        }
    }

    @Test
    void aGzipWhoseChecksumDoesNotMatchIsNotComplete() throws Exception {
        Path gz = dir.resolve("crc.hprof.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(Fixtures.heapDump(), out);
        }
        byte[] bytes = Files.readAllBytes(gz);
        bytes[bytes.length - 8] ^= 0x5a; // the CRC-32 of the trailer
        Files.write(gz, bytes);
        HprofFile.Check check = HprofFile.check(gz);
        assertFalse(check.complete());
        assertTrue(check.reason().contains("trailer") || check.reason().contains("CRC"), check.reason());
    }

    /** Lets a gzip member finish without closing the file under it. */
    private static final class NoClose extends java.io.FilterOutputStream {
        NoClose(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws java.io.IOException {
            flush();
        }
    }

    @Test
    void otherFilesAreNotHeapDumps() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.hprof"), "JAVA PROFILER? no, notes", StandardCharsets.UTF_8);
        HprofFile.Check check = HprofFile.check(text);
        assertFalse(check.complete());
        assertTrue(check.reason().contains("not an HPROF file"), check.reason());
        assertFalse(HprofFile.check(dir.resolve("missing.hprof")).complete());
        assertThrows(java.io.IOException.class, () -> HprofFile.classNames(text));
    }
}
