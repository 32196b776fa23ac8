package dev.oomheapdump.core.analysis;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Gzip is recognized by its magic bytes, whatever the name, including HotSpot's own multi-member gzip. */
class GzipTest {

    @Test
    void aGzippedCopyGivesTheSameReportWhateverItsName() throws IOException {
        Path plain = ChildDumps.dump("zoo", "true");
        Path gz = ChildDumps.scratch("zoo-copy.hprof");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(plain, out);
        }
        assertEquals(withoutTimeAndName(HeapAnalyzer.analyze(plain).toJson()),
                withoutTimeAndName(HeapAnalyzer.analyze(gz).toJson()));
    }

    @Test
    void hotSpotsChunkedGzipFromJcmdIsRead() throws IOException {
        Path gz = ChildDumps.dump("zoo", "gz");
        byte[] head = new byte[2];
        try (var in = Files.newInputStream(gz)) {
            assertEquals(2, in.read(head));
        }
        assertEquals(0x1f, head[0] & 0xff, "jcmd -gz wrote gzip");
        HeapReport report = HeapAnalyzer.analyze(gz, HeapAnalyzer.Options.defaults().withTopClasses(100_000),
                AnalysisProgress.NONE);
        assertTrue(report.histogram().stream().anyMatch(r ->
                r.className().equals("dev.oomheapdump.core.analysis.Zoo$Marker") && r.instances() == Zoo.MARKERS));
        assertEquals("java.util.HashMap$Node[]", report.suspects().get(0).className());
    }

    private static String withoutTimeAndName(String json) {
        return json.replaceAll("\"durationMillis\":\\d+", "").replaceAll("\"file\":\"[^\"]*\"", "");
    }
}
