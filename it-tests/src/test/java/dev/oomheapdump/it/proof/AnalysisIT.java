package dev.oomheapdump.it.proof;

import dev.oomheapdump.it.ChildJvm;
import dev.oomheapdump.it.ChildOutputOnFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What filled the heap, from the outside: the CLI on a dump of a real leak and on a GC_MONITORING series, over
 * JMX from jmxterm, and by itself ({@code analyze=oom}) for an OOM dump an earlier run left.
 */
@ExtendWith(ChildOutputOnFailure.class)
class AnalysisIT {

    private static final String LEAK_FIELD = "static dev.oomheapdump.it.app.LeakApp.LEAK";

    @TempDir
    Path dir;

    @TempDir
    Path work;

    /** Runs the agent jar's command line in a JVM of its own. */
    static ChildJvm cli(String... args) throws Exception {
        return ChildJvm.cli(args);
    }

    private List<Path> oomDumpOfALeak(String options, String sleepMsPerMiB) throws Exception {
        try (ChildJvm child = ChildJvm.builder().heap("64m").agent(options).noPort().directory(dir)
                .args("heap", "32", sleepMsPerMiB).start()) {
            assertEquals(3, child.awaitExit(Duration.ofSeconds(120)), "the child died of its OOM");
        }
        return ChildJvm.files(dir).stream().filter(p -> p.getFileName().toString().endsWith(".hprof"))
                .filter(p -> !p.getFileName().toString().startsWith(".")).sorted().collect(Collectors.toList());
    }

    @Test
    void theCliNamesTheLeakingStaticFieldOfAnOomDump() throws Exception {
        Path dump = oomDumpOfALeak("", "5").get(0);
        try (ChildJvm analyze = cli("analyze", dump.toString(), "--json", "--top", "5")) {
            assertEquals(0, analyze.awaitExit(Duration.ofSeconds(120)), analyze.output());
            String json = String.join("\n", analyze.lines());
            int suspects = json.indexOf("\"suspects\"");
            assertTrue(suspects > 0, json);
            String first = json.substring(suspects, Math.min(json.length(), suspects + 2000));
            assertTrue(first.contains(LEAK_FIELD), "the top suspect's path starts at the leaking field: " + first);
        }
        try (ChildJvm text = cli("analyze", dump.toString())) {
            assertEquals(0, text.awaitExit(Duration.ofSeconds(120)), text.output());
            assertTrue(text.output().contains("Leak suspects") && text.output().contains(LEAK_FIELD), text.output());
        }
    }

    @Test
    void aCutDumpIsRefusedWithExitTwoNamingWhereItStops() throws Exception {
        Path dump = oomDumpOfALeak("", "5").get(0);
        Path cut = work.resolve("cut.hprof");
        try (var in = Files.newInputStream(dump); var out = Files.newOutputStream(cut)) {
            out.write(in.readNBytes((int) Math.min(Files.size(dump) / 2, 8 << 20)));
        }
        try (ChildJvm analyze = cli("analyze", cut.toString())) {
            assertEquals(2, analyze.awaitExit(Duration.ofSeconds(60)), analyze.output());
            assertTrue(analyze.output().contains("cut.hprof: ") && analyze.output().contains("offset"), analyze.output());
            assertTrue(analyze.lines().stream().noneMatch(l -> l.trim().startsWith("at ")), "no stack trace: "
                    + analyze.output());
        }
    }

    @Test
    void diffOfAGcMonitoringSeriesPutsWhatGrewInEveryStepFirst() throws Exception {
        // two monitor dumps, at 50 % and 75 % of the heap, of a leak slow enough for both to see it grow
        List<Path> series = oomDumpOfALeak("OOMImplementation=GC_MONITORING,threshold=50,limit=2", "20");
        assertTrue(series.size() >= 2, "a series of dumps: " + series);
        List<Path> oldestFirst = series.stream().sorted((a, b) -> Long.compare(a.toFile().lastModified(),
                b.toFile().lastModified())).collect(Collectors.toList());
        String[] args = new String[oldestFirst.size() + 3];
        args[0] = "diff";
        for (int i = 0; i < oldestFirst.size(); i++) {
            args[i + 1] = oldestFirst.get(i).toString();
        }
        args[args.length - 2] = "--top";
        args[args.length - 1] = "3";
        try (ChildJvm diff = cli(args)) {
            assertEquals(0, diff.awaitExit(Duration.ofSeconds(120)), diff.output());
            List<String> lines = diff.lines();
            int header = lines.indexOf(lines.stream().filter(l -> l.contains("bytes grown")).findFirst().orElseThrow());
            String first = lines.get(header + 1);
            assertTrue(first.endsWith("  byte[]") || first.endsWith("dev.oomheapdump.it.app.LeakedBlob"),
                    "what the leak keeps grew most:\n" + diff.output());
        }
    }

    @Test
    void jmxtermAnalyzesASnapshotAndReadsItsReport() throws Exception {
        try (ChildJvm child = Proof.start(Proof.app().heap("64m").agent("").directory(dir))) {
            Proof.command(child, "fill 30", "FILLED", Duration.ofSeconds(30));
            Jmxterm.Transcript t = Jmxterm.run(work, child.port(), List.of(
                    "run createHeapSnapshot held",
                    "run analyzeHeapSnapshot held",
                    "run readHeapReport held",
                    "run analyzeHeapSnapshot nothing-here",
                    "get -s Analyze",
                    "get -s CpuProfiles HeapSnapshots"));
            assertTrue(t.output(1).contains(dir.resolve("held.report.json").toString()), t.output(1));
            assertTrue(t.output(2).contains("Leak suspects")
                    && t.output(2).contains("static dev.oomheapdump.it.proof.ProofApp.KEPT"), t.output(2));
            assertTrue(t.output(3).contains("'nothing-here' is not a file oom-heapdump made"), t.output(3));
            assertTrue(t.output(4).contains("off"), t.output(4));
            assertTrue(t.output(5).contains("held.hprof") && !t.output(5).contains(".report."),
                    "reports are neither CPU profiles nor heap snapshots: " + t.output(5));
            assertTrue(Files.isRegularFile(dir.resolve("held.report.txt")));
        }
    }

    @Test
    void anOomDumpAnEarlierRunLeftIsAnalyzedWhenTheNextRunStarts() throws Exception {
        Path dump = oomDumpOfALeak("", "5").get(0);
        String base = dump.getFileName().toString().replace(".hprof", "");
        try (ChildJvm next = ChildJvm.builder().heap("64m").agent("analyze=oom").noPort().directory(dir).start()) {
            next.await(Duration.ofSeconds(120), "the earlier run's dump has its report").until(() ->
                    Files.isRegularFile(dir.resolve(base + ".report.json"))
                            && Files.isRegularFile(dir.resolve(base + ".report.txt")));
            String report = Files.readString(dir.resolve(base + ".report.json"));
            assertTrue(report.contains("\"dev.oomheapdump.it.app.LeakedBlob\""), "the report is of the leak: " + report);
            next.send("exit");
            assertEquals(0, next.awaitExit(Duration.ofSeconds(30)));
        }
    }
}
