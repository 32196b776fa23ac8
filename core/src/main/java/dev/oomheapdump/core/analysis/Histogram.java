package dev.oomheapdump.core.analysis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The class histogram: every object in the file, reachable or not. From an index with its dominator tree
 * (retained bytes per class), or in one pass over a file with no index at all (for diffs).
 */
final class Histogram {

    private Histogram() {
    }

    /** Rows with retained bytes, sorted by retained then shallow bytes, the top {@code limit}. */
    static List<HeapReport.ClassRow> rows(HeapIndex index, DominatorTree tree, int limit) {
        int classes = index.classes.size();
        long[] retained = new long[classes];
        tree.window(1);
        for (int i = 2; i <= tree.count; i++) {
            int c = tree.classPre(i);
            if (c < 0) {
                continue;
            }
            int dom = tree.domPre(i);
            if (dom == DominatorTree.SUPER || tree.classPre(dom) != c) {
                retained[c] += tree.retainedPre(i);
            }
        }
        tree.window(0);
        List<HeapReport.ClassRow> rows = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            if (index.instances[c] > 0) {
                rows.add(new HeapReport.ClassRow(index.classes.classes.get(c).name, index.instances[c],
                        index.shallow[c], retained[c]));
            }
        }
        rows.sort(Comparator.comparingLong(HeapReport.ClassRow::retainedBytes)
                .thenComparingLong(HeapReport.ClassRow::shallowBytes).reversed()
                .thenComparing(HeapReport.ClassRow::className));
        return rows.size() > limit ? rows.subList(0, Math.max(0, limit)) : rows;
    }

    /**
     * Instances and shallow bytes per class name (classes of one name from several loaders are added up), in
     * one pass over the file: no index, no dominators.
     */
    static Map<String, long[]> scan(Path file, AnalysisProgress progress) throws IOException {
        Counter counter = new Counter();
        try (HprofInput in = HprofInput.open(file)) {
            HprofParser parser = new HprofParser(in, f -> progress.update("histogram", f));
            counter.idSize = parser.header();
            counter.classes = new ClassTable(counter.idSize);
            parser.records(counter);
        }
        ClassTable classes = counter.classes;
        classes.resolve();
        Map<String, long[]> out = new TreeMap<>();
        for (int i = 0; i < counter.size; i++) {
            long count = counter.counts[i];
            ClassDef def = classes.byId(counter.ids[i]);
            String name = def == null ? classes.unknown.name : def.name;
            long bytes = counter.bytes[i];
            if (def != null && !def.isArray()) {
                bytes = count * classes.instanceSize(def);
            }
            long[] row = out.computeIfAbsent(name, k -> new long[2]);
            row[0] += count;
            row[1] += bytes;
        }
        for (int t = Hprof.BOOLEAN; t <= Hprof.LONG; t++) {
            if (counter.primCounts[t] > 0) {
                long[] row = out.computeIfAbsent(classes.primitiveArrays[t].name, k -> new long[2]);
                row[0] += counter.primCounts[t];
                row[1] += counter.primBytes[t];
            }
        }
        return out;
    }

    private static final class Counter implements HeapVisitor {
        ClassTable classes;
        int idSize;
        final Chunks.LongInt slots = new Chunks.LongInt();
        int size;
        long[] ids = new long[1024];
        long[] counts = new long[1024];
        long[] bytes = new long[1024];
        final long[] primCounts = new long[12];
        final long[] primBytes = new long[12];

        @Override
        public boolean wantsStrings() {
            return true;
        }

        @Override
        public void utf8(long id, byte[] b) {
            classes.strings.put(id, HprofParser.utf8(b));
        }

        @Override
        public void loadClass(int serial, long classId, long nameId) {
            classes.classNameIds.put(classId, nameId);
        }

        @Override
        public void classDump(ClassDef def) {
            classes.add(def);
        }

        private void count(long classId, long objectBytes) {
            int s = slots.get(classId);
            if (s < 0) {
                s = size++;
                if (s == ids.length) {
                    ids = java.util.Arrays.copyOf(ids, s * 2);
                    counts = java.util.Arrays.copyOf(counts, s * 2);
                    bytes = java.util.Arrays.copyOf(bytes, s * 2);
                }
                slots.put(classId, s);
                ids[s] = classId;
            }
            counts[s]++;
            bytes[s] += objectBytes;
        }

        @Override
        public void instance(long id, long classId, int length, HprofInput in) throws IOException {
            count(classId, 2L * idSize + length);
            in.skip(length, "an INSTANCE_DUMP sub-record");
        }

        @Override
        public void objectArray(long id, long arrayClassId, int length, HprofInput in) throws IOException {
            count(arrayClassId, 2L * idSize + 8 + (long) length * idSize);
            in.skip((long) length * idSize, "an OBJ_ARRAY_DUMP sub-record");
        }

        @Override
        public void primitiveArray(long id, int type, int length, HprofInput in) throws IOException {
            int elem = Hprof.size(type, idSize);
            primCounts[type]++;
            primBytes[type] += 2L * idSize + 8 + (long) length * elem;
            in.skip((long) length * elem, "a PRIM_ARRAY_DUMP sub-record");
        }
    }
}
