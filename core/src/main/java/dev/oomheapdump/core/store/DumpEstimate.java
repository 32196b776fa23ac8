package dev.oomheapdump.core.store;

import dev.oomheapdump.core.Sizes;

/**
 * How much disk a heap dump will take, guessed before it is written: the one place the suite makes that guess,
 * for the disk guard ({@link DiskGuard}) and for sizing an analysis of a compressed dump.
 *
 * <p>The factors were measured on this project's machines (README, "Disk"): an HPROF file is 1.0 times the heap in
 * use when the heap is mostly byte arrays, 1.3 for a build tool's heap of mixed objects, 1.5-1.6 for maps of small
 * boxed entries (a reference takes 8 bytes in the file and 4 in a heap with compressed pointers); gzip at level 1
 * leaves 0.17-0.41 of it (HotSpot's own gzip 0.22-0.27, random bytes 0.99). JDK 22+ writes a dump as segments and
 * merges them into the file afterwards: both are on disk until the merge ends.
 */
public final class DumpEstimate {

    /** Bytes of HPROF per byte of heap in use, for a heap of mixed objects. */
    public static final double HPROF_PER_HEAP_BYTE = 1.3;
    /** Bytes of gzip per byte of HPROF, at any level from 1 to 9. */
    public static final double GZIP_RATIO = 0.4;
    /** The first JDK that writes a dump as segments and merges them. */
    static final int FIRST_MERGING_JDK = 22;

    private final long heapBytes;
    private final long finalBytes;
    private final long peakBytes;
    private final String how;

    private DumpEstimate(long heapBytes, long finalBytes, long peakBytes, String how) {
        this.heapBytes = heapBytes;
        this.finalBytes = finalBytes;
        this.peakBytes = peakBytes;
        this.how = how;
    }

    /**
     * A dump written by {@code HotSpotDiagnosticMXBean.dumpHeap} (snapshots, monitor and trap dumps), which cannot
     * compress: with {@code gzip} the plain dump and its compressed copy lie side by side until the copy is done.
     *
     * @param heapBytes the heap in use now
     */
    public static DumpEstimate ofDumpHeap(long heapBytes, int gzip) {
        return ofDumpHeap(heapBytes, gzip, Runtime.version().feature());
    }

    static DumpEstimate ofDumpHeap(long heapBytes, int gzip, int jdk) {
        long plain = hprof(heapBytes);
        long compressed = compressed(plain);
        boolean merging = jdk >= FIRST_MERGING_JDK;
        long peak = merging ? 2 * plain : gzip > 0 ? plain + compressed : plain;
        String how = Sizes.human(heapBytes) + " of heap in use × " + HPROF_PER_HEAP_BYTE
                + (merging ? ", twice that while the JDK merges its segments"
                : gzip > 0 ? ", and its gzip copy beside it (× " + GZIP_RATIO + ")" : "");
        return new DumpEstimate(heapBytes, gzip > 0 ? compressed : plain, peak, how);
    }

    /**
     * The dump of the JVM's own hook, written at the OOM when the heap is about full, compressed by the JVM itself
     * when {@code gzip} is set.
     *
     * @param maxHeapBytes the maximum heap
     */
    public static DumpEstimate ofHook(long maxHeapBytes, int gzip) {
        return ofHook(maxHeapBytes, gzip, Runtime.version().feature());
    }

    static DumpEstimate ofHook(long maxHeapBytes, int gzip, int jdk) {
        long size = gzip > 0 ? compressed(hprof(maxHeapBytes)) : hprof(maxHeapBytes);
        boolean merging = jdk >= FIRST_MERGING_JDK;
        String how = Sizes.human(maxHeapBytes) + " of maximum heap × " + HPROF_PER_HEAP_BYTE
                + (gzip > 0 ? " × " + GZIP_RATIO + " for gzip" : "")
                + (merging ? ", twice that while the JDK merges its segments" : "");
        return new DumpEstimate(maxHeapBytes, size, merging ? 2 * size : size, how);
    }

    /**
     * The bytes of HPROF inside a gzip file of {@code gzipBytes} bytes (for sizing an analysis), from the same
     * ratio.
     */
    public static long uncompressed(long gzipBytes) {
        return (long) (gzipBytes / GZIP_RATIO);
    }

    private static long hprof(long heapBytes) {
        return (long) (Math.max(0, heapBytes) * HPROF_PER_HEAP_BYTE);
    }

    private static long compressed(long plainBytes) {
        return (long) (plainBytes * GZIP_RATIO);
    }

    /** The heap the guess started from (in use, or the maximum for the hook). */
    public long heapBytes() {
        return heapBytes;
    }

    /** The file's size once written. */
    public long finalBytes() {
        return finalBytes;
    }

    /** The most disk the dump takes while it is written (segments and merge, plain and compressed copy). */
    public long peakBytes() {
        return peakBytes;
    }

    /** "about 1.2 GiB (950.0 MiB of heap in use × 1.3, ...)". */
    @Override
    public String toString() {
        return "about " + Sizes.human(peakBytes) + " (" + how + ")";
    }
}
