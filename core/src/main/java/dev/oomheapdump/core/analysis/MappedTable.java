package dev.oomheapdump.core.analysis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * A table of fixed-width primitives in a temporary file, mapped lazily in chunks of {@link #CHUNK_BYTES}
 * (far below the 2 GiB a single mapping can hold). The chunks mapped at once can be limited
 * ({@link #window}): a table scanned in order then keeps only a few chunks in memory, and the process's
 * resident size stays small however long the table is, because an unmapped chunk's pages leave the process
 * (they stay in the page cache, where the kernel may keep or drop them). {@link #release()} unmaps all; a later
 * access maps again. Not thread-safe.
 *
 * <p>Each chunk is a {@link Mapping}, unmapped as soon as it leaves the window.
 */
abstract class MappedTable {

    static final int CHUNK_SHIFT = 22;
    static final long CHUNK_BYTES = 1L << CHUNK_SHIFT;

    private final FileChannel channel;
    ByteBuffer[] chunks;
    /** Per chunk, its mapping, else null. */
    private Mapping[] mappings;
    private int window = Integer.MAX_VALUE;
    private int[] ring = new int[0];
    private int ringHead;
    private int mapped;

    MappedTable(FileChannel channel, long bytes) {
        this.channel = channel;
        this.chunks = new ByteBuffer[(int) Math.max(1, (bytes + CHUNK_BYTES - 1) >>> CHUNK_SHIFT)];
        this.mappings = new Mapping[chunks.length];
    }

    /** At most {@code chunks} chunks mapped at once (the oldest mapped is unmapped first); 0 for no limit. */
    final void window(int chunks) {
        release();
        window = chunks <= 0 ? Integer.MAX_VALUE : chunks;
        ring = chunks <= 0 ? new int[0] : new int[chunks];
        ringHead = 0;
    }

    final ByteBuffer map(int c) {
        if (c >= chunks.length) {
            chunks = java.util.Arrays.copyOf(chunks, Math.max(c + 1, chunks.length * 2));
            mappings = java.util.Arrays.copyOf(mappings, chunks.length);
        }
        ByteBuffer b = chunks[c];
        if (b != null) {
            return b;
        }
        if (mapped >= window) {
            int old = ring[ringHead];
            unmap(old);
            mapped--;
        }
        try {
            Mapping m = Mapping.map(channel, FileChannel.MapMode.READ_WRITE, (long) c << CHUNK_SHIFT, CHUNK_BYTES);
            mappings[c] = m;
            b = m.buffer;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map a temporary file (disk full?)", e);
        }
        b.order(ByteOrder.nativeOrder());
        chunks[c] = b;
        if (window != Integer.MAX_VALUE) {
            ring[ringHead] = c;
            ringHead = (ringHead + 1) % ring.length;
        }
        mapped++;
        return b;
    }

    /** Unmaps every chunk; the data stays in the file and is mapped again when next touched. */
    final void release() {
        for (int c = 0; c < chunks.length; c++) {
            if (chunks[c] != null) {
                unmap(c);
            }
        }
        mapped = 0;
        ringHead = 0;
    }

    private void unmap(int c) {
        Mapping m = mappings[c];
        chunks[c] = null;
        mappings[c] = null;
        if (m != null) {
            m.close();
        }
    }
}
