package dev.oomheapdump.core.analysis;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The histogram of a plain file, read in place from mapped windows. A first walk over the top-level records
 * (through the {@link HprofParser}) reads names and classes' names and notes where each heap dump record lies,
 * skipping them; their sub-records are then counted in up to {@link #THREADS} runs of consecutive records of
 * about equal bytes, each by its own thread into its own {@link Tally}: an instance is counted from its class
 * id and length, its fields skipped; an array from its header. Only CLASS_DUMPs are read whole. Anything
 * unexpected gives up (null), and the caller reads the file the slow way, which names the damage.
 */
final class FastScan extends Histogram.NamingVisitor {

    /** Headroom of a window for the fixed-size part of any sub-record. */
    private static final int HEAD = 64;
    /** The first window of a part; each next one is twice as long, up to {@link HprofInput#WINDOW}. */
    private static final int FIRST_WINDOW = 64 << 10;
    /** More than the longest CLASS_DUMP can be (2^16 constants, statics and fields). */
    private static final int CLASS_DUMP_MAX = 4 << 20;

    /** Bytes of a GC root sub-record by its tag, 0 for other tags. */
    static int[] rootSizes(int idSize) {
        int[] sizes = new int[256];
        sizes[Hprof.ROOT_UNKNOWN] = 1 + idSize;
        sizes[Hprof.ROOT_STICKY_CLASS] = 1 + idSize;
        sizes[Hprof.ROOT_MONITOR_USED] = 1 + idSize;
        sizes[Hprof.ROOT_JNI_GLOBAL] = 1 + 2 * idSize;
        sizes[Hprof.ROOT_JNI_LOCAL] = 1 + idSize + 8;
        sizes[Hprof.ROOT_JAVA_FRAME] = 1 + idSize + 8;
        sizes[Hprof.ROOT_THREAD_OBJECT] = 1 + idSize + 8;
        sizes[Hprof.ROOT_NATIVE_STACK] = 1 + idSize + 4;
        sizes[Hprof.ROOT_THREAD_BLOCK] = 1 + idSize + 4;
        return sizes;
    }

    /** Bytes of an element of a primitive array by its basic type, -1 for other types. */
    static int[] elementSizes() {
        int[] sizes = new int[256];
        Arrays.fill(sizes, -1);
        for (int type = Hprof.BOOLEAN; type <= Hprof.LONG; type++) {
            sizes[type] = Hprof.size(type, 8);
        }
        return sizes;
    }

    private long[] starts = new long[64];
    private long[] ends = new long[64];
    private int records;

    @Override
    public boolean takesHeapDumps() {
        return true;
    }

    @Override
    public void heapDump(long start, long body, long end) {
        if (records == starts.length) {
            starts = Arrays.copyOf(starts, records * 2);
            ends = Arrays.copyOf(ends, records * 2);
        }
        starts[records] = body;
        ends[records] = end;
        records++;
    }

    @Override
    public void instance(long id, long classId, int length, HprofInput in) {
        throw new IllegalStateException("heap dump records are counted apart");
    }

    @Override
    public void objectArray(long id, long arrayClassId, int length, HprofInput in) {
        throw new IllegalStateException("heap dump records are counted apart");
    }

    @Override
    public void primitiveArray(long id, int type, int length, HprofInput in) {
        throw new IllegalStateException("heap dump records are counted apart");
    }

    /** The histogram, or null for a gzip file or a damaged one; {@code parts} 0 to choose how many threads. */
    static Map<String, long[]> scan(Path file, AnalysisProgress progress, int parts) throws IOException {
        FastScan top = new FastScan();
        int idSize;
        try (HprofInput in = HprofInput.open(file)) {
            if (in.gzip) {
                return null;
            }
            HprofParser parser = new HprofParser(in, null);
            idSize = parser.header();
            top.classes = new ClassTable(idSize);
            parser.records(top);
        } catch (HprofFormatException e) {
            return null;
        }
        long total = 0;
        for (int r = 0; r < top.records; r++) {
            total += top.ends[r] - top.starts[r];
        }
        int threads = parts > 0 ? Math.max(1, Math.min(parts, top.records))
                : (int) Math.max(1, Math.min(Math.min(Histogram.THREADS, Runtime.getRuntime().availableProcessors()),
                Math.min(top.records, total / (16 << 20))));
        int[] from = new int[threads + 1];
        long sum = 0;
        int part = 1;
        for (int r = 0; r < top.records && part < threads; r++) {
            sum += top.ends[r] - top.starts[r];
            if (sum * threads >= total * part) {
                from[part++] = r + 1;
            }
        }
        while (part <= threads) {
            from[part++] = top.records;
        }
        Part[] work = new Part[threads];
        AtomicLong done = new AtomicLong();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int t = 0; t < threads; t++) {
                work[t] = new Part(top, channel, idSize, from[t], from[t + 1], done);
            }
            Thread[] helpers = new Thread[threads - 1];
            for (int t = 1; t < threads; t++) {
                helpers[t - 1] = new Thread(work[t], "hprof histogram " + t);
                helpers[t - 1].setDaemon(true);
                helpers[t - 1].start();
            }
            work[0].progress = f -> progress.update("histogram", f);
            work[0].total = total;
            work[0].run();
            try {
                for (Thread h : helpers) {
                    h.join();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while counting the heap dump");
            }
        }
        List<Histogram.Tally> tallies = new ArrayList<>();
        for (Part p : work) {
            if (p.failure instanceof IOException && !(p.failure instanceof HprofFormatException)) {
                throw (IOException) p.failure;
            }
            if (p.failure instanceof RuntimeException && !(p.failure instanceof IndexOutOfBoundsException)) {
                throw (RuntimeException) p.failure;
            }
            if (p.failure instanceof Error) {
                throw (Error) p.failure;
            }
            if (p.failure != null) {
                return null;
            }
            tallies.add(p.tally);
        }
        for (Part p : work) {
            for (ClassDef def : p.classDumps) {
                top.classes.add(def);
            }
        }
        progress.update("histogram", 1);
        return Histogram.table(top.classes, tallies);
    }

    /** One thread's run of consecutive heap dump records. */
    private static final class Part implements Runnable {
        private final long[] starts;
        private final long[] ends;
        private final FileChannel channel;
        private final int idSize;
        private final int from;
        private final int to;
        private final AtomicLong done;
        final Histogram.Tally tally = new Histogram.Tally();
        final List<ClassDef> classDumps = new ArrayList<>();
        Throwable failure;
        HprofParser.Tick progress;
        long total;
        private Mapping window;
        private ByteBuffer b;
        /** File offsets of the window's first byte and of the byte after its last. */
        private long base;
        private long limit;

        Part(FastScan top, FileChannel channel, int idSize, int from, int to, AtomicLong done) {
            this.starts = top.starts;
            this.ends = top.ends;
            this.channel = channel;
            this.idSize = idSize;
            this.from = from;
            this.to = to;
            this.done = done;
        }

        @Override
        public void run() {
            try {
                count();
            } catch (Throwable e) {
                failure = e;
            } finally {
                if (window != null) {
                    window.close();
                    window = null;
                }
            }
        }

        /** Sends the file to the slow reader, which says what is wrong there. */
        private static HprofFormatException damaged(long at) {
            return new HprofFormatException(at, "unexpected content at byte offset " + at);
        }

        /**
         * Maps the window from {@code at}, not past the part's end. The first windows of a part are short, so
         * that moving one is among what the loop has done while its profile is taken for compilation (a path
         * first taken after compilation sends the loop back to the interpreter until it is compiled again).
         */
        private void move(long at, long atLeast) throws IOException {
            long length = Math.max(atLeast,
                    window == null ? FIRST_WINDOW : Math.min(HprofInput.WINDOW, 2 * (limit - base)));
            if (window != null) {
                window.close();
                window = null;
            }
            long end = Math.min(ends[to - 1], at + length);
            window = Mapping.map(channel, FileChannel.MapMode.READ_ONLY, at, end - at);
            b = window.buffer;
            base = at;
            limit = end;
        }

        private void count() throws IOException {
            if (from >= to) {
                return;
            }
            long partEnd = ends[to - 1];
            final int id = idSize;
            final boolean wide = id == 8;
            final long header = 2L * id;
            final long arrayHeader = 2L * id + 8;
            final int[] roots = rootSizes(id);
            final int[] elements = elementSizes();
            move(starts[from], 0);
            long nextTick = 0;
            for (int r = from; r < to; r++) {
                long p = starts[r];
                long end = ends[r];
                while (p < end) {
                    if (limit - p < HEAD && limit < partEnd) {
                        move(p, 0);
                    }
                    int i = (int) (p - base);
                    int sub = b.get(i) & 0xff;
                    int rootSize;
                    if (sub == Hprof.INSTANCE_DUMP) {
                        long next = p + 1 + 2L * id + 8;
                        if (next > end) {
                            throw damaged(p);
                        }
                        int at = i + 1 + id + 4;
                        long classId = wide ? b.getLong(at) : Integer.toUnsignedLong(b.getInt(at));
                        int length = b.getInt(at + id);
                        if (length < 0) {
                            throw damaged(p);
                        }
                        tally.count(classId, header + length);
                        p = next + length;
                    } else if (sub == Hprof.OBJ_ARRAY_DUMP) {
                        long next = p + 1 + 2L * id + 8;
                        if (next > end) {
                            throw damaged(p);
                        }
                        int at = i + 1 + id + 4;
                        int length = b.getInt(at);
                        long classId = wide ? b.getLong(at + 4) : Integer.toUnsignedLong(b.getInt(at + 4));
                        if (length < 0) {
                            throw damaged(p);
                        }
                        long data = (long) length * id;
                        tally.count(classId, arrayHeader + data);
                        p = next + data;
                    } else if (sub == Hprof.PRIM_ARRAY_DUMP) {
                        long next = p + 1 + id + 9;
                        if (next > end) {
                            throw damaged(p);
                        }
                        int at = i + 1 + id + 4;
                        int length = b.getInt(at);
                        int type = b.get(at + 4) & 0xff;
                        int elem = elements[type];
                        if (length < 0 || elem < 0) {
                            throw damaged(p);
                        }
                        long data = (long) length * elem;
                        tally.primitiveArray(type, arrayHeader + data);
                        p = next + data;
                    } else if ((rootSize = roots[sub]) > 0) {
                        p += rootSize;
                    } else if (sub == Hprof.CLASS_DUMP) {
                        if (limit - p < CLASS_DUMP_MAX && limit < partEnd) {
                            move(p, CLASS_DUMP_MAX);
                        }
                        int first = (int) (p - base) + 1;
                        int last = (int) (Math.min(end, limit) - base);
                        HprofInput in = HprofInput.slice(b, first, last, p + 1);
                        classDumps.add(new HprofParser(in, id).classDump("a CLASS_DUMP sub-record"));
                        p = in.position();
                    } else {
                        throw damaged(p);
                    }
                }
                if (p != end) {
                    throw damaged(p);
                }
                if (progress != null && p >= nextTick) {
                    progress.at(Math.min(1, done.addAndGet(end - starts[r]) / (double) Math.max(1, total)));
                    nextTick = p + (64 << 20);
                } else {
                    done.addAndGet(end - starts[r]);
                }
            }
        }
    }
}
