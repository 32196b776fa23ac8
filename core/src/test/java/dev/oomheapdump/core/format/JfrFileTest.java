package dev.oomheapdump.core.format;

import dev.oomheapdump.core.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JfrFileTest {

    @TempDir
    Path dir;

    @Test
    void aRecordingIsCompleteAndItsCutsAreNot() throws Exception {
        Path jfr = Fixtures.jfr();
        assertTrue(JfrFile.check(jfr).complete(), JfrFile.check(jfr).toString());
        long size = Files.size(jfr);
        for (long cut : new long[]{0, 3, 16, 67, size / 2, size - 1}) {
            Path part = Fixtures.truncatedCopy(jfr, cut, dir.resolve("cut-" + cut + ".jfr"));
            assertFalse(JfrFile.check(part).complete(), "cut at " + cut);
        }
        assertFalse(JfrFile.check(Fixtures.heapDump()).complete(), "a heap dump is not a recording");
    }
}
