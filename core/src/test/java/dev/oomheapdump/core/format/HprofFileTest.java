package dev.oomheapdump.core.format;

import dev.oomheapdump.core.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
