package dev.oomheapdump.core;

/** Which heap dumps are analyzed without being asked (option {@code analyze}). */
public enum AutoAnalysis {
    /** None: {@code analyzeHeapSnapshot} on request only. */
    OFF,
    /** Every OOM dump, this run's and those an earlier run left. */
    OOM,
    /** OOM dumps and heap snapshots. */
    ALL;

    /** True when a heap dump of this kind is analyzed without being asked. */
    public boolean covers(ArtifactKind kind) {
        return this == ALL ? kind.isHeapDump() : this == OOM && kind == ArtifactKind.OOM_DUMP;
    }
}
