package dev.oomheapdump.core.analysis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What grew between heap dumps of one JVM: per class, instances and shallow bytes in each dump. Reads only the
 * class histogram of each file (one pass each, no index and no dominator tree), so it is quick and light.
 *
 * <pre>{@code
 * DiffReport diff = HeapDiff.diff(List.of(Path.of("before.hprof"), Path.of("after.hprof")));
 * System.out.println(diff.toText(20));
 * }</pre>
 */
public final class HeapDiff {

    private HeapDiff() {
    }

    /**
     * Compares dumps of one JVM, oldest first.
     *
     * @param dumps two dumps (before, after) or a series of more, oldest first; plain or gzip-compressed HPROF
     * @return the classes sorted with those that grow in every step first, then by bytes grown, largest first
     * @throws IllegalArgumentException when fewer than two dumps are given
     * @throws HprofFormatException     when a file is not HPROF, or is truncated or damaged (the message names
     *                                  the byte offset)
     * @throws IOException              when a file cannot be read
     */
    public static DiffReport diff(List<Path> dumps) throws IOException {
        return diff(dumps, AnalysisProgress.NONE);
    }

    /**
     * Compares dumps of one JVM, oldest first, telling {@code progress} about each file.
     *
     * @see #diff(List)
     */
    public static DiffReport diff(List<Path> dumps, AnalysisProgress progress) throws IOException {
        if (dumps == null || dumps.size() < 2) {
            throw new IllegalArgumentException("a diff needs at least two dumps, oldest first; got "
                    + (dumps == null ? 0 : dumps.size()));
        }
        AnalysisProgress p = progress == null ? AnalysisProgress.NONE : progress;
        List<Map<String, long[]>> histograms = new ArrayList<>();
        for (int i = 0; i < dumps.size(); i++) {
            int at = i;
            histograms.add(Histogram.scan(dumps.get(i),
                    (phase, f) -> p.update("histogram " + (at + 1) + "/" + dumps.size(), f)));
        }
        TreeSet<String> names = new TreeSet<>();
        histograms.forEach(h -> names.addAll(h.keySet()));
        List<DiffReport.ClassDelta> rows = new ArrayList<>();
        for (String name : names) {
            List<Long> instances = new ArrayList<>();
            List<Long> bytes = new ArrayList<>();
            for (Map<String, long[]> h : histograms) {
                long[] row = h.getOrDefault(name, new long[2]);
                instances.add(row[0]);
                bytes.add(row[1]);
            }
            rows.add(new DiffReport.ClassDelta(name, instances, bytes));
        }
        List<String> files = new ArrayList<>();
        dumps.forEach(d -> files.add(d.toString()));
        return new DiffReport(files, rows);
    }
}
