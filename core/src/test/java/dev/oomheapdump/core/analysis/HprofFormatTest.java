package dev.oomheapdump.core.analysis;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Damaged input gives an {@link HprofFormatException} naming the byte offset and what was expected. */
class HprofFormatTest {

    private static Path copy(Path source, long bytes, String name) throws IOException {
        Path target = ChildDumps.scratch(name);
        try (var in = Files.newInputStream(source); OutputStream out = Files.newOutputStream(target)) {
            out.write(in.readNBytes((int) bytes));
        }
        return target;
    }

    @Test
    void aTruncatedDumpNamesTheOffsetWhereItEnds() throws IOException {
        Path dump = ChildDumps.dump("zoo", "true");
        long size = Files.size(dump);
        for (long cut : new long[] {25, 40, 1000, size / 3, size / 2, size - 100, size - 1}) {
            Path cutFile = copy(dump, cut, "cut-" + cut + ".hprof");
            HprofFormatException e = assertThrows(HprofFormatException.class, () -> HeapAnalyzer.analyze(cutFile),
                    "cut at " + cut);
            assertTrue(e.offset() <= cut, e.getMessage());
            assertTrue(e.getMessage().contains("byte offset " + e.offset()), e.getMessage());
            assertTrue(e.getMessage().contains("expected") || e.getMessage().contains("HEAP_DUMP_END"), e.getMessage());
        }
    }

    @Test
    void aTruncatedGzipDumpNamesTheOffset() throws IOException {
        Path dump = ChildDumps.dump("zoo", "true");
        Path gz = ChildDumps.scratch("cut.hprof.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(dump, out);
        }
        Path cut = copy(gz, Files.size(gz) / 2, "cut-gz.hprof");
        HprofFormatException e = assertThrows(HprofFormatException.class, () -> HeapAnalyzer.analyze(cut));
        assertTrue(e.getMessage().contains("byte offset"), e.getMessage());
    }

    @Test
    void anEmptyFileIsNotAHeapDump() throws IOException {
        Path empty = ChildDumps.scratch("empty.hprof");
        Files.write(empty, new byte[0]);
        HprofFormatException e = assertThrows(HprofFormatException.class, () -> HeapAnalyzer.analyze(empty));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        assertEquals(0, e.offset());
    }

    @Test
    void garbageIsNotAHeapDump() throws IOException {
        Path garbage = ChildDumps.scratch("garbage.bin");
        byte[] bytes = new byte[10_000];
        new Random(42).nextBytes(bytes);
        Files.write(garbage, bytes);
        HprofFormatException e = assertThrows(HprofFormatException.class, () -> HeapAnalyzer.analyze(garbage));
        assertTrue(e.getMessage().contains("not an HPROF file"), e.getMessage());
    }

    @Test
    void aWrongHeaderIsRejected() throws IOException {
        Path jfr = ChildDumps.scratch("wrong-header.hprof");
        Files.write(jfr, "JAVA PROFILE 2.0\0".getBytes(StandardCharsets.ISO_8859_1));
        assertThrows(HprofFormatException.class, () -> HeapAnalyzer.analyze(jfr));
    }

    @Test
    void aWrongIdentifierSizeIsRejected() throws IOException {
        Path dump = ChildDumps.dump("zoo", "true");
        byte[] bytes = Files.readAllBytes(dump);
        bytes[19 + 3] = 5;
        Path bad = ChildDumps.scratch("bad-idsize.hprof");
        Files.write(bad, bytes);
        HprofFormatException e = assertThrows(HprofFormatException.class, () -> HeapAnalyzer.analyze(bad));
        assertTrue(e.getMessage().contains("identifier size 5 at byte offset 19"), e.getMessage());
    }

    @Test
    void aDamagedSubRecordTagIsNamedWithItsOffset() throws IOException {
        Path dump = ChildDumps.dump("zoo", "true");
        byte[] bytes = Files.readAllBytes(dump);
        int at = firstSubRecord(bytes);
        bytes[at] = 0x55;
        Path bad = ChildDumps.scratch("bad-tag.hprof");
        Files.write(bad, bytes);
        HprofFormatException e = assertThrows(HprofFormatException.class, () -> HeapAnalyzer.analyze(bad));
        assertTrue(e.getMessage().contains("unknown heap dump sub-record tag 0x55 at byte offset " + at),
                e.getMessage());
    }

    /** The offset of the first sub-record of the first heap dump segment. */
    private static int firstSubRecord(byte[] b) {
        int p = 19 + 4 + 8;
        while (true) {
            int tag = b[p] & 0xff;
            int length = ((b[p + 5] & 0xff) << 24) | ((b[p + 6] & 0xff) << 16) | ((b[p + 7] & 0xff) << 8)
                    | (b[p + 8] & 0xff);
            if (tag == Hprof.HEAP_DUMP_SEGMENT || tag == Hprof.HEAP_DUMP) {
                return p + 9;
            }
            p += 9 + length;
        }
    }
}
