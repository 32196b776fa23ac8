package dev.oomheapdump.mbean.cli;

import dev.oomheapdump.core.analysis.HeapAnalyzer;
import dev.oomheapdump.core.analysis.HeapReport;
import dev.oomheapdump.core.analysis.HprofFormatException;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * {@code analyze FILE [--top N] [--json]}: what filled the heap of a {@code .hprof} or {@code .hprof.gz}, in this
 * process (it is not the monitored JVM). Exit 2 for a damaged, truncated or missing file, naming where it stops.
 */
final class AnalyzeCommand implements Command {

    static final String USAGE = "usage: analyze FILE [--top N] [--json]";

    @Override
    public int run(List<String> args, PrintStream out) throws Exception {
        Options options = Options.parse(args, 1, USAGE);
        Path file = Paths.get(options.files.get(0));
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("'" + file + "' is not a file");
        }
        HeapReport report;
        try (ProgressBar bar = ProgressBar.forConsole()) {
            report = HeapAnalyzer.analyze(file, HeapAnalyzer.Options.defaults().withTopClasses(options.top), bar);
        } catch (HprofFormatException | NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        out.println(options.json ? report.toJson() : report.toText());
        return 0;
    }

    /** The options analyze and diff share. */
    static final class Options {
        final List<String> files;
        final int top;
        final boolean json;

        private Options(List<String> files, int top, boolean json) {
            this.files = files;
            this.top = top;
            this.json = json;
        }

        /**
         * @param minFiles how many file arguments at least (analyze: exactly 1, diff: 2 or more)
         * @throws IllegalArgumentException naming the bad argument
         */
        static Options parse(List<String> args, int minFiles, String usage) {
            List<String> files = new java.util.ArrayList<>();
            int top = 20;
            boolean json = false;
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (arg.equals("--json")) {
                    json = true;
                } else if (arg.equals("--top")) {
                    if (i + 1 >= args.size()) {
                        throw new IllegalArgumentException("--top needs a number; " + usage);
                    }
                    top = topValue(args.get(++i), usage);
                } else if (arg.startsWith("--top=")) {
                    top = topValue(arg.substring("--top=".length()), usage);
                } else if (arg.startsWith("-")) {
                    throw new IllegalArgumentException("unknown option '" + arg + "'; " + usage);
                } else {
                    files.add(arg);
                }
            }
            if (files.size() < minFiles || (minFiles == 1 && files.size() != 1)) {
                throw new IllegalArgumentException(usage);
            }
            return new Options(List.copyOf(files), top, json);
        }

        private static int topValue(String value, String usage) {
            try {
                int top = Integer.parseInt(value);
                if (top >= 1 && top <= 100_000) {
                    return top;
                }
            } catch (NumberFormatException e) {
                // named below
            }
            throw new IllegalArgumentException("--top must be a whole number from 1 to 100000, not '" + value + "'; "
                    + usage);
        }
    }
}
