package dev.oomheapdump.core;

/** What a file in the dump directory is. */
public enum ArtifactKind {
    /** A heap dump made on request. */
    HEAP_SNAPSHOT(".hprof", "heap snapshot"),
    /** A heap dump made by the out-of-memory policy (the JVM's hook or the GC monitor). */
    OOM_DUMP(".hprof", "OOM dump"),
    /** A JFR recording of CPU samples made on request. */
    CPU_PROFILE(".jfr", "CPU profile");

    private final String extension;
    private final String label;

    ArtifactKind(String extension, String label) {
        this.extension = extension;
        this.label = label;
    }

    /** How messages name the kind: "heap snapshot", "OOM dump", "CPU profile". */
    public String label() {
        return label;
    }

    /** The file name extension, with its dot. */
    public String extension() {
        return extension;
    }

    /** True for the kinds that are HPROF heap dumps. */
    public boolean isHeapDump() {
        return this != CPU_PROFILE;
    }
}
