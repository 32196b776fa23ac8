package dev.oomheapdump.core.analysis;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * One memory mapping of a region of a file, unmapped at once by {@link #close()} rather than whenever the
 * garbage collector gets to it, so the resident size of a process that maps a long file window by window stays
 * at about one window.
 *
 * <p>Unmapping: on JDK 22 and later the region is mapped into its own {@code java.lang.foreign.Arena}
 * (looked up reflectively, as this code compiles for 17) and closing the arena unmaps it; before 22,
 * {@code sun.misc.Unsafe.invokeCleaner}, which JDK 24 and later would warn about on the standard error.
 */
final class Mapping implements AutoCloseable {

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

    /** The mapped bytes, big-endian (HPROF's order) until someone sets another. */
    final ByteBuffer buffer;
    /** The arena the region is mapped into (JDK 22 and later), else null. */
    private final AutoCloseable arena;

    private Mapping(ByteBuffer buffer, AutoCloseable arena) {
        this.buffer = buffer;
        this.arena = arena;
    }

    /** Maps {@code bytes} bytes of the file from {@code position}. */
    static Mapping map(FileChannel channel, FileChannel.MapMode mode, long position, long bytes) throws IOException {
        if (MAP_SEGMENT != null) {
            AutoCloseable arena;
            try {
                arena = (AutoCloseable) NEW_ARENA.invokeExact();
                return new Mapping((ByteBuffer) MAP_SEGMENT.invokeExact(channel, mode, position, bytes, arena), arena);
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IOException("cannot map a file", e);
            }
        }
        return new Mapping(channel.map(mode, position, bytes), null);
    }

    @Override
    public void close() {
        if (arena != null) {
            try {
                arena.close();
            } catch (Exception e) {
                // left to the garbage collector
            }
            return;
        }
        if (INVOKE_CLEANER != null) {
            try {
                INVOKE_CLEANER.invoke(UNSAFE, buffer);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // left to the garbage collector
            }
        }
    }
}
