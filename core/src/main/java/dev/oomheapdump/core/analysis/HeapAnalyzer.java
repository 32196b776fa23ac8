package dev.oomheapdump.core.analysis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Explains what filled a heap: reads an HPROF heap dump ({@code .hprof}, or gzip-compressed, recognized by its
 * content) and computes the class histogram, reachable and unreachable bytes, the dominator tree with retained
 * sizes, and the leak suspects with their paths from GC roots.
 *
 * <p>Memory stays small: every per-object table is a memory-mapped temporary file (a few dozen bytes per object
 * in all, beside the dump unless {@link Options#tempDirectory()} says otherwise, deleted at the end even when
 * the analysis fails), so the Java heap holds only the id map (2 bytes per object) and the classes; an
 * {@code -Xmx} of a quarter of the dump's size is plenty. The file is read in two sequential passes plus a few
 * short ones to name paths. Meant to run in its own JVM, never inside the heap that was dumped.
 *
 * <pre>{@code
 * HeapReport report = HeapAnalyzer.analyze(Path.of("OoM-pid-42.hprof"), HeapAnalyzer.Options.defaults(),
 *         (phase, fraction) -> System.err.printf("%s %.0f%%%n", phase, fraction * 100));
 * System.out.println(report.toText());
 * }</pre>
 */
public final class HeapAnalyzer {

    /**
     * How much to report.
     *
     * @param topClasses    how many histogram rows to keep (largest retained size first), at least 0
     * @param suspects      how many leak suspects to look for, at least 0
     * @param tempDirectory where the analysis keeps its temporary files (a new directory is made inside it and
     *                      deleted at the end), or null for beside the dump, or {@code java.io.tmpdir} when the
     *                      dump's directory is not writable. They take about 30 bytes per object and 12 per
     *                      reference of the dump, a fraction of the dump's size.
     */
    public record Options(int topClasses, int suspects, Path tempDirectory) {

        /** 50 histogram rows and 10 suspects, temporary files beside the dump. */
        public static Options defaults() {
            return new Options(50, 10, null);
        }

        /** Options with the temporary files beside the dump. */
        public Options(int topClasses, int suspects) {
            this(topClasses, suspects, null);
        }

        /**
         * @throws IllegalArgumentException when a number is negative
         */
        public Options {
            if (topClasses < 0) {
                throw new IllegalArgumentException("topClasses must be 0 or more: " + topClasses);
            }
            if (suspects < 0) {
                throw new IllegalArgumentException("suspects must be 0 or more: " + suspects);
            }
        }

        /** The same options with another number of histogram rows. */
        public Options withTopClasses(int top) {
            return new Options(top, suspects, tempDirectory);
        }

        /** The same options with another number of suspects. */
        public Options withSuspects(int count) {
            return new Options(topClasses, count, tempDirectory);
        }

        /** The same options with the temporary files in another directory (null: beside the dump). */
        public Options withTempDirectory(Path directory) {
            return new Options(topClasses, suspects, directory);
        }
    }

    private HeapAnalyzer() {
    }

    /**
     * Analyzes a heap dump.
     *
     * @param file     an HPROF file, plain or gzip-compressed
     * @param options  how much to report
     * @param progress told about each phase, may be {@link AnalysisProgress#NONE}
     * @return the report
     * @throws HprofFormatException when the file is not HPROF, or is truncated or damaged: the message names the
     *                              byte offset where reading stopped and what was expected
     * @throws java.nio.file.NoSuchFileException when the file does not exist
     * @throws IOException          when the file cannot be read
     */
    public static HeapReport analyze(Path file, Options options, AnalysisProgress progress) throws IOException {
        long start = System.nanoTime();
        AnalysisProgress p = progress == null ? AnalysisProgress.NONE : progress;
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "not a regular file");
        }
        HeapIndex index;
        DominatorTree tree;
        List<HeapReport.ClassRow> histogram;
        List<HeapReport.Suspect> suspects;
        try (Scratch scratch = Scratch.create(file, options.tempDirectory())) {
            index = new IndexBuilder(file, p, scratch).build();
            tree = DominatorTree.compute(index, p, scratch);
            histogram = Histogram.rows(index, tree, options.topClasses());
            p.update("leak suspects", 0);
            suspects = LeakSuspects.find(index, tree, options.suspects(), file, scratch);
            p.update("leak suspects", 1);
        }
        long objects = 0;
        long shallow = 0;
        for (int c = 0; c < index.instances.length; c++) {
            objects += index.instances[c];
            shallow += index.shallow[c];
        }
        int classes = 0;
        for (ClassDef def : index.classes.classes) {
            classes += def.id != 0 ? 1 : 0;
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        return new HeapReport(file.toString(), objects, classes, shallow, tree.reachableBytes, millis, histogram,
                suspects);
    }

    /** Analyzes a heap dump with the default options and no progress reports. */
    public static HeapReport analyze(Path file) throws IOException {
        return analyze(file, Options.defaults(), AnalysisProgress.NONE);
    }
}
