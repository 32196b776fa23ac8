package dev.oomheapdump.core.analysis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The result of {@link HeapDiff}: per class, instances and shallow bytes in each dump. An immutable value.
 * {@link #toJson()} writes {@code {"classes": [{"class", "instancesBefore", "instancesAfter", "bytesBefore",
 * "bytesAfter"}, ...]}}; for a series of more than two dumps each class also carries {@code "instances"} and
 * {@code "bytes"} (one number per dump) and {@code "growsEveryStep"}.
 */
public final class DiffReport {

    /**
     * One class across the dumps.
     *
     * @param className as {@code Class.getTypeName()} prints it
     * @param instances instances in each dump, oldest first
     * @param bytes     shallow bytes in each dump, oldest first
     */
    public record ClassDelta(String className, List<Long> instances, List<Long> bytes) {

        public ClassDelta {
            instances = List.copyOf(instances);
            bytes = List.copyOf(bytes);
        }

        public long instancesBefore() {
            return instances.get(0);
        }

        public long instancesAfter() {
            return instances.get(instances.size() - 1);
        }

        public long bytesBefore() {
            return bytes.get(0);
        }

        public long bytesAfter() {
            return bytes.get(bytes.size() - 1);
        }

        /** Bytes after minus bytes before. */
        public long growth() {
            return bytesAfter() - bytesBefore();
        }

        /** True when the bytes grow from each dump to the next. */
        public boolean growsEveryStep() {
            for (int i = 1; i < bytes.size(); i++) {
                if (bytes.get(i) <= bytes.get(i - 1)) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final Comparator<ClassDelta> ORDER = Comparator
            .comparing(ClassDelta::growsEveryStep).reversed()
            .thenComparing(Comparator.comparingLong(ClassDelta::growth).reversed())
            .thenComparing(Comparator.comparingLong((ClassDelta d) -> d.instancesAfter() - d.instancesBefore())
                    .reversed())
            .thenComparing(ClassDelta::className);

    private final List<String> files;
    private final List<ClassDelta> classes;

    DiffReport(List<String> files, List<ClassDelta> classes) {
        this.files = List.copyOf(files);
        List<ClassDelta> sorted = new ArrayList<>(classes);
        sorted.sort(ORDER);
        this.classes = List.copyOf(sorted);
    }

    /** The dumps compared, oldest first. */
    public List<String> files() {
        return files;
    }

    /** Every class, those growing in every step first, then by bytes grown, largest first. */
    public List<ClassDelta> classes() {
        return classes;
    }

    /** All classes as JSON. */
    public String toJson() {
        return toJson(Integer.MAX_VALUE);
    }

    /** The first {@code top} classes as JSON. */
    public String toJson(int top) {
        boolean series = files.size() > 2;
        Json json = new Json().begin().beginArray("classes");
        for (ClassDelta d : classes.subList(0, Math.min(Math.max(top, 0), classes.size()))) {
            json.begin().field("class", d.className())
                    .field("instancesBefore", d.instancesBefore()).field("instancesAfter", d.instancesAfter())
                    .field("bytesBefore", d.bytesBefore()).field("bytesAfter", d.bytesAfter());
            if (series) {
                json.numbers("instances", d.instances().stream().mapToLong(Long::longValue).toArray())
                        .numbers("bytes", d.bytes().stream().mapToLong(Long::longValue).toArray())
                        .field("growsEveryStep", d.growsEveryStep());
            }
            json.end();
        }
        return json.endArray().end().toString();
    }

    /** All classes as text. */
    public String toText() {
        return toText(Integer.MAX_VALUE);
    }

    /** The first {@code top} classes as a table for people. */
    public String toText(int top) {
        StringBuilder out = new StringBuilder();
        out.append("Heap diff, oldest first:\n");
        for (String f : files) {
            out.append("  ").append(f).append('\n');
        }
        out.append(String.format(Locale.ROOT, "%n%12s %12s %12s %12s  %s%n", "bytes grown", "bytes after",
                "instances +", "instances", "class"));
        for (ClassDelta d : classes.subList(0, Math.min(Math.max(top, 0), classes.size()))) {
            out.append(String.format(Locale.ROOT, "%12s %12s %,+12d %,12d  %s%s%n", signed(d.growth()),
                    HeapReport.bytes(d.bytesAfter()), d.instancesAfter() - d.instancesBefore(), d.instancesAfter(),
                    d.className(), files.size() > 2 && d.growsEveryStep() ? "  (grows in every step)" : ""));
        }
        return out.toString();
    }

    private static String signed(long b) {
        return (b < 0 ? "-" : "+") + HeapReport.bytes(Math.abs(b));
    }
}
