package dev.oomheapdump.core.analysis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
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
 * <p>Unmapping: on JDK 22 and later each chunk is mapped into its own {@code java.lang.foreign.Arena}
 * (looked up reflectively, as this code compiles for 17) and closing the arena unmaps it; before 22,
 * {@code sun.misc.Unsafe.invokeCleaner}, which JDK 24 and later would warn about on the standard error.
 */
abstract class MappedTable {

    static final int CHUNK_SHIFT = 22;
    static final long CHUNK_BYTES = 1L << CHUNK_SHIFT;

    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;
    /** {@code Arena.ofShared()}, {@code FileChannel.map(MapMode, long, long, Arena)}, {@code asByteBuffer()}. */
    private static final MethodHandle NEW_ARENA;
    private static final MethodHandle MAP_SEGMENT;

    static {
        MethodHandle newArena = null;
        MethodHandle mapSegment = null;
        MethodHandle asBuffer;
        try {
            if (Runtime.version().feature() < 22) {
                throw new ClassNotFoundException("java.lang.foreign is final from JDK 22 on");
            }
            Class<?> arena = Class.forName("java.lang.foreign.Arena");
            Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            newArena = lookup.findStatic(arena, "ofShared", MethodType.methodType(arena))
                    .asType(MethodType.methodType(AutoCloseable.class));
            mapSegment = lookup.findVirtual(FileChannel.class, "map", MethodType.methodType(segment,
                    FileChannel.MapMode.class, long.class, long.class, arena));
            asBuffer = lookup.findVirtual(segment, "asByteBuffer", MethodType.methodType(ByteBuffer.class));
            mapSegment = MethodHandles.filterReturnValue(mapSegment, asBuffer)
                    .asType(MethodType.methodType(ByteBuffer.class, FileChannel.class, FileChannel.MapMode.class,
                            long.class, long.class, AutoCloseable.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            newArena = null;
            mapSegment = null;
        }
        NEW_ARENA = newArena;
        MAP_SEGMENT = mapSegment;
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
    ByteBuffer[] chunks;
    /** Per chunk, the arena it is mapped into (JDK 22 and later), else null. */
    private AutoCloseable[] arenas;
    private int window = Integer.MAX_VALUE;
    private int[] ring = new int[0];
    private int ringHead;
    private int mapped;

    MappedTable(FileChannel channel, long bytes) {
        this.channel = channel;
        this.chunks = new ByteBuffer[(int) Math.max(1, (bytes + CHUNK_BYTES - 1) >>> CHUNK_SHIFT)];
        this.arenas = new AutoCloseable[chunks.length];
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
            arenas = java.util.Arrays.copyOf(arenas, chunks.length);
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
            if (MAP_SEGMENT != null) {
                AutoCloseable arena = (AutoCloseable) NEW_ARENA.invokeExact();
                b = (ByteBuffer) MAP_SEGMENT.invokeExact(channel, FileChannel.MapMode.READ_WRITE,
                        (long) c << CHUNK_SHIFT, CHUNK_BYTES, arena);
                arenas[c] = arena;
            } else {
                b = channel.map(FileChannel.MapMode.READ_WRITE, (long) c << CHUNK_SHIFT, CHUNK_BYTES);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map a temporary file (disk full?)", e);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new UncheckedIOException("cannot map a temporary file", new IOException(e));
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
        ByteBuffer b = chunks[c];
        AutoCloseable arena = arenas[c];
        chunks[c] = null;
        arenas[c] = null;
        if (arena != null) {
            try {
                arena.close();
            } catch (Exception e) {
                // left to the garbage collector
            }
            return;
        }
        if (INVOKE_CLEANER != null && b != null) {
            try {
                INVOKE_CLEANER.invoke(UNSAFE, b);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // left to the garbage collector
            }
        }
    }
}
