package dev.oomheapdump.core;

import java.util.List;

/** What a file in the dump directory is. */
public enum ArtifactKind {
    /** A heap dump made on request. */
    HEAP_SNAPSHOT("heap snapshot", ".hprof", ".hprof.gz"),
    /** A heap dump made by the out-of-memory policy (the JVM's hook, the GC monitor, the OOM trap). */
    OOM_DUMP("OOM dump", ".hprof", ".hprof.gz"),
    /**
     * A profile made on request (CPU, wall clock, allocations or locks): its JFR recording and the views
     * {@code profileFormats} adds beside it (flame graph, collapsed stacks, pprof).
     */
    CPU_PROFILE("CPU profile", ".jfr", ".html", ".collapsed", ".pprof"),
    /** What filled the heap of a dump: its analysis, as JSON and as the text summary for people. */
    HEAP_REPORT("heap report", ".report.json", ".report.txt");

    /** The extension of a gzip-compressed heap dump. */
    public static final String GZIP_HPROF = ".hprof.gz";

    private final String label;
    private final List<String> extensions;

    ArtifactKind(String label, String... extensions) {
        this.label = label;
        this.extensions = List.of(extensions);
    }

    /** How messages name the kind: "heap snapshot", "OOM dump", "CPU profile", "heap report". */
    public String label() {
        return label;
    }

    /** The file name extension a new file of this kind gets, with its dot. */
    public String extension() {
        return extensions.get(0);
    }

    /**
     * The extension a new file of this kind gets under the policy's {@code gzip} level: {@code .hprof.gz} for a
     * heap dump when it is 1-9, else the primary one.
     */
    public String extension(int gzip) {
        return gzip > 0 && isHeapDump() ? GZIP_HPROF : extension();
    }

    /** Every extension a file of this kind may have ({@code .hprof} and {@code .hprof.gz}, {@code .report.json} and {@code .report.txt}). */
    public List<String> extensions() {
        return extensions;
    }

    /** The extension {@code name} ends with, or the primary one when it ends with none of them. */
    public String extensionOf(String name) {
        for (String extension : extensions) {
            if (name.endsWith(extension)) {
                return extension;
            }
        }
        return extension();
    }

    /** True when {@code name} ends with one of this kind's extensions. */
    public boolean matches(String name) {
        return extensions.stream().anyMatch(name::endsWith);
    }

    /** True for the kinds that are HPROF heap dumps. */
    public boolean isHeapDump() {
        return this == HEAP_SNAPSHOT || this == OOM_DUMP;
    }
}
