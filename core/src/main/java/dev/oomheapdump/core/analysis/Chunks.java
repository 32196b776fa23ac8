package dev.oomheapdump.core.analysis;

import java.util.Arrays;

/** Growable primitive lists in fixed-size chunks: growing never copies what is already stored. */
final class Chunks {

    static final int SHIFT = 20;
    static final int SIZE = 1 << SHIFT;
    static final int MASK = SIZE - 1;

    private Chunks() {
    }

    static final class Longs {
        private long[][] chunks = new long[16][];
        private long size;

        void add(long v) {
            int c = (int) (size >>> SHIFT);
            if (c == chunks.length) {
                chunks = Arrays.copyOf(chunks, c * 2);
            }
            if (chunks[c] == null) {
                chunks[c] = new long[SIZE];
            }
            chunks[c][(int) (size & MASK)] = v;
            size++;
        }

        long get(long i) {
            return chunks[(int) (i >>> SHIFT)][(int) (i & MASK)];
        }

        long size() {
            return size;
        }

        /** One array with everything, releasing the chunks as it copies them. */
        long[] drain() {
            long[] out = new long[Math.toIntExact(size)];
            for (int c = 0; c < chunks.length && chunks[c] != null; c++) {
                int from = c << SHIFT;
                System.arraycopy(chunks[c], 0, out, from, (int) Math.min(SIZE, size - from));
                chunks[c] = null;
            }
            size = 0;
            return out;
        }
    }

    static final class Ints {
        private int[][] chunks = new int[16][];
        private long size;

        void add(int v) {
            int c = (int) (size >>> SHIFT);
            if (c == chunks.length) {
                chunks = Arrays.copyOf(chunks, c * 2);
            }
            if (chunks[c] == null) {
                chunks[c] = new int[SIZE];
            }
            chunks[c][(int) (size & MASK)] = v;
            size++;
        }

        int get(long i) {
            return chunks[(int) (i >>> SHIFT)][(int) (i & MASK)];
        }

        long size() {
            return size;
        }

        int[] toArray() {
            int[] out = new int[Math.toIntExact(size)];
            for (int i = 0; i < out.length; i++) {
                out[i] = get(i);
            }
            return out;
        }
    }

    /** Open-addressing map from long keys to int values (-1 when absent); for class ids, not heap objects. */
    static final class LongInt {
        private long[] keys = new long[1024];
        private int[] values = new int[1024];
        private boolean[] used = new boolean[1024];
        private int size;

        void put(long key, int value) {
            if (size * 2 >= keys.length) {
                grow();
            }
            int i = slot(key);
            if (!used[i]) {
                used[i] = true;
                keys[i] = key;
                size++;
            }
            values[i] = value;
        }

        int get(long key) {
            int i = slot(key);
            return used[i] ? values[i] : -1;
        }

        private int slot(long key) {
            int mask = keys.length - 1;
            int i = (int) (mix(key) & mask);
            while (used[i] && keys[i] != key) {
                i = (i + 1) & mask;
            }
            return i;
        }

        private static long mix(long k) {
            k *= 0x9E3779B97F4A7C15L;
            return k ^ (k >>> 29);
        }

        private void grow() {
            long[] k = keys;
            int[] v = values;
            boolean[] u = used;
            keys = new long[k.length * 2];
            values = new int[k.length * 2];
            used = new boolean[k.length * 2];
            size = 0;
            for (int i = 0; i < k.length; i++) {
                if (u[i]) {
                    put(k[i], v[i]);
                }
            }
        }
    }
}
