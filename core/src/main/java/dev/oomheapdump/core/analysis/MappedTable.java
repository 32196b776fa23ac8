package dev.oomheapdump.core.analysis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A table of fixed-width primitives in a temporary file, mapped lazily in chunks of {@link #CHUNK_BYTES}
 * (far below the 2 GiB a single mapping can hold). The chunks mapped at once can be limited
 * ({@link #window}): a table scanned in order then keeps only a few chunks in memory, and the process's
 * resident size stays small however long the table is, because an unmapped chunk's pages leave the process
 * (they stay in the page cache, where the kernel may keep or drop them). {@link #release()} unmaps all; a later
 * access maps again. Not thread-safe.
 */
abstract class MappedTable {

    static final int CHUNK_SHIFT = 22;
    static final long CHUNK_BYTES = 1L << CHUNK_SHIFT;

    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static {
        Object unsafe = null;
        Method cleaner = null;
        try {
            Class<?> c = Class.forName("sun.misc.Unsafe");
            Field f = c.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            unsafe = f.get(null);
            cleaner = c.getMethod("invokeCleaner", java.nio.ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            unsafe = null;
            cleaner = null;
        }
        UNSAFE = unsafe;
        INVOKE_CLEANER = cleaner;
    }

    private final FileChannel channel;
    MappedByteBuffer[] chunks;
    private int window = Integer.MAX_VALUE;
    private int[] ring = new int[0];
    private int ringHead;
    private int mapped;

    MappedTable(FileChannel channel, long bytes) {
        this.channel = channel;
        this.chunks = new MappedByteBuffer[(int) Math.max(1, (bytes + CHUNK_BYTES - 1) >>> CHUNK_SHIFT)];
    }

    /** At most {@code chunks} chunks mapped at once (the oldest mapped is unmapped first); 0 for no limit. */
    final void window(int chunks) {
        release();
        window = chunks <= 0 ? Integer.MAX_VALUE : chunks;
        ring = chunks <= 0 ? new int[0] : new int[chunks];
        ringHead = 0;
    }

    final MappedByteBuffer map(int c) {
        if (c >= chunks.length) {
            chunks = java.util.Arrays.copyOf(chunks, Math.max(c + 1, chunks.length * 2));
        }
        MappedByteBuffer b = chunks[c];
        if (b != null) {
            return b;
        }
        if (mapped >= window) {
            int old = ring[ringHead];
            MappedByteBuffer gone = chunks[old];
            chunks[old] = null;
            unmap(gone);
            mapped--;
        }
        try {
            b = channel.map(FileChannel.MapMode.READ_WRITE, (long) c << CHUNK_SHIFT, CHUNK_BYTES);
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
            MappedByteBuffer b = chunks[c];
            if (b != null) {
                chunks[c] = null;
                unmap(b);
            }
        }
        mapped = 0;
        ringHead = 0;
    }

    private static void unmap(MappedByteBuffer b) {
        if (INVOKE_CLEANER != null) {
            try {
                INVOKE_CLEANER.invoke(UNSAFE, b);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // left to the garbage collector
            }
        }
    }
}
