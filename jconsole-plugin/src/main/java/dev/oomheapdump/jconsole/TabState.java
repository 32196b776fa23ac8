package dev.oomheapdump.jconsole;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the tab shows, read from the bean in one poll: immutable, so the view renders it on the event thread
 * while the next poll runs elsewhere. {@code sequence} orders states from different threads.
 */
record TabState(long sequence, Link link, Policy policy, List<ArtifactRow> artifacts, Heap heap,
                       boolean busy, String currentJob, int oomDumpCount, Progress progress, long pid,
                       String problem) {

    /** Where the connection to the bean stands. */
    public enum Link {
        /** Not read yet. */
        CONNECTING,
        /** The JVM answers but has no {@code dev.oomheapdump:type=OomHeapdump}. */
        NOT_INSTALLED,
        /** The bean answers. */
        READY,
        /** The console lost the connection (JConsole offers to reconnect), or has none. */
        DISCONNECTED
    }

    public TabState {
        artifacts = List.copyOf(artifacts);
        currentJob = currentJob == null ? "" : currentJob;
        problem = problem == null ? "" : problem;
    }

    static TabState initial() {
        return new TabState(0, Link.CONNECTING, null, List.of(), null, false, "", 0, null, -1, "");
    }

    TabState with(long nextSequence, Link nextLink, String nextProblem) {
        return new TabState(nextSequence, nextLink, policy, artifacts, heap, busy, currentJob, oomDumpCount, progress,
                pid, nextProblem);
    }

    /**
     * The policy options that can change at runtime, and the fixed ones; {@code ship} is where files are shipped
     * ({@code s3://bucket/prefix}), empty when not set or from an agent older than the option.
     */
    public record Policy(boolean heapdumpOnOOM, String implementation, String path, boolean addTimestamp,
                         int threshold, int limit, String analyze, int port, String directory, String ship) {

        public static final String HEAPDUMP_ON_OOM = "heapdumpOnOOM";
        public static final String OOM_IMPLEMENTATION = "OOMImplementation";
        public static final String PATH = "path";
        public static final String ADD_TIMESTAMP = "addTimestamp";
        public static final String THRESHOLD = "threshold";
        public static final String LIMIT = "limit";
        public static final String ANALYZE = "analyze";
        /** The agent option names that {@code applyPolicy} accepts, in the order the tab shows them. */
        public static final List<String> RUNTIME_KEYS = List.of(HEAPDUMP_ON_OOM, OOM_IMPLEMENTATION, THRESHOLD, LIMIT,
                PATH, ADD_TIMESTAMP, ANALYZE);

        public Policy {
            analyze = analyze == null ? "" : analyze;
            ship = ship == null ? "" : ship;
        }

        public boolean ships() {
            return !ship.isBlank();
        }

        /** An agent older than the {@code Analyze} attribute shows none: the tab then leaves the option alone. */
        public boolean hasAnalyze() {
            return !analyze.isBlank();
        }

        /** The runtime options as {@code applyPolicy} takes them ({@code analyze} only when the bean has it). */
        public Map<String, String> options() {
            Map<String, String> map = new LinkedHashMap<>();
            map.put(HEAPDUMP_ON_OOM, Boolean.toString(heapdumpOnOOM));
            map.put(OOM_IMPLEMENTATION, implementation);
            map.put(THRESHOLD, Integer.toString(threshold));
            map.put(LIMIT, Integer.toString(limit));
            map.put(PATH, path);
            map.put(ADD_TIMESTAMP, Boolean.toString(addTimestamp));
            if (hasAnalyze()) {
                map.put(ANALYZE, analyze);
            }
            return map;
        }

        public boolean gcMonitoring() {
            return heapdumpOnOOM && "GC_MONITORING".equals(implementation);
        }
    }

    /**
     * One item of the bean's {@code Artifacts} attribute; {@code shippedTo} is the object's URL once the file is in
     * object storage, else empty (and always empty from an agent older than option {@code ship}).
     */
    public record ArtifactRow(String path, String kind, long bytes, long createdMillis, String state, String origin,
                              String detail, String shippedTo) {

        public ArtifactRow(String path, String kind, long bytes, long createdMillis, String state, String origin,
                           String detail) {
            this(path, kind, bytes, createdMillis, state, origin, detail, "");
        }

        public boolean shipped() {
            return !shippedTo.isEmpty();
        }

        public String name() {
            int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
            return path.substring(slash + 1);
        }

        /** A heap snapshot or an OOM dump (the bean's {@code deleteHeapSnapshot} and analysis take them). */
        public boolean heapDump() {
            return "HEAP_SNAPSHOT".equals(kind) || "OOM_DUMP".equals(kind);
        }

        public boolean cpuProfile() {
            return "CPU_PROFILE".equals(kind);
        }

        /** A {@code .report.json} or {@code .report.txt} of an analysis. */
        public boolean heapReport() {
            return "HEAP_REPORT".equals(kind);
        }

        public boolean inProgress() {
            return "IN_PROGRESS".equals(state);
        }

        public boolean complete() {
            return "COMPLETE".equals(state);
        }

        public boolean thisRun() {
            return "THIS_RUN".equals(origin);
        }
    }

    /** {@code java.lang:type=Memory} HeapMemoryUsage; {@code max} is -1 when undefined. */
    public record Heap(long used, long committed, long max) {

        /** The size the gauge is drawn against: the maximum, or the committed heap when there is none. */
        public long limit() {
            return max > 0 ? max : committed;
        }
    }

    /**
     * A running job: {@code done} of {@code total} (bytes, or milliseconds); {@code total <= 0} when its end
     * cannot be known (a job another client started, a dump not yet writing).
     */
    public record Progress(String label, long done, long total) {

        public boolean indeterminate() {
            return total <= 0;
        }

        /** 0 to 1000. */
        public int permille() {
            return indeterminate() ? 0 : (int) Math.max(0, Math.min(1000, done * 1000 / total));
        }
    }
}
