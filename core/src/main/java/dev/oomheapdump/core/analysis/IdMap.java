package dev.oomheapdump.core.analysis;

import java.util.Arrays;

/**
 * Object ids mapped once to dense int indexes: the index of an object is the rank of its id among all ids.
 *
 * <p>Ids are sorted and stored as 16-bit low parts in buckets of 2<sup>16</sup> possible (aligned) ids, so
 * the map costs two bytes per object plus a small bucket table (on the Java heap: it is read at random for
 * every reference); a lookup is a binary search inside one bucket.
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
     * Builds the map from ids in file order ({@code n} of them) and writes the CSR offsets of the references
     * in index order: {@code outOff[r + 1] = outOff[r] + degree of the object of rank r}, where {@code degrees}
     * are in file order. Ids already in increasing order (a HotSpot dump walks the heap by address) need no
     * sort and no memory beyond the map; otherwise they are sorted on the Java heap (8 bytes per object).
     */
    static IdMap build(BigLongs ids, int n, boolean sorted, BigInts degrees, BigInts outOff, Scratch scratch)
            throws HprofFormatException {
        if (n == 0) {
            return new IdMap(0, 0, 0, new int[] {0, 0}, new char[0]);
        }
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int f = 0; f < n; f++) {
            long id = ids.get(f);
            min = Math.min(min, id);
            max = Math.max(max, id);
        }
        long bits = 0;
        for (int f = 0; f < n; f++) {
            bits |= ids.get(f) - min;
        }
        long range = max - min;
        int align = (bits & 7) == 0 ? 3 : 0;
        long buckets = (range >>> (align + 16)) + 1;
        if (range < 0 || buckets > (1 << 28)) {
            throw new HprofFormatException(0, "object ids spread over too wide a range (0x" + Long.toHexString(min)
                    + " to 0x" + Long.toHexString(max) + ") for this analyzer");
        }
        char[] lows = new char[n];
        int[] bucketStart = new int[(int) buckets + 1];
        long off = 0;
        outOff.set(0, 0);
        if (sorted) {
            for (int r = 0; r < n; r++) {
                long compressed = (ids.get(r) - min) >>> align;
                lows[r] = (char) compressed;
                bucketStart[(int) (compressed >>> 16) + 1]++;
                off += degrees.get(r);
                outOff.set(r + 1, (int) off);
            }
        } else if ((range >>> align) < (1L << 32)) {
            for (int f = 0; f < n; f++) {
                ids.set(f, ((ids.get(f) - min) >>> align) << 31 | f);
            }
            int keyBits = 64 - Long.numberOfLeadingZeros(range >>> align);
            BigLongs packed = radixSort(ids, scratch.longs("sorted", n), n, 31, Math.max(1, keyBits));
            packed.window(2);
            long previous = -1;
            for (int r = 0; r < n; r++) {
                long key = packed.get(r);
                long compressed = key >>> 31;
                if (compressed == previous) {
                    throw duplicate(min + (compressed << align));
                }
                previous = compressed;
                lows[r] = (char) compressed;
                bucketStart[(int) (compressed >>> 16) + 1]++;
                off += degrees.get(key & 0x7FFFFFFFL);
                outOff.set(r + 1, (int) off);
            }
            packed.release();
        } else {
            long[] file = new long[n];
            for (int f = 0; f < n; f++) {
                file[f] = ids.get(f);
            }
            long[] order = file.clone();
            Arrays.sort(order);
            int[] rankDegree = new int[n];
            for (int f = 0; f < n; f++) {
                rankDegree[Arrays.binarySearch(order, file[f])] = degrees.get(f);
            }
            file = null;
            for (int r = 0; r < n; r++) {
                if (r > 0 && order[r] == order[r - 1]) {
                    throw duplicate(order[r]);
                }
                long compressed = (order[r] - min) >>> align;
                lows[r] = (char) compressed;
                bucketStart[(int) (compressed >>> 16) + 1]++;
                off += rankDegree[r];
                outOff.set(r + 1, (int) off);
            }
        }
        for (int b = 1; b < bucketStart.length; b++) {
            bucketStart[b] += bucketStart[b - 1];
        }
        return new IdMap(min, range, align, bucketStart, lows);
    }

    /**
     * Least-significant-digit radix sort of {@code n} keys by their bits {@code low} to {@code low + bits - 1},
     * between two mapped tables (no Java heap but a count per digit value); returns the table that holds the
     * sorted keys.
     */
    static BigLongs radixSort(BigLongs a, BigLongs b, int n, int low, int bits) {
        int passes = (bits + 15) / 16;
        int digit = (bits + passes - 1) / passes;
        int[] counts = new int[1 << digit];
        long mask = (1L << digit) - 1;
        BigLongs from = a;
        BigLongs to = b;
        for (int pass = 0; pass < passes; pass++) {
            int shift = low + pass * digit;
            Arrays.fill(counts, 0);
            from.window(2);
            for (int i = 0; i < n; i++) {
                counts[(int) ((from.get(i) >>> shift) & mask)]++;
            }
            int sum = 0;
            for (int d = 0; d < counts.length; d++) {
                int c = counts[d];
                counts[d] = sum;
                sum += c;
            }
            to.window(0);
            for (int i = 0; i < n; i++) {
                long key = from.get(i);
                to.set(counts[(int) ((key >>> shift) & mask)]++, key);
            }
            to.release();
            BigLongs t = from;
            from = to;
            to = t;
        }
        from.window(0);
        to.window(0);
        return from;
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
