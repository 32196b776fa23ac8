package dev.oomheapdump.core.analysis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One more pass over the file that copies the records of a few objects: the field bytes of instances, the
 * elements of small primitive arrays, and where given ids sit in object arrays. Used to name the few edges of
 * reported paths and thread names, so no per-object file offsets need to be kept.
 */
final class RecordFetch implements HeapVisitor {

    private static final int MAX_PRIMITIVE_BYTES = 4096;

    private final Chunks.LongInt wanted = new Chunks.LongInt();
    private final List<long[]> arrayTargets = new ArrayList<>();
    final Map<Long, byte[]> fields = new HashMap<>();
    final Map<Long, Long> classIds = new HashMap<>();
    final Map<Long, byte[]> primitives = new HashMap<>();
    /** Array id, then target id, to the first index of the target in the array. */
    final Map<Long, Map<Long, Integer>> positions = new HashMap<>();
    private int idSize;

    void want(long id) {
        if (wanted.get(id) < 0) {
            wanted.put(id, arrayTargets.size());
            arrayTargets.add(new long[0]);
        }
    }

    void wantInArray(long arrayId, long targetId) {
        want(arrayId);
        int slot = wanted.get(arrayId);
        long[] old = arrayTargets.get(slot);
        long[] now = java.util.Arrays.copyOf(old, old.length + 1);
        now[old.length] = targetId;
        arrayTargets.set(slot, now);
    }

    boolean isEmpty() {
        return arrayTargets.isEmpty();
    }

    void run(Path file) throws IOException {
        if (isEmpty()) {
            return;
        }
        try (HprofInput in = HprofInput.open(file)) {
            HprofParser parser = new HprofParser(in, null);
            idSize = parser.header();
            parser.records(this);
        }
    }

    @Override
    public void instance(long id, long classId, int length, HprofInput in) throws IOException {
        if (wanted.get(id) >= 0) {
            fields.put(id, in.bytes(length, "an INSTANCE_DUMP sub-record"));
            classIds.put(id, classId);
        } else {
            in.skip(length, "an INSTANCE_DUMP sub-record");
        }
    }

    @Override
    public void objectArray(long id, long arrayClassId, int length, HprofInput in) throws IOException {
        int slot = wanted.get(id);
        if (slot < 0) {
            in.skip((long) length * idSize, "an OBJ_ARRAY_DUMP sub-record");
            return;
        }
        long[] targets = arrayTargets.get(slot);
        Map<Long, Integer> found = positions.computeIfAbsent(id, k -> new HashMap<>());
        for (int i = 0; i < length; i++) {
            long element = in.id("an OBJ_ARRAY_DUMP sub-record");
            if (element != 0) {
                for (long t : targets) {
                    if (t == element) {
                        found.putIfAbsent(t, i);
                    }
                }
            }
        }
    }

    @Override
    public void primitiveArray(long id, int type, int length, HprofInput in) throws IOException {
        long bytes = (long) length * Hprof.size(type, idSize);
        if (wanted.get(id) >= 0 && bytes <= MAX_PRIMITIVE_BYTES) {
            byte[] data = in.bytes((int) bytes, "a PRIM_ARRAY_DUMP sub-record");
            byte[] tagged = new byte[data.length + 1];
            tagged[0] = (byte) type;
            System.arraycopy(data, 0, tagged, 1, data.length);
            primitives.put(id, tagged);
        } else {
            in.skip(bytes, "a PRIM_ARRAY_DUMP sub-record");
        }
    }
}
