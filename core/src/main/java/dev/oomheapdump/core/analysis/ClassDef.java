package dev.oomheapdump.core.analysis;

/**
 * One CLASS_DUMP sub-record, as read, plus what the index resolves later (name, layout). One object per
 * class, never per heap object.
 */
final class ClassDef {

    final long id;
    final long superId;
    final long loaderId;
    final int rawInstanceSize;
    final long[] staticNameIds;
    final byte[] staticTypes;
    final long[] staticValues;
    final long[] fieldNameIds;
    final byte[] fieldTypes;

    /** Dense index in the class table. */
    int index = -1;
    /** As {@code Class.getTypeName()} prints it. */
    String name;
    /** 0: instances; an HPROF basic type for primitive arrays; {@link Hprof#OBJECT} for object arrays. */
    int arrayType;
    ClassDef superClass;
    /** Offsets (within an instance's field bytes) of object fields, over the whole hierarchy. */
    int[] refOffsets;
    /** For each entry of {@link #refOffsets}: declaring class and field name, {@code java.util.HashMap.table}. */
    String[] refNames;
    /** Pass 1: offsets of every object field (referent included), null until known. */
    int[] slots;
    /** Byte length of an instance's fields over the whole hierarchy; -1 when the hierarchy is incomplete. */
    int fieldBytes = -1;

    ClassDef(long id, long superId, long loaderId, int rawInstanceSize, long[] staticNameIds, byte[] staticTypes,
             long[] staticValues, long[] fieldNameIds, byte[] fieldTypes) {
        this.id = id;
        this.superId = superId;
        this.loaderId = loaderId;
        this.rawInstanceSize = rawInstanceSize;
        this.staticNameIds = staticNameIds;
        this.staticTypes = staticTypes;
        this.staticValues = staticValues;
        this.fieldNameIds = fieldNameIds;
        this.fieldTypes = fieldTypes;
    }

    boolean isArray() {
        return arrayType != 0;
    }
}
