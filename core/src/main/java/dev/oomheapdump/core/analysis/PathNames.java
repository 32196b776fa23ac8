package dev.oomheapdump.core.analysis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Names paths from a GC root the way a Java engineer reads them: {@code static com.acme.Cache.ENTRIES},
 * {@code thread "worker-3" local in com.acme.Foo.bar}, {@code java.util.HashMap.table}, {@code [1234]},
 * {@code class com.acme.Foo}. Reads the few records it needs with {@link RecordFetch} passes.
 */
final class PathNames {

    private final HeapIndex index;
    private final Path file;

    PathNames(HeapIndex index, Path file) {
        this.index = index;
        this.file = file;
    }

    /** Names every path (node lists from a root object to the target). */
    List<List<String>> name(List<int[]> paths) throws IOException {
        RecordFetch fetch = new RecordFetch();
        List<Integer> threadSerials = new ArrayList<>();
        for (int[] path : paths) {
            if (path.length == 0) {
                continue;
            }
            int first = firstNamed(path);
            if (first == 0) {
                int entry = index.roots.entryFor(path[0]);
                if (entry >= 0 && index.roots.threadSerials.get(entry) >= 0) {
                    int serial = index.roots.threadSerials.get(entry);
                    long thread = index.roots.kinds.get(entry) == Hprof.ROOT_THREAD_OBJECT
                            ? index.roots.ids.get(entry) : index.roots.threadObject(serial);
                    if (thread != 0) {
                        fetch.want(thread);
                    }
                }
            }
            for (int i = Math.max(first, 0); i + 1 < path.length; i++) {
                int src = path[i];
                if (index.isClassObject(src)) {
                    continue;
                }
                if (index.classDef(src).isArray()) {
                    fetch.wantInArray(index.ids.id(src), index.ids.id(path[i + 1]));
                } else {
                    fetch.want(index.ids.id(src));
                }
            }
        }
        fetch.run(file);
        Map<Long, String> threadNames = threadNames(fetch);
        List<List<String>> named = new ArrayList<>();
        for (int[] path : paths) {
            List<String> out = new ArrayList<>();
            if (path.length == 0) {
                named.add(out);
                continue;
            }
            int first = firstNamed(path);
            if (first == path.length - 1 && index.isClassObject(path[first])) {
                out.add("class " + index.classDef(path[first]).name);
            } else {
                if (first == 0 && !index.isClassObject(path[0])) {
                    // a class root needs no words of its own: "static C.F" names it
                    out.add(describeRoot(path[0], threadNames));
                }
                for (int i = Math.max(first, 0); i + 1 < path.length; i++) {
                    out.add(edge(path[i], path[i + 1], fetch));
                }
            }
            named.add(out);
        }
        return named;
    }

    /** Index of the last class object on the path (naming starts at its static field), or 0 for the root. */
    private int firstNamed(int[] path) {
        for (int i = path.length - 1; i >= 0; i--) {
            if (index.isClassObject(path[i])) {
                return i;
            }
        }
        return 0;
    }

    private String edge(int src, int dst, RecordFetch fetch) {
        long dstId = index.ids.id(dst);
        ClassDef def = index.classDef(src);
        if (index.isClassObject(src)) {
            for (int i = 0; i < def.staticTypes.length; i++) {
                if (def.staticTypes[i] == Hprof.OBJECT && def.staticValues[i] == dstId) {
                    return "static " + def.name + "." + index.classes.string(def.staticNameIds[i]);
                }
            }
            return def.loaderId == dstId ? "class loader of " + def.name : "static " + def.name + ".?";
        }
        if (index.isClassObject(dst) && -2 - index.classOf.get(dst) == index.classOf.get(src)) {
            byte[] bytes = fetch.fields.get(index.ids.id(src));
            if (bytes == null || fieldName(def, bytes, dstId) == null) {
                return "class " + def.name;
            }
        }
        if (def.isArray()) {
            Map<Long, Integer> at = fetch.positions.get(index.ids.id(src));
            Integer i = at == null ? null : at.get(dstId);
            return i == null ? "[?]" : "[" + i + "]";
        }
        byte[] bytes = fetch.fields.get(index.ids.id(src));
        String name = bytes == null ? null : fieldName(def, bytes, dstId);
        return name == null ? def.name + ".?" : name;
    }

    private String fieldName(ClassDef def, byte[] bytes, long dstId) {
        for (int i = 0; i < def.refOffsets.length; i++) {
            int off = def.refOffsets[i];
            if (off + index.idSize <= bytes.length && idAt(bytes, off) == dstId) {
                return def.refNames[i];
            }
        }
        return null;
    }

    private long idAt(byte[] b, int off) {
        return index.idSize == 8 ? HprofInput.getLong(b, off) : Integer.toUnsignedLong(HprofInput.getInt(b, off));
    }

    private String describeRoot(int node, Map<Long, String> threadNames) {
        Roots roots = index.roots;
        int entry = roots.entryFor(node);
        if (entry < 0) {
            return "root";
        }
        int kind = roots.kinds.get(entry);
        int serial = roots.threadSerials.get(entry);
        long threadId = kind == Hprof.ROOT_THREAD_OBJECT ? roots.ids.get(entry) : roots.threadObject(serial);
        String name = threadNames.get(threadId);
        String thread = "thread \"" + (name == null ? "#" + serial : name) + "\"";
        switch (kind) {
            case Hprof.ROOT_JAVA_FRAME: {
                String method = roots.method(serial, roots.depths.get(entry), index.classes);
                return thread + " local" + (method == null ? "" : " in " + method);
            }
            case Hprof.ROOT_JNI_LOCAL: {
                String method = roots.method(serial, roots.depths.get(entry), index.classes);
                return thread + " JNI local" + (method == null ? "" : " in " + method);
            }
            case Hprof.ROOT_THREAD_OBJECT:
                return thread;
            case Hprof.ROOT_NATIVE_STACK:
                return thread + " native stack";
            case Hprof.ROOT_THREAD_BLOCK:
                return thread + " block";
            default:
                return Roots.kindName(kind);
        }
    }

    /** Thread object id to its name, for the threads fetched: two more passes (the String, then its array). */
    private Map<Long, String> threadNames(RecordFetch first) throws IOException {
        Map<Long, Long> nameOf = new HashMap<>();
        RecordFetch strings = new RecordFetch();
        for (Map.Entry<Long, byte[]> e : first.fields.entrySet()) {
            ClassDef def = index.classes.byId(first.classIds.get(e.getKey()));
            int at = def == null ? -1 : index.classes.fieldOffset(def, "java.lang.Thread", "name");
            if (at >= 0 && at + index.idSize <= e.getValue().length) {
                long name = idAt(e.getValue(), at);
                if (name != 0) {
                    nameOf.put(e.getKey(), name);
                    strings.want(name);
                }
            }
        }
        strings.run(file);
        RecordFetch values = new RecordFetch();
        Map<Long, long[]> valueOf = new HashMap<>();
        for (Map.Entry<Long, byte[]> e : strings.fields.entrySet()) {
            ClassDef def = index.classes.byId(strings.classIds.get(e.getKey()));
            if (def == null) {
                continue;
            }
            int at = index.classes.fieldOffset(def, "java.lang.String", "value");
            int coderAt = index.classes.fieldOffset(def, "java.lang.String", "coder");
            if (at >= 0 && at + index.idSize <= e.getValue().length) {
                long value = idAt(e.getValue(), at);
                int coder = coderAt >= 0 && coderAt < e.getValue().length ? e.getValue()[coderAt] : 0;
                valueOf.put(e.getKey(), new long[] {value, coder});
                values.want(value);
            }
        }
        values.run(file);
        Map<Long, String> names = new HashMap<>();
        for (Map.Entry<Long, Long> e : nameOf.entrySet()) {
            long[] value = valueOf.get(e.getValue());
            byte[] data = value == null ? null : values.primitives.get(value[0]);
            if (data != null) {
                names.put(e.getKey(), decode(data, (int) value[1]));
            }
        }
        return names;
    }

    private static String decode(byte[] tagged, int coder) {
        int type = tagged[0];
        if (type == Hprof.CHAR) {
            return new String(tagged, 1, tagged.length - 1, StandardCharsets.UTF_16BE);
        }
        if (type == Hprof.BYTE && coder == 1) {
            return new String(tagged, 1, tagged.length - 1, StandardCharsets.UTF_16LE);
        }
        return new String(tagged, 1, tagged.length - 1, StandardCharsets.ISO_8859_1);
    }
}
