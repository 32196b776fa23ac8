package dev.oomheapdump.core.analysis;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The classes of a dump: CLASS_DUMP records with names from LOAD_CLASS and UTF8 records, resolved field
 * layouts over the hierarchy, and the shallow-size rules.
 *
 * <p>Shallow sizes follow the NetBeans profiler heap library (VisualVM) so that numbers agree with it: an
 * instance is the CLASS_DUMP instance size plus a header of two identifiers (HotSpot writes instance sizes
 * without the header); an array is two identifiers plus 8 plus length times element size (identifier size for
 * object arrays). Class objects count as nodes of the graph with no size of their own, as there.
 */
final class ClassTable {

    final int idSize;
    final List<ClassDef> classes = new ArrayList<>();
    final Chunks.LongInt byId = new Chunks.LongInt();
    final Map<Long, String> strings = new HashMap<>();
    final Map<Long, Long> classNameIds = new HashMap<>();
    final Map<Integer, Long> classBySerial = new HashMap<>();
    final ClassDef[] primitiveArrays = new ClassDef[12];
    ClassDef unknown;
    private int header;

    ClassTable(int idSize) {
        this.idSize = idSize;
    }

    void add(ClassDef def) {
        def.index = classes.size();
        classes.add(def);
        byId.put(def.id, def.index);
    }

    ClassDef byId(long id) {
        int i = byId.get(id);
        return i < 0 ? null : classes.get(i);
    }

    String string(long id) {
        String s = strings.get(id);
        return s == null ? "<string 0x" + Long.toHexString(id) + ">" : s;
    }

    /** Names every class, finds array classes, lays out fields; run once all classes are read. */
    void resolve() {
        ClassDef object = null;
        for (ClassDef def : classes) {
            Long nameId = classNameIds.get(def.id);
            String vmName = nameId == null ? null : strings.get(nameId);
            if (vmName == null) {
                vmName = "<class 0x" + Long.toHexString(def.id) + ">";
            }
            def.name = Hprof.typeName(vmName);
            int prim = Hprof.primitiveArrayType(vmName);
            if (prim != 0) {
                def.arrayType = prim;
                primitiveArrays[prim] = def;
            } else if (vmName.startsWith("[")) {
                def.arrayType = Hprof.OBJECT;
            }
            if (def.name.equals("java.lang.Object")) {
                object = def;
            }
        }
        header = object != null && object.rawInstanceSize > 0 ? 0 : 2 * idSize;
        for (int t = Hprof.BOOLEAN; t <= Hprof.LONG; t++) {
            if (primitiveArrays[t] == null) {
                ClassDef synthetic = synthetic(Hprof.primitiveName(t) + "[]");
                synthetic.arrayType = t;
                primitiveArrays[t] = synthetic;
            }
        }
        unknown = synthetic("<unknown class>");
        for (ClassDef def : classes) {
            def.superClass = def.superId == 0 ? null : byId(def.superId);
            layout(def);
        }
    }

    private ClassDef synthetic(String name) {
        ClassDef def = new ClassDef(0, 0, 0, 0, new long[0], new byte[0], new long[0], new long[0], new byte[0]);
        def.name = name;
        def.index = classes.size();
        classes.add(def);
        def.superClass = null;
        def.refOffsets = new int[0];
        def.refNames = new String[0];
        def.fieldBytes = 0;
        return def;
    }

    /** Lays out the instance fields of a class and its supers, in dump order: the class first, then its super. */
    ClassDef layout(ClassDef def) {
        if (def.refOffsets != null || def.isArray()) {
            return def;
        }
        List<Integer> offsets = new ArrayList<>();
        List<String> names = new ArrayList<>();
        int offset = 0;
        for (ClassDef c = def; c != null; c = c.superId == 0 ? null : byId(c.superId)) {
            String declaring = c.name == null ? "<class 0x" + Long.toHexString(c.id) + ">" : c.name;
            for (int i = 0; i < c.fieldTypes.length; i++) {
                int type = c.fieldTypes[i];
                if (type == Hprof.OBJECT) {
                    String field = string(c.fieldNameIds[i]);
                    boolean referent = field.equals("referent") && "java.lang.ref.Reference".equals(declaring);
                    if (!referent) {
                        offsets.add(offset);
                        names.add(declaring + "." + field);
                    }
                }
                offset += Hprof.size(type, idSize);
            }
            if (c.superId != 0 && byId(c.superId) == null) {
                return def;
            }
        }
        def.refOffsets = offsets.stream().mapToInt(Integer::intValue).toArray();
        def.refNames = names.toArray(new String[0]);
        def.fieldBytes = offset;
        return def;
    }

    /**
     * Offsets of every object field over the hierarchy (an upper bound of an instance's references), or null
     * while a super class is missing.
     */
    int[] slots(ClassDef def) {
        if (def.slots == null) {
            List<Integer> offsets = new ArrayList<>();
            int offset = 0;
            for (ClassDef c = def; c != null; c = c.superId == 0 ? null : byId(c.superId)) {
                for (int i = 0; i < c.fieldTypes.length; i++) {
                    if (c.fieldTypes[i] == Hprof.OBJECT) {
                        offsets.add(offset);
                    }
                    offset += Hprof.size(c.fieldTypes[i], idSize);
                }
                if (c.superId != 0 && byId(c.superId) == null) {
                    return null;
                }
            }
            def.slots = offsets.stream().mapToInt(Integer::intValue).toArray();
        }
        return def.slots;
    }

    /** The name of the field of a class at a byte offset of its instances' field data, or null. */
    String fieldAt(ClassDef def, int offset) {
        for (int i = 0; i < def.refOffsets.length; i++) {
            if (def.refOffsets[i] == offset) {
                return def.refNames[i];
            }
        }
        return null;
    }

    /** Offset of a field declared by a class of the given name in the hierarchy of def, -1 when absent. */
    int fieldOffset(ClassDef def, String declaring, String field) {
        int offset = 0;
        for (ClassDef c = def; c != null; c = c.superId == 0 ? null : byId(c.superId)) {
            for (int i = 0; i < c.fieldTypes.length; i++) {
                if (declaring.equals(c.name) && field.equals(string(c.fieldNameIds[i]))) {
                    return offset;
                }
                offset += Hprof.size(c.fieldTypes[i], idSize);
            }
        }
        return -1;
    }

    long instanceSize(ClassDef def) {
        return def.rawInstanceSize + header;
    }

    long arraySize(int elementSize, int length) {
        return 2L * idSize + 8 + (long) elementSize * length;
    }

    int size() {
        return classes.size();
    }
}
