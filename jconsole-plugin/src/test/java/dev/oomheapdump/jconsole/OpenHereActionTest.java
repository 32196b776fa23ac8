package dev.oomheapdump.jconsole;

import dev.oomheapdump.jconsole.TabState.ArtifactRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What "Open in VisualVM" opens for a selection, and the unpacking of a gzip dump. */
class OpenHereActionTest {

    private static ArtifactRow row(String path, String kind, String state) {
        return new ArtifactRow(path, kind, 100, 1, state, "THIS_RUN", "");
    }

    private static final ArtifactRow DUMP = row("/d/heapsnapshot-1.hprof", "HEAP_SNAPSHOT", "COMPLETE");
    private static final ArtifactRow OOM = row("/d/OoM-pid-1.hprof.gz", "OOM_DUMP", "COMPLETE");
    private static final ArtifactRow WRITING = row("/d/heapsnapshot-2.hprof", "HEAP_SNAPSHOT", "IN_PROGRESS");
    private static final ArtifactRow JFR = row("/d/cpuprofile-1.jfr", "CPU_PROFILE", "COMPLETE");
    private static final ArtifactRow HTML = row("/d/cpuprofile-1.html", "CPU_PROFILE", "COMPLETE");
    private static final ArtifactRow REPORT = row("/d/heapsnapshot-1.report.json", "HEAP_REPORT", "COMPLETE");
    private static final List<ArtifactRow> LISTED = List.of(DUMP, OOM, WRITING, JFR, HTML, REPORT);

    @Test
    void oneCompleteHeapDumpOpensItself() {
        assertEquals(Optional.of(DUMP), OpenHereAction.plan(List.of(DUMP), LISTED, false).map(OpenHereAction.Plan::source));
        assertEquals(Optional.of(OOM), OpenHereAction.plan(List.of(OOM), LISTED, false).map(OpenHereAction.Plan::source));
        assertFalse(OpenHereAction.plan(List.of(WRITING), LISTED, true).isPresent(), "not while it is written");
        assertFalse(OpenHereAction.plan(List.of(DUMP, OOM), LISTED, true).isPresent(), "one at a time");
        assertFalse(OpenHereAction.plan(List.of(REPORT), LISTED, true).isPresent(), "a report is no dump");
        assertFalse(OpenHereAction.plan(List.of(), LISTED, true).isPresent());
    }

    @Test
    void aProfileOpensAsItsRecordingWhereTheConsoleReadsJfrElseAsItsFlameGraph() {
        OpenHereAction.Plan reads = OpenHereAction.plan(List.of(HTML), LISTED, true).orElseThrow();
        assertEquals(JFR, reads.source(), "the recording, whichever file of the profile is selected");
        assertNull(reads.flameGraph());

        OpenHereAction.Plan cannot = OpenHereAction.plan(List.of(JFR), LISTED, false).orElseThrow();
        assertNull(cannot.source());
        assertEquals(HTML, cannot.flameGraph().source(), "the JVM's flame graph, for the browser");
        assertFalse(OpenHereAction.plan(List.of(HTML), List.of(HTML), true).isPresent(), "no recording listed");
    }

    @Test
    void aGzipDumpIsUnpackedBesideItselfAndTheArchiveDeleted(@TempDir Path dir) throws Exception {
        byte[] hprof = "JAVA PROFILE 1.0.2\0 and the rest".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Path gz = dir.resolve("OoM-pid-1.hprof.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(hprof);
        }

        Path plain = OpenHereAction.gunzip(gz);

        assertEquals(dir.resolve("OoM-pid-1.hprof"), plain);
        assertArrayEquals(hprof, Files.readAllBytes(plain));
        assertFalse(Files.exists(gz));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(plain), files.toList(), "no part left");
        }
        assertTrue(Files.isRegularFile(plain));
    }
}
