package dev.oomheapdump.core.analysis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Walks an HPROF stream once, record by record and sub-record by sub-record, and reports what it finds to a
 * {@link HeapVisitor}. Knows the format and nothing else. A damaged stream stops the walk with an
 * {@link HprofFormatException} naming the offset and what was expected.
 */
final class HprofParser {

    /** Reports the fraction of the file read so far. */
    interface Tick {
        void at(double fraction);
    }

    /** What a record of each tag is called in messages, made once rather than per record. */
    private static final String[] RECORDS = new String[256];

    static {
        for (int tag = 0; tag < RECORDS.length; tag++) {
            RECORDS[tag] = "a record (tag 0x" + Integer.toHexString(tag) + ")";
        }
    }

    private final HprofInput in;
    private final Tick tick;
    private int idSize;

    HprofParser(HprofInput in, Tick tick) {
        this.in = in;
        this.tick = tick;
    }

    /** A parser of sub-records in {@code in}, whose identifier size is already known. */
    HprofParser(HprofInput in, int idSize) {
        this(in, null);
        this.idSize = idSize;
        in.idSize = idSize;
    }

    /** Reads the header and returns the identifier size. */
    int header() throws IOException {
        StringBuilder magic = new StringBuilder();
        while (true) {
            if (!in.available(1)) {
                throw new HprofFormatException(in.position(), magic.length() == 0
                        ? "the file is empty: expected an HPROF header ('JAVA PROFILE 1.0.x') at byte offset 0"
                        : "the file ends at byte offset " + in.position() + " inside the HPROF header");
            }
            int b = in.u1("the HPROF header");
            if (b == 0) {
                break;
            }
            magic.append((char) b);
            if (magic.length() > 32 || !("JAVA PROFILE 1.0.".startsWith(magic.toString())
                    || magic.toString().startsWith("JAVA PROFILE 1.0."))) {
                throw new HprofFormatException(0, "not an HPROF file: expected 'JAVA PROFILE 1.0.x' at byte offset 0");
            }
        }
        if (!magic.toString().startsWith("JAVA PROFILE 1.0.")) {
            throw new HprofFormatException(0, "not an HPROF file: expected 'JAVA PROFILE 1.0.x' at byte offset 0");
        }
        long at = in.position();
        idSize = in.i4("the HPROF header (identifier size)");
        if (idSize != 4 && idSize != 8) {
            throw new HprofFormatException(at, "identifier size " + idSize + " at byte offset " + at
                    + " is neither 4 nor 8");
        }
        in.idSize = idSize;
        in.need(8, "the HPROF header (timestamp)");
        in.skip(8, "the HPROF header (timestamp)");
        return idSize;
    }

    /** Walks every record after the header. */
    void records(HeapVisitor v) throws IOException {
        boolean segments = false;
        boolean end = false;
        boolean heap = false;
        long nextTick = 0;
        while (in.available(1)) {
            long start = in.position();
            in.recordStart = start;
            int tag = in.buf.get(in.pos++) & 0xff;
            in.need(8, "the header of a record");
            in.pos += 4;
            long length = Integer.toUnsignedLong(in.buf.getInt(in.pos));
            in.pos += 4;
            String what = RECORDS[tag];
            switch (tag) {
                case Hprof.UTF8:
                    if (v.wantsStrings() && length >= idSize && length - idSize < (1 << 24)) {
                        long id = in.id(what);
                        v.utf8(id, in.bytes((int) (length - idSize), what));
                    } else {
                        in.skip(length, what);
                    }
                    break;
                case Hprof.LOAD_CLASS:
                    expect(length, 8 + 2L * idSize, start, "LOAD_CLASS");
                    int serial = in.i4(what);
                    long classId = in.id(what);
                    in.i4(what);
                    v.loadClass(serial, classId, in.id(what));
                    break;
                case Hprof.FRAME:
                    expect(length, 8 + 4L * idSize, start, "FRAME");
                    long frameId = in.id(what);
                    long method = in.id(what);
                    in.id(what);
                    long source = in.id(what);
                    int classSerial = in.i4(what);
                    in.i4(what);
                    v.frame(frameId, method, source, classSerial);
                    break;
                case Hprof.TRACE:
                    int traceSerial = in.i4(what);
                    int threadSerial = in.i4(what);
                    int frames = in.i4(what);
                    expect(length, 12 + (long) frames * idSize, start, "TRACE");
                    long[] ids = new long[frames];
                    for (int i = 0; i < frames; i++) {
                        ids[i] = in.id(what);
                    }
                    v.trace(traceSerial, threadSerial, ids);
                    break;
                case Hprof.HEAP_DUMP:
                case Hprof.HEAP_DUMP_SEGMENT:
                    heap = true;
                    segments |= tag == Hprof.HEAP_DUMP_SEGMENT;
                    if (v.takesHeapDumps()) {
                        long body = in.position();
                        in.skip(length, what);
                        v.heapDump(start, body, body + length);
                    } else {
                        heapDump(v, start, in.position() + length, tag == Hprof.HEAP_DUMP ? "HEAP_DUMP" : "HEAP_DUMP_SEGMENT");
                    }
                    in.recordStart = start;
                    break;
                case Hprof.HEAP_DUMP_END:
                    end = true;
                    in.skip(length, what);
                    break;
                default:
                    in.skip(length, what);
            }
            if (tick != null && in.position() >= nextTick) {
                tick.at(in.fraction());
                nextTick = in.position() + (64 << 20);
            }
        }
        if (!heap) {
            throw new HprofFormatException(in.position(), "the file ends at byte offset " + in.position()
                    + " without any HEAP_DUMP or HEAP_DUMP_SEGMENT record: expected a heap dump");
        }
        if (segments && !end) {
            throw new HprofFormatException(in.position(), "the file ends at byte offset " + in.position()
                    + " without the HEAP_DUMP_END record: expected more heap dump segments (truncated dump?)");
        }
    }

    private void expect(long length, long expected, long start, String name) throws HprofFormatException {
        if (length != expected) {
            throw new HprofFormatException(start, "the " + name + " record at byte offset " + start + " has length "
                    + length + ", expected " + expected);
        }
    }

    private void heapDump(HeapVisitor v, long start, long end, String record) throws IOException {
        String inside = " in the " + record + " record starting at byte offset " + start;
        while (in.position() < end) {
            long at = in.position();
            in.recordStart = at;
            if (!in.available(1)) {
                throw in.truncated(1, "a heap dump sub-record" + inside);
            }
            int sub = in.buf.get(in.pos++) & 0xff;
            switch (sub) {
                case Hprof.ROOT_UNKNOWN:
                case Hprof.ROOT_STICKY_CLASS:
                case Hprof.ROOT_MONITOR_USED:
                    v.root(sub, in.id("a GC root sub-record"), -1, -1);
                    break;
                case Hprof.ROOT_JNI_GLOBAL:
                    v.root(sub, in.id("a ROOT_JNI_GLOBAL sub-record"), -1, -1);
                    in.id("a ROOT_JNI_GLOBAL sub-record");
                    break;
                case Hprof.ROOT_JNI_LOCAL:
                case Hprof.ROOT_JAVA_FRAME:
                case Hprof.ROOT_THREAD_OBJECT: {
                    String what = "a GC root sub-record";
                    long id = in.id(what);
                    int thread = in.i4(what);
                    int depth = in.i4(what);
                    v.root(sub, id, thread, depth);
                    break;
                }
                case Hprof.ROOT_NATIVE_STACK:
                case Hprof.ROOT_THREAD_BLOCK: {
                    String what = "a GC root sub-record";
                    long id = in.id(what);
                    v.root(sub, id, in.i4(what), -1);
                    break;
                }
                case Hprof.CLASS_DUMP:
                    v.classDump(classDump("a CLASS_DUMP sub-record"));
                    break;
                case Hprof.INSTANCE_DUMP: {
                    String what = "an INSTANCE_DUMP sub-record";
                    in.need(2 * idSize + 8, what);
                    long id = in.idAt(in.pos);
                    long classId = in.idAt(in.pos + idSize + 4);
                    int length = in.buf.getInt(in.pos + 2 * idSize + 4);
                    in.pos += 2 * idSize + 8;
                    check(length, at, what);
                    long payload = in.position();
                    v.instance(id, classId, length, in);
                    consumed(payload, length, at);
                    break;
                }
                case Hprof.OBJ_ARRAY_DUMP: {
                    String what = "an OBJ_ARRAY_DUMP sub-record";
                    in.need(2 * idSize + 8, what);
                    long id = in.idAt(in.pos);
                    int length = in.buf.getInt(in.pos + idSize + 4);
                    long classId = in.idAt(in.pos + idSize + 8);
                    in.pos += 2 * idSize + 8;
                    check(length, at, what);
                    long payload = in.position();
                    v.objectArray(id, classId, length, in);
                    consumed(payload, (long) length * idSize, at);
                    break;
                }
                case Hprof.PRIM_ARRAY_DUMP: {
                    String what = "a PRIM_ARRAY_DUMP sub-record";
                    in.need(idSize + 9, what);
                    long id = in.idAt(in.pos);
                    int length = in.buf.getInt(in.pos + idSize + 4);
                    int type = in.buf.get(in.pos + idSize + 8) & 0xff;
                    in.pos += idSize + 9;
                    check(length, at, what);
                    int size = Hprof.size(type, idSize);
                    if (size < 0 || type == Hprof.OBJECT) {
                        throw new HprofFormatException(at, "unknown element type " + type + " in " + what + " at byte offset " + at);
                    }
                    long payload = in.position();
                    v.primitiveArray(id, type, length, in);
                    consumed(payload, (long) length * size, at);
                    break;
                }
                default:
                    throw new HprofFormatException(at, "unknown heap dump sub-record tag 0x"
                            + Integer.toHexString(sub) + " at byte offset " + at + inside
                            + ": expected a GC root, CLASS_DUMP, INSTANCE_DUMP or array dump (damaged file?)");
            }
        }
        if (in.position() != end) {
            throw new HprofFormatException(in.position(), "a sub-record crosses the end of the " + record
                    + " record starting at byte offset " + start + ": it should end at byte offset " + end
                    + ", the last sub-record ends at " + in.position());
        }
    }

    private static void check(int length, long at, String what) throws HprofFormatException {
        if (length < 0) {
            throw new HprofFormatException(at, "negative length " + length + " in " + what + " at byte offset " + at);
        }
    }

    private void consumed(long payload, long length, long at) throws HprofFormatException {
        if (in.position() != payload + length) {
            throw new IllegalStateException("visitor consumed " + (in.position() - payload) + " of " + length
                    + " bytes of the sub-record at byte offset " + at);
        }
    }

    ClassDef classDump(String what) throws IOException {
        long id = in.id(what);
        in.i4(what);
        long superId = in.id(what);
        long loaderId = in.id(what);
        in.skip(4L * idSize, what);
        int instanceSize = in.i4(what);
        int constants = in.u2(what);
        for (int i = 0; i < constants; i++) {
            in.u2(what);
            in.skip(valueSize(in.u1(what), what), what);
        }
        int statics = in.u2(what);
        long[] staticNames = new long[statics];
        byte[] staticTypes = new byte[statics];
        long[] staticValues = new long[statics];
        for (int i = 0; i < statics; i++) {
            staticNames[i] = in.id(what);
            int type = in.u1(what);
            staticTypes[i] = (byte) type;
            if (type == Hprof.OBJECT) {
                staticValues[i] = in.id(what);
            } else {
                in.skip(valueSize(type, what), what);
            }
        }
        int fields = in.u2(what);
        long[] fieldNames = new long[fields];
        byte[] fieldTypes = new byte[fields];
        for (int i = 0; i < fields; i++) {
            fieldNames[i] = in.id(what);
            fieldTypes[i] = (byte) in.u1(what);
            valueSize(fieldTypes[i], what);
        }
        return new ClassDef(id, superId, loaderId, instanceSize, staticNames, staticTypes, staticValues,
                fieldNames, fieldTypes);
    }

    private int valueSize(int type, String what) throws HprofFormatException {
        int size = Hprof.size(type, idSize);
        if (size < 0) {
            throw new HprofFormatException(in.position(), "unknown basic type " + type + " at byte offset "
                    + (in.position() - 1) + " in " + what);
        }
        return size;
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
