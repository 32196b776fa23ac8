package dev.oomheapdump.mbean.cli;

import dev.oomheapdump.core.analysis.DiffReport;
import dev.oomheapdump.core.analysis.HeapDiff;
import dev.oomheapdump.core.analysis.HprofFormatException;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code diff OLD NEW [MORE...] [--top N] [--json]}: what grew between dumps of one JVM, oldest first (a
 * GC_MONITORING series is the natural input); the classes that grew in every step come first.
 */
final class DiffCommand implements Command {

    static final String USAGE = "usage: diff OLD NEW [MORE...] [--top N] [--json]";

    @Override
    public int run(List<String> args, PrintStream out) throws Exception {
        AnalyzeCommand.Options options = AnalyzeCommand.Options.parse(args, 2, USAGE);
        List<Path> files = new ArrayList<>();
        for (String name : options.files) {
            Path file = Paths.get(name);
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("'" + file + "' is not a file");
            }
            files.add(file);
        }
        DiffReport report;
        try (ProgressBar bar = ProgressBar.forConsole()) {
            report = HeapDiff.diff(files, bar);
        } catch (HprofFormatException | NoSuchFileException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        out.println(options.json ? report.toJson(options.top) : report.toText(options.top));
        return 0;
    }
}
