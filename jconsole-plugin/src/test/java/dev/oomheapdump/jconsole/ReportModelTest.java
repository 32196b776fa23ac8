package dev.oomheapdump.jconsole;

import dev.oomheapdump.jconsole.AnalysisReport.ClassRow;
import dev.oomheapdump.jconsole.AnalysisReport.Suspect;
import dev.oomheapdump.jconsole.TabState.ArtifactRow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServerConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "What filled the heap" against the real bean over remote JMX: a snapshot of this JVM, which holds a known
 * hoard, is analyzed through the model (in a separate process, as in production), and the report the model
 * fetches with readArtifact must name the hoard and match the JSON file on disk.
 */
class ReportModelTest {

    /** 24 blocks of 1 MiB, reachable from one static field only. */
    static final class Hoard {
        static final int BLOCKS = 24;
        static byte[][] blocks;
    }

    @TempDir
    Path dir;

    private BeanFixture fixture;

    @AfterEach
    void close() throws Exception {
        Hoard.blocks = null;
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void theReportOfASnapshotNamesWhatTheTestHoldsAndMatchesTheFileOnDisk() throws Exception {
        fixture = new BeanFixture(dir, true);
        MBeanServerConnection remote = fixture.remote();
        TabModel tab = new TabModel(() -> remote, () -> { });
        ReportModel reports = new ReportModel(() -> remote);
        Hoard.blocks = new byte[Hoard.BLOCKS][1 << 20];
        String dump = tab.createHeapSnapshot("held").path();

        Result analyzed = reports.analyze(dump);
        assertTrue(analyzed.ok(), analyzed.message());
        Path json = Paths.get(analyzed.path());
        assertEquals(Paths.get(dump).resolveSibling("held.report.json"), json);

        List<ArtifactRow> listed = tab.poll().artifacts();
        ArtifactRow dumpRow = listed.stream().filter(a -> a.path().equals(dump)).findFirst().orElseThrow();
        Optional<ArtifactRow> reportRow = ReportModel.reportFor(dumpRow, listed);
        assertEquals(Optional.of(json.toString()), reportRow.map(ArtifactRow::path), "the table's row finds its report");

        AnalysisReport report = reports.load(reportRow.get().path());
        assertEquals(AnalysisReport.parse(Files.readString(json, StandardCharsets.UTF_8)), report,
                "what readArtifact fetched is the file on disk");
        long hoard = (long) Hoard.BLOCKS << 20;
        assertTrue(report.objects() > 0 && report.reachableBytes() >= hoard, report.toString());

        assertFalse(report.suspects().isEmpty(), "suspects");
        Suspect top = report.suspects().get(0);
        assertTrue(top.retainedBytes() >= hoard && top.retainedBytes() < hoard + (1 << 20),
                "the top suspect retains the hoard: " + top);
        assertTrue(String.join(" ", top.path()).contains("Hoard.blocks"), "its path names the field: " + top.path());
        assertTrue(top.retainedPercent() > 0 && top.retainedPercent() <= 100, top.toString());

        assertFalse(report.histogram().isEmpty(), "histogram");
        ClassRow bytes = report.histogram().stream().filter(c -> c.className().equals("byte[]")).findFirst()
                .orElseThrow(() -> new AssertionError("byte[] in " + report.histogram()));
        assertTrue(bytes.instances() >= Hoard.BLOCKS && bytes.shallowBytes() >= hoard, bytes.toString());
        for (int i = 1; i < report.histogram().size(); i++) {
            assertTrue(report.histogram().get(i - 1).retainedBytes() >= report.histogram().get(i).retainedBytes(),
                    "sorted by retained size");
        }

        AnalysisReport inSmallBlocks = new ReportModel(() -> remote, 100).load(json.getFileName().toString());
        assertEquals(report, inSmallBlocks, "read in blocks of 100 bytes, by name");
        assertTrue(Files.size(json) > 100, "more than one block");
    }

    @Test
    void aFileThatIsNotAListedDumpIsRefusedWithTheBeansMessage() throws Exception {
        fixture = new BeanFixture(dir, true);
        MBeanServerConnection remote = fixture.remote();
        ReportModel reports = new ReportModel(() -> remote);

        Result refused = reports.analyze("nothing-here.hprof");

        assertFalse(refused.ok());
        assertTrue(refused.message().startsWith("Analysis refused or failed: ") && refused.message().contains("nothing-here"),
                refused.message());
        assertFalse(refused.message().contains("Exception"), "the bean's words, no class name: " + refused.message());
    }

    @Test
    void aDumpFindsItsReportByBaseNameAndOnlyAComplete() {
        ArtifactRow dump = row("/d/x.hprof", "HEAP_SNAPSHOT", "COMPLETE");
        ArtifactRow json = row("/d/x.report.json", "HEAP_REPORT", "COMPLETE");
        ArtifactRow text = row("/d/x.report.txt", "HEAP_REPORT", "COMPLETE");
        ArtifactRow other = row("/d/xy.report.json", "HEAP_REPORT", "COMPLETE");
        assertEquals(Optional.of(json), ReportModel.reportFor(dump, List.of(other, text, json)));
        assertEquals(Optional.of(json), ReportModel.reportFor(text, List.of(other, text, json)), "a report row: its JSON");
        assertEquals(Optional.empty(), ReportModel.reportFor(dump, List.of(other, text)));
        assertEquals(Optional.empty(), ReportModel.reportFor(dump,
                List.of(row("/d/x.report.json", "HEAP_REPORT", "IN_PROGRESS"))));
        assertEquals(Optional.empty(), ReportModel.reportFor(row("/d/x.jfr", "CPU_PROFILE", "COMPLETE"), List.of(json)));
        assertTrue(ReportModel.analyzable(dump));
        assertFalse(ReportModel.analyzable(row("/d/x.hprof", "OOM_DUMP", "TRUNCATED")));
        assertFalse(ReportModel.analyzable(json));
    }

    private static ArtifactRow row(String path, String kind, String state) {
        return new ArtifactRow(path, kind, 10, 1, state, "THIS_RUN", "");
    }
}
