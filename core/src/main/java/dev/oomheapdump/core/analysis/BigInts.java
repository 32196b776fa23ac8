package dev.oomheapdump.core.analysis;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** A memory-mapped int table indexed by long, zero-filled; see {@link MappedTable}. */
final class BigInts extends MappedTable {

    private static final int SHIFT = CHUNK_SHIFT - 2;
    private static final long MASK = (1L << SHIFT) - 1;

    BigInts(FileChannel channel, long length) {
        super(channel, length * 4);
    }

    int get(long i) {
        int c = (int) (i >>> SHIFT);
        ByteBuffer b = c < chunks.length ? chunks[c] : null;
        if (b == null) {
            b = map(c);
        }
        return b.getInt((int) (i & MASK) << 2);
    }

    void set(long i, int v) {
        int c = (int) (i >>> SHIFT);
        ByteBuffer b = c < chunks.length ? chunks[c] : null;
        if (b == null) {
            b = map(c);
        }
        b.putInt((int) (i & MASK) << 2, v);
    }

    void add(long i, int delta) {
        set(i, get(i) + delta);
    }
}
