package dev.oomheapdump.core.analysis;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The memory promise: a dump of N bytes is analyzed with a Java heap of N/2, with the same report as with plenty
 * of heap; and the temporary files are gone afterwards, whether the analysis succeeded or failed.
 */
class MemoryBoundTest {

    private static String withoutDuration(String json) {
        return json.replaceAll("\"durationMillis\": *[0-9]+", "");
    }

    @Test
    void aDumpIsAnalyzedWithAHeapOfHalfItsSize() throws Exception {
        Path dump = ChildDumps.dump(Path.of(System.getProperty("java.home")), "big", "true", "400000");
        long size = Files.size(dump);
        assertTrue(size > 20L << 20, "the dump should be some tens of MB: " + size);
        String expected = withoutDuration(HeapAnalyzer.analyze(dump, HeapAnalyzer.Options.defaults(),
                AnalysisProgress.NONE).toJson());

        Path out = ChildDumps.scratch("child-report.json");
        long heapMb = size / 2 >> 20;
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + heapMb + "m",
                "-XX:+UseSerialGC", "-cp", classpath(), ChildAnalysis.class.getName(), dump.toString(),
                out.toString()));
        Path log = ChildDumps.scratch("child-analysis.log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child analysis did not finish in 120 s");
        assertEquals(0, p.exitValue(), "the analysis with -Xmx" + heapMb + "m failed: " + Files.readString(log));
        assertEquals(expected, withoutDuration(Files.readString(out)));
    }

    private static String classpath() throws URISyntaxException {
        String tests = Path.of(ChildAnalysis.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        String main = Path.of(HeapAnalyzer.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        return tests + java.io.File.pathSeparator + main;
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void temporaryFilesAreGoneAfterAnAnalysis() throws IOException {
        Path dir = Files.createDirectories(ChildDumps.scratch("beside"));
        Path dump = Files.copy(ChildDumps.dump("zoo", "true"), dir.resolve("zoo.hprof"));
        List<List<Path>> during = new ArrayList<>();
        HeapAnalyzer.analyze(dump, HeapAnalyzer.Options.defaults(), (phase, f) -> {
            if (during.isEmpty() && phase.equals("dominator tree")) {
                try {
                    during.add(list(dir));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
        assertEquals(1, during.size());
        assertTrue(during.get(0).stream().anyMatch(p -> p.getFileName().toString().contains("oom-heapdump-analysis")),
                "the temporary directory is made beside the dump: " + during.get(0));
        assertEquals(List.of(dump), list(dir), "only the dump is left");

        Path elsewhere = Files.createDirectories(ChildDumps.scratch("elsewhere"));
        HeapAnalyzer.analyze(dump, HeapAnalyzer.Options.defaults().withTempDirectory(elsewhere), AnalysisProgress.NONE);
        assertEquals(List.of(), list(elsewhere));
        assertEquals(List.of(dump), list(dir));
    }

    @Test
    void temporaryFilesAreGoneAfterAFailedAnalysis() throws IOException {
        Path dir = Files.createDirectories(ChildDumps.scratch("failed"));
        Path source = ChildDumps.dump("zoo", "true");
        Path cut = dir.resolve("cut.hprof");
        try (var in = Files.newInputStream(source); var out = Files.newOutputStream(cut)) {
            out.write(in.readNBytes((int) (Files.size(source) * 2 / 3)));
        }
        assertThrows(HprofFormatException.class, () -> HeapAnalyzer.analyze(cut));
        assertEquals(List.of(cut), list(dir), "only the truncated dump is left");
    }
}
