package dev.oomheapdump.core.analysis;

import java.util.Arrays;

/**
 * Object ids mapped once to dense int indexes: the index of an object is the rank of its id among all ids.
 *
 * <p>Ids are sorted and stored as 16-bit low parts in buckets of 2<sup>16</sup> possible (aligned) ids, so
 * the map costs two bytes per object plus a small bucket table; a lookup is a binary search inside one bucket.
 */
final class IdMap {

    private final long min;
    private final long range;
    private final int align;
    private final long alignMask;
    private final int shift;
    private final int[] bucketStart;
    private final char[] lows;
    final int size;

    private IdMap(long min, long range, int align, int[] bucketStart, char[] lows) {
        this.min = min;
        this.range = range;
        this.align = align;
        this.alignMask = (1L << align) - 1;
        this.shift = align + 16;
        this.bucketStart = bucketStart;
        this.lows = lows;
        this.size = lows.length;
    }

    /**
     * Builds the map from ids in file order, and returns through {@code reordered} the per-object values of
     * {@code payload} (file order) in index order.
     */
    static IdMap build(long[] ids, int[] payload, int[][] reordered) throws HprofFormatException {
        int n = ids.length;
        if (n == 0) {
            reordered[0] = new int[0];
            return new IdMap(0, 0, 0, new int[] {0, 0}, new char[0]);
        }
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        long bits = 0;
        for (long id : ids) {
            min = Math.min(min, id);
            max = Math.max(max, id);
        }
        for (long id : ids) {
            bits |= id - min;
        }
        long range = max - min;
        int align = (bits & 7) == 0 ? 3 : 0;
        long buckets = (range >>> (align + 16)) + 1;
        if (range < 0 || buckets > (1 << 28)) {
            throw new HprofFormatException(0, "object ids spread over too wide a range (0x" + Long.toHexString(min)
                    + " to 0x" + Long.toHexString(max) + ") for this analyzer");
        }
        int[] out = new int[n];
        char[] lows = new char[n];
        int[] bucketStart = new int[(int) buckets + 1];
        if ((range >>> align) < (1L << 32)) {
            for (int f = 0; f < n; f++) {
                ids[f] = ((ids[f] - min) >>> align) << 31 | f;
            }
            Arrays.parallelSort(ids);
            for (int r = 0; r < n; r++) {
                long compressed = ids[r] >>> 31;
                if (r > 0 && compressed == ids[r - 1] >>> 31) {
                    throw duplicate(min + (compressed << align));
                }
                lows[r] = (char) compressed;
                bucketStart[(int) (compressed >>> 16) + 1]++;
                out[r] = payload[(int) (ids[r] & 0x7FFFFFFFL)];
            }
        } else {
            long[] sorted = ids.clone();
            Arrays.parallelSort(sorted);
            for (int r = 0; r < n; r++) {
                if (r > 0 && sorted[r] == sorted[r - 1]) {
                    throw duplicate(sorted[r]);
                }
                long compressed = (sorted[r] - min) >>> align;
                lows[r] = (char) compressed;
                bucketStart[(int) (compressed >>> 16) + 1]++;
            }
            for (int f = 0; f < n; f++) {
                out[Arrays.binarySearch(sorted, ids[f])] = payload[f];
            }
        }
        for (int b = 1; b < bucketStart.length; b++) {
            bucketStart[b] += bucketStart[b - 1];
        }
        reordered[0] = out;
        return new IdMap(min, range, align, bucketStart, lows);
    }

    private static HprofFormatException duplicate(long id) {
        return new HprofFormatException(0, "object id 0x" + Long.toHexString(id) + " is dumped twice (damaged file?)");
    }

    /** The index of an object id, -1 when the dump holds no such object. */
    int index(long id) {
        long off = id - min;
        if (off < 0 || off > range || (off & alignMask) != 0) {
            return -1;
        }
        int b = (int) (off >>> shift);
        char lo = (char) (off >>> align);
        int from = bucketStart[b];
        int to = bucketStart[b + 1] - 1;
        while (from <= to) {
            int mid = (from + to) >>> 1;
            char v = lows[mid];
            if (v < lo) {
                from = mid + 1;
            } else if (v > lo) {
                to = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    /** The object id of an index. */
    long id(int index) {
        int lo = 0;
        int hi = bucketStart.length - 2;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (bucketStart[mid] <= index) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return min + ((((long) lo << 16) | lows[index]) << align);
    }
}
