package dev.oomheapdump.core.analysis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds a {@link HeapIndex} in two passes over the file. Pass 1 collects object ids, classes, roots, names
 * and an exact bound of each object's references; ids are then sorted into the {@link IdMap}. Pass 2 fills
 * class, shallow size and the reference targets of every object, in index space.
 */
final class IndexBuilder {

    private static final int PASS2_WINDOW = 8;

    private final Path file;
    private final AnalysisProgress progress;
    private final Scratch scratch;

    IndexBuilder(Path file, AnalysisProgress progress, Scratch scratch) {
        this.file = file;
        this.progress = progress;
        this.scratch = scratch;
    }

    HeapIndex build() throws IOException {
        Pass1 one = new Pass1();
        one.ids = scratch.longs("ids", 1 << 20);
        one.degrees = scratch.ints("degrees", 1 << 20);
        one.ids.window(2);
        one.degrees.window(2);
        int idSize;
        try (HprofInput in = HprofInput.open(file)) {
            HprofParser parser = new HprofParser(in, f -> progress.update("reading objects", f));
            idSize = parser.header();
            one.classes = new ClassTable(idSize);
            one.idSize = idSize;
            parser.records(one);
        }
        ClassTable classes = one.classes;
        classes.resolve();
        if (one.edges > Integer.MAX_VALUE - 16) {
            throw new HprofFormatException(0, "the dump holds " + one.edges
                    + " references, more than this analyzer can index (2^31)");
        }
        if (one.count > Integer.MAX_VALUE - 16) {
            throw new HprofFormatException(0, "the dump holds " + one.count
                    + " objects, more than this analyzer can index (2^31)");
        }
        int count = (int) one.count;
        BigInts outOff = scratch.ints("outOff", count + 1L);
        outOff.window(2);
        IdMap map = IdMap.build(one.ids, count, one.sorted, one.degrees, outOff, scratch);
        one.ids.release();
        one.degrees.release();
        outOff.window(0);
        int n = map.size;
        Roots roots = one.roots;
        roots.nodes = new int[roots.count()];
        for (int i = 0; i < roots.nodes.length; i++) {
            roots.nodes[i] = map.index(roots.ids.get(i));
        }
        Pass2 two = new Pass2(classes, map, outOff, idSize, scratch);
        // The file is a few runs of increasing ids, so pass 2 writes each table in a few sequential streams:
        // a window of a few chunks each keeps the resident memory small.
        for (BigInts t : new BigInts[] {outOff, two.classOf, two.size, two.targets}) {
            t.window(PASS2_WINDOW);
        }
        try (HprofInput in = HprofInput.open(file)) {
            HprofParser parser = new HprofParser(in, f -> progress.update("reading references", f));
            parser.header();
            parser.records(two);
        }
        for (BigInts t : new BigInts[] {outOff, two.classOf, two.size, two.targets}) {
            t.window(0);
        }
        return new HeapIndex(idSize, classes, map, two.classOf, two.size, outOff, two.targets, two.classNode,
                two.instances, two.shallow, roots, two.huge);
    }

    /** Ids, classes, roots and names; the number of references of each object. */
    private static final class Pass1 implements HeapVisitor {
        ClassTable classes;
        int idSize;
        BigLongs ids;
        BigInts degrees;
        long count;
        long last = Long.MIN_VALUE;
        boolean sorted = true;
        final Roots roots = new Roots();
        long edges;

        @Override
        public boolean wantsStrings() {
            return true;
        }

        @Override
        public void utf8(long id, byte[] bytes) {
            classes.strings.put(id, HprofParser.utf8(bytes));
        }

        @Override
        public void loadClass(int serial, long classId, long nameId) {
            classes.classNameIds.put(classId, nameId);
            classes.classBySerial.put(serial, classId);
        }

        @Override
        public void frame(long frameId, long methodNameId, long sourceId, int classSerial) {
            roots.frames.put(frameId, new long[] {methodNameId, classSerial});
        }

        @Override
        public void trace(int serial, int threadSerial, long[] frameIds) {
            roots.traces.put(serial, frameIds);
        }

        @Override
        public void root(int kind, long id, int threadSerial, int depth) {
            roots.add(kind, id, threadSerial, depth);
        }

        @Override
        public void classDump(ClassDef def) {
            classes.add(def);
            int d = def.loaderId != 0 ? 1 : 0;
            for (int i = 0; i < def.staticTypes.length; i++) {
                if (def.staticTypes[i] == Hprof.OBJECT && def.staticValues[i] != 0) {
                    d++;
                }
            }
            add(def.id, d);
        }

        private void add(long id, int degree) {
            ids.set(count, id);
            degrees.set(count, degree);
            count++;
            sorted &= id > last;
            last = id;
            edges += degree;
        }

        @Override
        public void instance(long id, long classId, int length, HprofInput in) throws IOException {
            ClassDef def = classes.byId(classId);
            int[] slots = def == null ? null : classes.slots(def);
            int d = 0;
            if (slots == null || length > in.capacity()) {
                d = length / idSize;
                in.skip(length, "an INSTANCE_DUMP sub-record");
            } else {
                in.need(length, "an INSTANCE_DUMP sub-record");
                int base = in.pos;
                for (int off : slots) {
                    if (off + idSize <= length && in.idAt(base + off) != 0) {
                        d++;
                    }
                }
                in.pos += length;
            }
            add(id, d);
        }

        @Override
        public void objectArray(long id, long arrayClassId, int length, HprofInput in) throws IOException {
            int d = 0;
            int left = length;
            while (left > 0) {
                int chunk = Math.min(left, in.capacity() / idSize);
                in.need(chunk * idSize, "an OBJ_ARRAY_DUMP sub-record");
                for (int i = 0, p = in.pos; i < chunk; i++, p += idSize) {
                    if (in.idAt(p) != 0) {
                        d++;
                    }
                }
                in.pos += chunk * idSize;
                left -= chunk;
            }
            add(id, d);
        }

        @Override
        public void primitiveArray(long id, int type, int length, HprofInput in) throws IOException {
            in.skip((long) length * Hprof.size(type, idSize), "a PRIM_ARRAY_DUMP sub-record");
            add(id, 0);
        }
    }

    /** Class, shallow size and reference targets of every object, written at its index. */
    private static final class Pass2 implements HeapVisitor {
        final ClassTable classes;
        final IdMap map;
        final BigInts outOff;
        final int idSize;
        final BigInts classOf;
        final BigInts size;
        final BigInts targets;
        final int[] classNode;
        final long[] instances;
        final long[] shallow;
        final Map<Integer, Long> huge = new HashMap<>();

        Pass2(ClassTable classes, IdMap map, BigInts outOff, int idSize, Scratch scratch) {
            this.classes = classes;
            this.map = map;
            this.outOff = outOff;
            this.idSize = idSize;
            int n = map.size;
            classOf = scratch.ints("classOf", n);
            size = scratch.ints("size", n);
            targets = scratch.ints("targets", Math.max(1, outOff.get(n)));
            classNode = new int[classes.size()];
            java.util.Arrays.fill(classNode, -1);
            instances = new long[classes.size()];
            shallow = new long[classes.size()];
        }

        private int self(long id) throws HprofFormatException {
            int node = map.index(id);
            if (node < 0) {
                throw new HprofFormatException(0, "object 0x" + Long.toHexString(id)
                        + " was not there in the first pass: the file changed while it was read");
            }
            return node;
        }

        private void object(int node, ClassDef def, long bytes) {
            classOf.set(node, def.index);
            if (bytes <= Integer.MAX_VALUE) {
                size.set(node, (int) bytes);
            } else {
                size.set(node, -1);
                huge.put(node, bytes);
            }
            instances[def.index]++;
            shallow[def.index] += bytes;
        }

        @Override
        public void classDump(ClassDef read) {
            int node = map.index(read.id);
            ClassDef def = classes.byId(read.id);
            if (node < 0 || def == null) {
                return;
            }
            classOf.set(node, -2 - def.index);
            classNode[def.index] = node;
            int at = outOff.get(node);
            int end = outOff.get(node + 1);
            for (int i = 0; i < def.staticTypes.length && at < end; i++) {
                if (def.staticTypes[i] == Hprof.OBJECT && def.staticValues[i] != 0) {
                    targets.set(at++, map.index(def.staticValues[i]));
                }
            }
            if (def.loaderId != 0 && at < end) {
                targets.set(at++, map.index(def.loaderId));
            }
            holes(at, end);
        }

        /** Marks the unused rest of an object's reference slots (its bound counted more than were found). */
        private void holes(int at, int end) {
            while (at < end) {
                targets.set(at++, -1);
            }
        }

        @Override
        public void instance(long id, long classId, int length, HprofInput in) throws IOException {
            int node = self(id);
            ClassDef def = classes.byId(classId);
            int at = outOff.get(node);
            int end = outOff.get(node + 1);
            if (def == null) {
                object(node, classes.unknown, 2L * idSize + length);
                in.skip(length, "an INSTANCE_DUMP sub-record");
                holes(at, end);
                return;
            }
            object(node, def, classes.instanceSize(def));
            int[] refs = def.refOffsets;
            if (refs == null || refs.length == 0 || length > in.capacity()) {
                in.skip(length, "an INSTANCE_DUMP sub-record");
                holes(at, end);
                return;
            }
            in.need(length, "an INSTANCE_DUMP sub-record");
            int base = in.pos;
            for (int i = 0; i < refs.length && at < end; i++) {
                if (refs[i] + idSize <= length) {
                    long target = in.idAt(base + refs[i]);
                    if (target != 0) {
                        targets.set(at++, map.index(target));
                    }
                }
            }
            holes(at, end);
            in.pos += length;
        }

        @Override
        public void objectArray(long id, long arrayClassId, int length, HprofInput in) throws IOException {
            int node = self(id);
            ClassDef def = classes.byId(arrayClassId);
            object(node, def == null ? classes.unknown : def, classes.arraySize(idSize, length));
            int at = outOff.get(node);
            int end = outOff.get(node + 1);
            int left = length;
            while (left > 0) {
                int chunk = Math.min(left, in.capacity() / idSize);
                in.need(chunk * idSize, "an OBJ_ARRAY_DUMP sub-record");
                for (int i = 0, p = in.pos; i < chunk && at < end; i++, p += idSize) {
                    long target = in.idAt(p);
                    if (target != 0) {
                        targets.set(at++, map.index(target));
                    }
                }
                in.pos += chunk * idSize;
                left -= chunk;
            }
            holes(at, end);
        }

        @Override
        public void primitiveArray(long id, int type, int length, HprofInput in) throws IOException {
            int node = self(id);
            int elem = Hprof.size(type, idSize);
            object(node, classes.primitiveArrays[type], classes.arraySize(elem, length));
            in.skip((long) length * elem, "a PRIM_ARRAY_DUMP sub-record");
        }
    }
}
