package dev.oomheapdump.core.job;

import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.ArtifactKind;
import dev.oomheapdump.core.Fixtures;
import dev.oomheapdump.core.OomEvents;
import dev.oomheapdump.core.store.ArtifactStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report job: a real analysis in a separate process, and its refusals. */
class HeapReportsTest {

    @TempDir
    Path dir;

    private Artifact snapshot(ArtifactStore store, String name) throws IOException {
        return Fixtures.snapshot(store, name);
    }

    @Test
    void aListedDumpIsAnalyzedInAnotherProcessAndItsReportIsListed() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        snapshot(store, "snap.hprof");
        HeapReports reports = new HeapReports(store, new OomEvents());
        Path json = reports.analyze("snap");
        assertEquals(dir.resolve("snap.report.json"), json);
        String text = Files.readString(json);
        assertTrue(text.startsWith("{") && text.contains("\"suspects\"") && text.contains("\"histogram\""), text);
        assertTrue(reports.readText("snap.hprof").contains("Leak suspects"), "the text summary");
        assertEquals(reports.readText("snap.hprof"), reports.readText("snap.report.json"), "by the report's name too");
        List<String> listed = store.list().stream().filter(a -> a.kind() == ArtifactKind.HEAP_REPORT)
                .map(a -> a.path().getFileName() + " " + a.state()).collect(Collectors.toList());
        assertEquals(List.of("snap.report.json COMPLETE", "snap.report.txt COMPLETE"), listed.stream().sorted()
                .collect(Collectors.toList()));
        assertEquals(json, reports.analyze("snap.hprof"), "a dump with a report keeps it");
        assertTrue(Files.list(dir).noneMatch(p -> p.getFileName().toString().contains("inprogress")));
    }

    /** A {@code .hprof.gz} is analyzed as it is; its report drops the whole {@code .hprof.gz}; it is in use meanwhile. */
    @Test
    void aCompressedDumpIsAnalyzedAndItsReportIsNamedWithoutHprofGz() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        ArtifactStore.Reservation r = store.reserve("snap.hprof.gz", ArtifactKind.HEAP_SNAPSHOT, false, false);
        Files.copy(Fixtures.heapDump(), r.stagePath().orElseThrow());
        new HeapDumper().compress(r, 1);
        store.commit(r);
        java.util.List<String> usedBy = new java.util.concurrent.CopyOnWriteArrayList<>();
        OomEvents events = new OomEvents();
        HeapReports reports = new HeapReports(store, events, () -> {
            store.inUse().reason("snap.hprof.gz").ifPresent(usedBy::add); // asked just before the analysis starts
            return new HostMemory.Reading(-1, "unknown");
        });
        assertEquals(dir.resolve("snap.report.json"), reports.analyze("snap"));
        assertTrue(reports.readText("snap.hprof.gz").contains("Leak suspects"));
        assertEquals(List.of("analysis"), usedBy, "retention leaves the dump alone while it is analyzed");
        assertTrue(store.inUse().reason("snap.hprof.gz").isEmpty(), "and lets go after");
    }

    @Test
    void anAnalysisTheHostCannotGiveMemoryForIsRefusedAtOnceLeavingNothing() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        snapshot(store, "big.hprof");
        HeapReports reports = new HeapReports(store, new OomEvents(),
                () -> new HostMemory.Reading(10L << 20, "container limit 512 MiB, in use 502 MiB"));
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> reports.analyze("big"));
        assertTrue(refused.getMessage().startsWith("Not enough memory on this host to analyze big.hprof"),
                refused.getMessage());
        assertTrue(refused.getMessage().contains("the host can give 10 MiB (container limit 512 MiB, in use 502 MiB)"),
                refused.getMessage());
        assertEquals(List.of(ArtifactKind.HEAP_SNAPSHOT), store.list().stream().map(Artifact::kind)
                .collect(Collectors.toList()));
        assertEquals("", reports.running(), "the one-at-a-time slot is free again");
    }

    @Test
    void badRequestsAreRefusedNamingTheFile() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        HeapReports reports = new HeapReports(store, new OomEvents());
        assertThrows(IllegalArgumentException.class, () -> reports.analyze("nothing-here"));
        Path cut = Fixtures.truncatedCopy(Fixtures.heapDump(), 20_000, dir.resolve("outside.hprof"));
        IllegalArgumentException notListed = assertThrows(IllegalArgumentException.class,
                () -> reports.analyze(cut.toString()));
        assertTrue(notListed.getMessage().contains("not a file oom-heapdump made"), notListed.getMessage());
        IllegalArgumentException noReport = assertThrows(IllegalArgumentException.class, () -> {
            snapshot(store, "fresh.hprof");
            reports.readText("fresh");
        });
        assertTrue(noReport.getMessage().contains("run analyzeHeapSnapshot first"), noReport.getMessage());
    }

    @Test
    void aDamagedDumpIsRefusedWithTheAnalysersWordsAndNothingIsLeft() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        ArtifactStore.Reservation r = store.reserve("damaged.hprof", ArtifactKind.HEAP_SNAPSHOT, false, false);
        byte[] bytes = Files.readAllBytes(Fixtures.heapDump());
        // the record structure stays whole (the listing calls it complete); the first sub-record of the heap dump
        // gets a tag that does not exist, which only a reader of the records' bodies sees
        bytes[firstHeapDumpBody(bytes)] = 0x77;
        Files.write(r.writePath(), bytes);
        store.commit(r);
        HeapReports reports = new HeapReports(store, new OomEvents());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> reports.analyze("damaged"));
        assertTrue(e.getMessage().startsWith("Cannot analyze damaged.hprof: ") && e.getMessage().contains("offset"),
                e.getMessage());
        assertTrue(Files.list(dir).noneMatch(p -> p.getFileName().toString().contains("report")),
                "no report file is left");
    }

    /** The offset of the first byte inside the first HEAP_DUMP or HEAP_DUMP_SEGMENT record. */
    private static int firstHeapDumpBody(byte[] hprof) {
        int at = 0;
        while (hprof[at] != 0) {
            at++;
        }
        at += 1 + 4 + 8; // the header's NUL, identifier size, timestamp
        while (true) {
            int tag = hprof[at] & 0xff;
            long length = ((hprof[at + 5] & 0xffL) << 24) | ((hprof[at + 6] & 0xff) << 16) | ((hprof[at + 7] & 0xff) << 8)
                    | (hprof[at + 8] & 0xff);
            if (tag == 0x0C || tag == 0x1C) {
                return at + 9;
            }
            at += 9 + (int) length;
        }
    }
}
