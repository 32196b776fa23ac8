package dev.oomheapdump.core.analysis;

import java.nio.file.Files;
import java.nio.file.Path;

/** Not a test: analyzes a dump in a child JVM (started by {@link MemoryBoundTest}) and writes the JSON report. */
public final class ChildAnalysis {

    private ChildAnalysis() {
    }

    public static void main(String[] args) throws Exception {
        HeapReport report = HeapAnalyzer.analyze(Path.of(args[0]), HeapAnalyzer.Options.defaults(),
                AnalysisProgress.NONE);
        Files.writeString(Path.of(args[1]), report.toJson());
    }
}
