package dev.oomheapdump.core;

/** How the out-of-memory policy catches an OOM. */
public enum OomImplementation {
    /**
     * The JVM's own hook: {@code HeapDumpOnOutOfMemoryError} and {@code HeapDumpPath}, set at runtime.
     * HotSpot writes the dump inside the OOM itself, once per JVM lifetime.
     */
    NATIVE_HOOK,
    /**
     * GC notifications: after a collection, when the heap in use exceeds {@code threshold} % of the
     * maximum heap, a dump is made (at most {@code limit} times). The JVM's own hook stays armed as
     * the last resort while fewer than {@code limit} dumps were made.
     */
    GC_MONITORING
}
