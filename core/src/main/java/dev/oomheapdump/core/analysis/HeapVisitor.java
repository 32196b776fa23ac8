package dev.oomheapdump.core.analysis;

import java.io.IOException;

/**
 * What {@link HprofParser} reports while it walks a dump. Object callbacks receive the input positioned at
 * the object's payload and must consume exactly that payload (read it or {@link HprofInput#skip skip} it).
 */
interface HeapVisitor {

    /** Whether UTF8 records should be read into byte arrays (otherwise they are skipped). */
    default boolean wantsStrings() {
        return false;
    }

    default void utf8(long id, byte[] bytes) {
    }

    default void loadClass(int serial, long classId, long nameId) {
    }

    default void frame(long frameId, long methodNameId, long sourceId, int classSerial) {
    }

    default void trace(int serial, int threadSerial, long[] frameIds) {
    }

    /**
     * Whether heap dump records go to {@link #heapDump} whole (and are skipped by the parser) rather than sub-record
     * by sub-record.
     */
    default boolean takesHeapDumps() {
        return false;
    }

    /**
     * A HEAP_DUMP or HEAP_DUMP_SEGMENT record when {@link #takesHeapDumps()}: its sub-records lie from byte
     * offset {@code body} to {@code end} (the parser has checked that the file is that long).
     */
    default void heapDump(long start, long body, long end) throws IOException {
    }

    /** A GC root; {@code threadSerial} and {@code depth} are -1 where the kind has none. */
    default void root(int kind, long id, int threadSerial, int depth) {
    }

    default void classDump(ClassDef def) {
    }

    /** An INSTANCE_DUMP; {@code length} bytes of field values follow in {@code in}. */
    void instance(long id, long classId, int length, HprofInput in) throws IOException;

    /** An OBJ_ARRAY_DUMP; {@code length} ids follow in {@code in}. */
    void objectArray(long id, long arrayClassId, int length, HprofInput in) throws IOException;

    /** A PRIM_ARRAY_DUMP; {@code length} elements of {@code type} follow in {@code in}. */
    void primitiveArray(long id, int type, int length, HprofInput in) throws IOException;
}
