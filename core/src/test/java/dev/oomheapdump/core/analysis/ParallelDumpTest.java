package dev.oomheapdump.core.analysis;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A dump written in parallel and merged into segments (JDK 21 and later). Runs when the tests run on such a JDK,
 * or when {@code -Doomheapdump.jdk25=<java home>} or the {@code JDK25_HOME} environment variable names one.
 */
class ParallelDumpTest {

    private static Path javaHome() {
        String home = System.getProperty("oomheapdump.jdk25", System.getenv("JDK25_HOME"));
        if (home != null && !home.isBlank() && Files.isDirectory(Path.of(home))) {
            return Path.of(home);
        }
        return Runtime.version().feature() >= 21 ? Path.of(System.getProperty("java.home")) : null;
    }

    @Test
    void aParallelDumpGivesTheSameCountsAsNetBeans() throws IOException {
        Path home = javaHome();
        assumeTrue(home != null, "not on JDK 21+, and neither oomheapdump.jdk25 nor JDK25_HOME names a JDK 25");
        Path dump = ChildDumps.dump(home, "zoo", "parallel");
        HeapReport report = HeapAnalyzer.analyze(dump, HeapAnalyzer.Options.defaults().withTopClasses(100_000),
                AnalysisProgress.NONE);
        long markers = report.histogram().stream()
                .filter(r -> r.className().equals("dev.oomheapdump.core.analysis.Zoo$Marker"))
                .mapToLong(HeapReport.ClassRow::instances).sum();
        assertEquals(Zoo.MARKERS, markers);
        assertEquals("java.util.HashMap$Node[]", report.suspects().get(0).className());
        long total = NetBeansOracle.open(dump).instanceCounts().values().stream().mapToLong(Long::longValue).sum();
        assertEquals(total, report.objects());
    }
}
