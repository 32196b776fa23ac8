package dev.oomheapdump.core.analysis;

import java.util.HashMap;
import java.util.Map;

/**
 * GC roots of a dump with what is needed to name them: threads (ROOT_THREAD_OBJECT), their stack traces
 * (TRACE) and frames (FRAME), so that a java-frame root reads {@code thread "worker-3" local in Foo.bar}.
 */
final class Roots {

    final Chunks.Longs ids = new Chunks.Longs();
    final Chunks.Ints kinds = new Chunks.Ints();
    final Chunks.Ints threadSerials = new Chunks.Ints();
    final Chunks.Ints depths = new Chunks.Ints();
    /** Thread serial to thread object id and stack trace serial. */
    final Map<Integer, long[]> threads = new HashMap<>();
    final Map<Integer, long[]> traces = new HashMap<>();
    /** Frame id to method name id and class serial. */
    final Map<Long, long[]> frames = new HashMap<>();
    /** Per root entry, the node it points to (-1 when the object is not in the dump); set after pass 1. */
    int[] nodes;

    void add(int kind, long id, int threadSerial, int depth) {
        ids.add(id);
        kinds.add(kind);
        threadSerials.add(threadSerial);
        depths.add(depth);
        if (kind == Hprof.ROOT_THREAD_OBJECT) {
            threads.put(threadSerial, new long[] {id, depth});
        }
    }

    int count() {
        return (int) ids.size();
    }

    /** Preference when one object is a root several ways: a thread's stack first, the least telling last. */
    static int rank(int kind) {
        switch (kind) {
            case Hprof.ROOT_JAVA_FRAME: return 0;
            case Hprof.ROOT_THREAD_OBJECT: return 1;
            case Hprof.ROOT_JNI_LOCAL: return 2;
            case Hprof.ROOT_NATIVE_STACK: return 3;
            case Hprof.ROOT_JNI_GLOBAL: return 4;
            case Hprof.ROOT_STICKY_CLASS: return 5;
            case Hprof.ROOT_THREAD_BLOCK: return 6;
            case Hprof.ROOT_MONITOR_USED: return 7;
            default: return 8;
        }
    }

    /** The best root entry for a node, -1 when it is not a root. */
    int entryFor(int node) {
        int best = -1;
        for (int i = 0; i < nodes.length; i++) {
            if (nodes[i] == node && (best < 0 || rank(kinds.get(i)) < rank(kinds.get(best)))) {
                best = i;
            }
        }
        return best;
    }

    /** The thread object id of a thread serial, 0 when unknown. */
    long threadObject(int threadSerial) {
        long[] t = threads.get(threadSerial);
        return t == null ? 0 : t[0];
    }

    /** {@code com.acme.Foo.bar} for the frame at a depth of a thread's stack, null when unknown. */
    String method(int threadSerial, int depth, ClassTable classes) {
        long[] thread = threads.get(threadSerial);
        if (thread == null) {
            return null;
        }
        long[] trace = traces.get((int) thread[1]);
        if (trace == null || depth < 0 || depth >= trace.length) {
            return null;
        }
        long[] frame = frames.get(trace[depth]);
        if (frame == null) {
            return null;
        }
        String method = classes.string(frame[0]);
        Long classId = classes.classBySerial.get((int) frame[1]);
        ClassDef def = classId == null ? null : classes.byId(classId);
        return def == null ? method : def.name + "." + method;
    }

    static String kindName(int kind) {
        switch (kind) {
            case Hprof.ROOT_JNI_GLOBAL: return "JNI global";
            case Hprof.ROOT_JNI_LOCAL: return "JNI local";
            case Hprof.ROOT_JAVA_FRAME: return "java frame";
            case Hprof.ROOT_NATIVE_STACK: return "native stack";
            case Hprof.ROOT_STICKY_CLASS: return "sticky class";
            case Hprof.ROOT_THREAD_BLOCK: return "thread block";
            case Hprof.ROOT_MONITOR_USED: return "monitor";
            case Hprof.ROOT_THREAD_OBJECT: return "thread";
            default: return "unknown root";
        }
    }
}
