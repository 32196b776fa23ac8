package dev.oomheapdump.core.analysis;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** A memory-mapped long table indexed by long, zero-filled; see {@link MappedTable}. */
final class BigLongs extends MappedTable {

    private static final int SHIFT = CHUNK_SHIFT - 3;
    private static final long MASK = (1L << SHIFT) - 1;

    BigLongs(FileChannel channel, long length) {
        super(channel, length * 8);
    }

    long get(long i) {
        int c = (int) (i >>> SHIFT);
        ByteBuffer b = c < chunks.length ? chunks[c] : null;
        if (b == null) {
            b = map(c);
        }
        return b.getLong((int) (i & MASK) << 3);
    }

    void set(long i, long v) {
        int c = (int) (i >>> SHIFT);
        ByteBuffer b = c < chunks.length ? chunks[c] : null;
        if (b == null) {
            b = map(c);
        }
        b.putLong((int) (i & MASK) << 3, v);
    }

    void add(long i, long delta) {
        set(i, get(i) + delta);
    }
}
