package dev.oomheapdump.core.analysis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
     * one pass over the file: no index, no dominators. A plain file is mapped and its heap dump records are
     * counted by up to {@link #THREADS} threads at once; a gzip file, or a plain one that turns out damaged, is
     * read by the {@link HprofParser} from start to end (which names the damage exactly).
     */
    static Map<String, long[]> scan(Path file, AnalysisProgress progress) throws IOException {
        Map<String, long[]> fast = FastScan.scan(file, progress, 0);
        return fast != null ? fast : scanStream(file, progress);
    }

    /** {@link #scan} with exactly {@code parts} threads when the file has that many heap dump records, for tests. */
    static Map<String, long[]> scanInParts(Path file, int parts) throws IOException {
        Map<String, long[]> fast = FastScan.scan(file, AnalysisProgress.NONE, parts);
        return fast != null ? fast : scanStream(file, AnalysisProgress.NONE);
    }

    /** The mapped histogram in {@code parts} threads, or null where {@link #scan} would read record by record. */
    static Map<String, long[]> scanMapped(Path file, int parts) throws IOException {
        return FastScan.scan(file, AnalysisProgress.NONE, parts);
    }

    /** {@link #scan} record by record through the {@link HprofParser}, the reference; for tests and gzip files. */
    static Map<String, long[]> scanStream(Path file, AnalysisProgress progress) throws IOException {
        Counter counter = new Counter();
        try (HprofInput in = HprofInput.open(file)) {
            HprofParser parser = new HprofParser(in, f -> progress.update("histogram", f));
            counter.idSize = parser.header();
            counter.classes = new ClassTable(counter.idSize);
            parser.records(counter);
        }
        return table(counter.classes, List.of(counter.tally));
    }

    /** At most this many threads count one file (and never more than the machine's processors). */
    static final int THREADS = 2;

    /** The histogram of the counts of one or more parts of a file, with the classes of the whole file. */
    static Map<String, long[]> table(ClassTable classes, List<Tally> tallies) {
        classes.resolve();
        Map<String, long[]> out = new TreeMap<>();
        for (Tally t : tallies) {
            for (int i = 0; i < t.size; i++) {
                long count = t.counts[i];
                ClassDef def = classes.byId(t.ids[i]);
                String name = def == null ? classes.unknown.name : def.name;
                long bytes = t.bytes[i];
                if (def != null && !def.isArray()) {
                    bytes = count * classes.instanceSize(def);
                }
                long[] row = out.computeIfAbsent(name, k -> new long[2]);
                row[0] += count;
                row[1] += bytes;
            }
        }
        for (int type = Hprof.BOOLEAN; type <= Hprof.LONG; type++) {
            long count = 0;
            long bytes = 0;
            for (Tally t : tallies) {
                count += t.primCounts[type];
                bytes += t.primBytes[type];
            }
            if (count > 0) {
                long[] row = out.computeIfAbsent(classes.primitiveArrays[type].name, k -> new long[2]);
                row[0] += count;
                row[1] += bytes;
            }
        }
        return out;
    }

    /**
     * Objects and bytes per class id met in a part of a file, in arrays indexed by a dense slot, with a small
     * open-addressing map from class id to slot. The bytes matter only for ids with no CLASS_DUMP (an instance's
     * size comes from its class otherwise) and for arrays.
     */
    static final class Tally {
        private long[] keys = new long[1024];
        /** Slot + 1 per key, 0 for a free entry. */
        private int[] values = new int[1024];
        int size;
        long[] ids = new long[256];
        long[] counts = new long[256];
        long[] bytes = new long[256];
        final long[] primCounts = new long[12];
        final long[] primBytes = new long[12];

        void count(long classId, long objectBytes) {
            int i = (int) mix(classId) & (keys.length - 1);
            int s = keys[i] == classId && values[i] != 0 ? values[i] - 1 : slot(classId, i);
            counts[s]++;
            bytes[s] += objectBytes;
        }

        /**
         * The slot of a class id not at its first place in the map: further along, or new. Apart from
         * {@link #count} so that the path the loop takes most is short and every branch of it is taken early
         * (a branch first taken after compilation costs a recompilation).
         */
        private int slot(long classId, int first) {
            int mask = keys.length - 1;
            for (int i = first; ; i = (i + 1) & mask) {
                int v = values[i];
                if (v == 0) {
                    return add(classId);
                }
                if (keys[i] == classId) {
                    return v - 1;
                }
            }
        }

        private static long mix(long k) {
            k *= 0x9E3779B97F4A7C15L;
            return k ^ (k >>> 29);
        }

        private int add(long classId) {
            int s = size++;
            if (s == ids.length) {
                ids = Arrays.copyOf(ids, s * 2);
                counts = Arrays.copyOf(counts, s * 2);
                bytes = Arrays.copyOf(bytes, s * 2);
            }
            ids[s] = classId;
            if (size * 2 > keys.length) {
                keys = new long[keys.length * 2];
                values = new int[keys.length];
                for (int j = 0; j < size; j++) {
                    put(ids[j], j);
                }
            } else {
                put(classId, s);
            }
            return s;
        }

        private void put(long classId, int s) {
            int mask = keys.length - 1;
            int i = (int) mix(classId) & mask;
            while (values[i] != 0) {
                i = (i + 1) & mask;
            }
            keys[i] = classId;
            values[i] = s + 1;
        }

        void primitiveArray(int type, long objectBytes) {
            primCounts[type]++;
            primBytes[type] += objectBytes;
        }
    }

    /** A visitor that keeps the strings and class names of the top-level records, as every histogram needs. */
    abstract static class NamingVisitor implements HeapVisitor {
        ClassTable classes;

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
    }

    /** The histogram through the visitor interface: for gzip files and damaged ones. */
    private static final class Counter extends NamingVisitor {
        int idSize;
        final Tally tally = new Tally();

        @Override
        public void classDump(ClassDef def) {
            classes.add(def);
        }

        @Override
        public void instance(long id, long classId, int length, HprofInput in) throws IOException {
            tally.count(classId, 2L * idSize + length);
            in.skip(length, "an INSTANCE_DUMP sub-record");
        }

        @Override
        public void objectArray(long id, long arrayClassId, int length, HprofInput in) throws IOException {
            tally.count(arrayClassId, 2L * idSize + 8 + (long) length * idSize);
            in.skip((long) length * idSize, "an OBJ_ARRAY_DUMP sub-record");
        }

        @Override
        public void primitiveArray(long id, int type, int length, HprofInput in) throws IOException {
            int elem = Hprof.size(type, idSize);
            tally.primitiveArray(type, 2L * idSize + 8 + (long) length * elem);
            in.skip((long) length * elem, "a PRIM_ARRAY_DUMP sub-record");
        }
    }
}
