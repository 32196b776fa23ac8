package dev.oomheapdump.core.job;

import dev.oomheapdump.core.analysis.AnalysisProgress;
import dev.oomheapdump.core.analysis.HeapAnalyzer;
import dev.oomheapdump.core.analysis.HeapReport;
import dev.oomheapdump.core.analysis.HprofFormatException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The separate process that analyzes a dump for the MBean, so that the analysis never runs in the monitored
 * JVM's heap: {@code AnalysisMain DUMP JSON TEXT}. Writes the report to the two files (the caller renames them
 * once this process exits 0); temporary tables go beside {@code JSON}. Exit codes: 0 done, 2 the dump is damaged,
 * truncated or missing, 1 anything else; the reason is one line on standard error.
 */
public final class AnalysisMain {

    private AnalysisMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: AnalysisMain DUMP JSON TEXT");
            return 2;
        }
        Path dump = Path.of(args[0]);
        Path json = Path.of(args[1]);
        try {
            HeapReport report = HeapAnalyzer.analyze(dump, HeapAnalyzer.Options.defaults()
                    .withTempDirectory(json.toAbsolutePath().getParent()), AnalysisProgress.NONE);
            Files.writeString(json, report.toJson(), StandardCharsets.UTF_8);
            Files.writeString(Path.of(args[2]), report.toText(), StandardCharsets.UTF_8);
            return 0;
        } catch (HprofFormatException | NoSuchFileException e) {
            System.err.println(dump + ": " + e.getMessage());
            return 2;
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            System.err.println(dump + ": " + e);
            return 1;
        }
    }
}
