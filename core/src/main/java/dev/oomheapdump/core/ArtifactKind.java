package dev.oomheapdump.core;

/** What a file in the dump directory is. */
public enum ArtifactKind {
    /** A heap dump made on request. */
    HEAP_SNAPSHOT(".hprof"),
    /** A heap dump made by the out-of-memory policy (the JVM's hook or the GC monitor). */
    OOM_DUMP(".hprof"),
    /** A JFR recording of CPU samples made on request. */
    CPU_PROFILE(".jfr");

    private final String extension;

    ArtifactKind(String extension) {
        this.extension = extension;
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
