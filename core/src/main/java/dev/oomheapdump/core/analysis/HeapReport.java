package dev.oomheapdump.core.analysis;

import java.util.List;
import java.util.Locale;

/**
 * What filled the heap: totals, the class histogram and the leak suspects of one heap dump. An immutable value;
 * {@link #toJson()} writes the report schema of the project's contract, {@link #toText()} a summary for people.
 *
 * <p>Sizes are shallow sizes as VisualVM (the NetBeans profiler heap library) computes them from the dump:
 * an instance is its fields plus a header of two identifiers, an array is two identifiers plus 8 bytes plus its
 * elements. Class objects are part of the graph (they hold static fields) but have no size of their own and
 * are not counted as instances of {@code java.lang.Class}. {@code reachableBytes} is what a GC root reaches
 * through strong references (the {@code referent} of weak, soft, final and phantom references is not followed).
 */
public final class HeapReport {

    /**
     * One row of the class histogram.
     *
     * @param className     the class as {@code Class.getTypeName()} prints it
     * @param instances     objects of the class in the file, reachable or not
     * @param shallowBytes  their shallow size
     * @param retainedBytes the sum of the retained sizes of the reachable objects of the class whose immediate
     *                      dominator is not itself an object of the same class (so that a linked list or a tree
     *                      of one class is not counted once per level)
     */
    public record ClassRow(String className, long instances, long shallowBytes, long retainedBytes) {
    }

    /**
     * A leak suspect: a large dominator, followed down to where its retained size accumulates.
     *
     * @param className       the class of the object ({@code java.lang.Class} for a class object)
     * @param objectId        the object id in the dump, {@code 0x...}
     * @param retainedBytes   what would be freed if the object were unreachable
     * @param retainedPercent retained bytes as a percentage of the reachable bytes
     * @param path            a shortest path from a GC root, one element per step, for example
     *                        {@code ["static com.acme.Graph.CACHE", "java.util.HashMap.table"]}
     */
    public record Suspect(String className, String objectId, long retainedBytes, double retainedPercent,
                          List<String> path) {
        public Suspect {
            path = List.copyOf(path);
        }
    }

    private final String file;
    private final long objects;
    private final int classes;
    private final long shallowBytes;
    private final long reachableBytes;
    private final long durationMillis;
    private final List<ClassRow> histogram;
    private final List<Suspect> suspects;

    HeapReport(String file, long objects, int classes, long shallowBytes, long reachableBytes, long durationMillis,
               List<ClassRow> histogram, List<Suspect> suspects) {
        this.file = file;
        this.objects = objects;
        this.classes = classes;
        this.shallowBytes = shallowBytes;
        this.reachableBytes = reachableBytes;
        this.durationMillis = durationMillis;
        this.histogram = List.copyOf(histogram);
        this.suspects = List.copyOf(suspects);
    }

    /** The analyzed file as it was given. */
    public String file() {
        return file;
    }

    /** Instances and arrays in the file, reachable or not (class objects not included). */
    public long objects() {
        return objects;
    }

    /** Classes in the file (CLASS_DUMP records). */
    public int classes() {
        return classes;
    }

    /** Shallow bytes of all objects. */
    public long shallowBytes() {
        return shallowBytes;
    }

    /** Shallow bytes of the objects a GC root reaches. */
    public long reachableBytes() {
        return reachableBytes;
    }

    /** Shallow bytes of the objects no GC root reaches (garbage, or only weakly reachable). */
    public long unreachableBytes() {
        return shallowBytes - reachableBytes;
    }

    /** How long the analysis took. */
    public long durationMillis() {
        return durationMillis;
    }

    /** The top classes by retained bytes, then shallow bytes, largest first. */
    public List<ClassRow> histogram() {
        return histogram;
    }

    /** The leak suspects, largest retained size first. */
    public List<Suspect> suspects() {
        return suspects;
    }

    /** The report as JSON, in the schema of the {@code *.report.json} files. */
    public String toJson() {
        Json json = new Json().begin()
                .field("file", file)
                .field("objects", objects)
                .field("classes", classes)
                .field("shallowBytes", shallowBytes)
                .field("reachableBytes", reachableBytes)
                .field("unreachableBytes", unreachableBytes())
                .field("durationMillis", durationMillis)
                .beginArray("histogram");
        for (ClassRow row : histogram) {
            json.begin().field("class", row.className()).field("instances", row.instances())
                    .field("shallowBytes", row.shallowBytes()).field("retainedBytes", row.retainedBytes()).end();
        }
        json.endArray().beginArray("suspects");
        for (Suspect s : suspects) {
            json.begin().field("class", s.className()).field("objectId", s.objectId())
                    .field("retainedBytes", s.retainedBytes()).field("retainedPercent", s.retainedPercent())
                    .strings("path", s.path()).end();
        }
        return json.endArray().end().toString();
    }

    /** A summary for a person: totals, the suspects with their paths, the histogram. */
    public String toText() {
        StringBuilder out = new StringBuilder();
        out.append("Heap dump ").append(file).append('\n');
        out.append(String.format(Locale.ROOT, "  %,d objects of %,d classes, %s in all%n", objects, classes,
                bytes(shallowBytes)));
        out.append(String.format(Locale.ROOT, "  reachable %s; unreachable %s (%.1f%% of the file)%n",
                bytes(reachableBytes), bytes(unreachableBytes()),
                shallowBytes == 0 ? 0.0 : unreachableBytes() * 100.0 / shallowBytes));
        out.append(String.format(Locale.ROOT, "  analyzed in %.1f s%n", durationMillis / 1000.0));
        out.append('\n');
        if (suspects.isEmpty()) {
            out.append("No leak suspects.\n");
        } else {
            out.append("Leak suspects (retained size, share of the reachable heap):\n");
            int i = 1;
            for (Suspect s : suspects) {
                out.append(String.format(Locale.ROOT, "%3d. %s (%.1f%%)  %s %s%n", i++, bytes(s.retainedBytes()),
                        s.retainedPercent(), s.className(), s.objectId()));
                String indent = "       ";
                for (String step : s.path()) {
                    out.append(indent).append(step).append('\n');
                    indent = "         -> ";
                }
            }
        }
        out.append('\n').append("Classes by retained size:\n");
        out.append(String.format(Locale.ROOT, "%12s %12s %12s  %s%n", "retained", "shallow", "instances", "class"));
        for (ClassRow row : histogram) {
            out.append(String.format(Locale.ROOT, "%12s %12s %,12d  %s%n", bytes(row.retainedBytes()),
                    bytes(row.shallowBytes()), row.instances(), row.className()));
        }
        return out.toString();
    }

    static String bytes(long b) {
        return dev.oomheapdump.core.Sizes.human(b);
    }

    @Override
    public String toString() {
        return toText();
    }
}
