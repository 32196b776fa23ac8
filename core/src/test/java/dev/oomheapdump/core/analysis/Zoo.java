package dev.oomheapdump.core.analysis;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

/**
 * Run in a child JVM: builds object graphs of known shapes, then dumps its own heap and exits.
 * {@code java Zoo <shape> <file> <live|gz>}; shapes: {@code zoo}, {@code chain}, {@code garbage}, {@code big},
 * {@code series} (three dumps {@code <file>-1.hprof} to {@code -3}, each with 500 more {@link Growing}).
 * {@code gz} dumps through {@code jcmd GC.heap_dump -gz=1}, HotSpot's own chunked gzip; {@code parallel} through
 * {@code jcmd GC.heap_dump -parallel=2} (JDK 21 and later: segments written in parallel, then merged).
 */
public final class Zoo {

    static final int MARKERS = 777;
    static final int HOLDER_ARRAYS = 100;
    static final int HOLDER_ARRAY_BYTES = 1000;
    static final int CACHE_ENTRIES = 2000;
    static final int CACHE_VALUE_BYTES = 2000;
    static final int CHAIN = 1_000_000;
    static final int GARBAGE = 300;
    static final int GARBAGE_BYTES = 10_000;
    static final int STACK_BYTES = 600_000;

    /** Exactly {@link #MARKERS} of these exist. */
    static final class Marker {
        final int n;

        Marker(int n) {
            this.n = n;
        }
    }

    /** Holds {@link #HOLDER_ARRAYS} arrays of {@link #HOLDER_ARRAY_BYTES} bytes and nothing else. */
    static final class Holder {
        final byte[][] arrays = new byte[HOLDER_ARRAYS][];
    }

    /** A side of the diamond: both sides point to one {@link Shared}. */
    static final class Part {
        Object ref;
        final byte[] payload = new byte[5000];
    }

    static final class Shared {
        final byte[] payload = new byte[5000];
    }

    /** Three of these form a cycle. */
    static final class Ring {
        Ring next;
        final byte[] payload = new byte[5000];
    }

    /** More of these in every dump of the {@code series} shape. */
    static final class Growing {
        final long[] payload = new long[16];
    }

    static final class Node {
        Node next;
    }

    static final class StackHeld {
        final byte[] payload = new byte[STACK_BYTES];
    }

    static final class Garbage {
        final byte[] payload = new byte[GARBAGE_BYTES];
    }

    /** The static cache of the zoo: the biggest thing in it. */
    static final class Graph {
        static final Map<Integer, byte[]> CACHE = new HashMap<>();
    }

    static Marker[] markers;
    static Holder holder;
    static Part diamondLeft;
    static Part diamondRight;
    static Ring cycle;
    static List<Growing> growing = new ArrayList<>();
    static Node chain;
    static List<Object> big;

    public static void main(String[] args) throws Exception {
        String shape = args[0];
        Path file = Path.of(args[1]);
        boolean live = Boolean.parseBoolean(args[2]);
        switch (shape) {
            case "zoo":
                zoo();
                break;
            case "chain":
                chain = new Node();
                Node last = chain;
                for (int i = 1; i < CHAIN; i++) {
                    last.next = new Node();
                    last = last.next;
                }
                break;
            case "garbage":
                zoo();
                List<Garbage> garbage = new ArrayList<>();
                for (int i = 0; i < GARBAGE; i++) {
                    garbage.add(new Garbage());
                }
                garbage = null;
                break;
            case "big":
                big(Integer.parseInt(args[3]));
                break;
            case "series":
                for (int step = 1; step <= 3; step++) {
                    for (int i = 0; i < 500; i++) {
                        growing.add(new Growing());
                    }
                    Path each = Path.of(args[1] + "-" + step + ".hprof");
                    Files.deleteIfExists(each);
                    ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(each.toString(), true);
                }
                System.exit(0);
                break;
            default:
                throw new IllegalArgumentException(shape);
        }
        Files.deleteIfExists(file);
        if (args[2].equals("gz") || args[2].equals("parallel")) {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            String option = args[2].equals("gz") ? "-gz=1" : "-parallel=2";
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(ProcessHandle.current().pid()),
                    "GC.heap_dump", option, file.toString()).inheritIO().start();
            System.exit(p.waitFor());
        }
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(file.toString(), live);
        System.exit(0);
    }

    private static void zoo() throws InterruptedException {
        markers = new Marker[MARKERS];
        for (int i = 0; i < MARKERS; i++) {
            markers[i] = new Marker(i);
        }
        holder = new Holder();
        for (int i = 0; i < HOLDER_ARRAYS; i++) {
            holder.arrays[i] = new byte[HOLDER_ARRAY_BYTES];
        }
        Shared shared = new Shared();
        diamondLeft = new Part();
        diamondRight = new Part();
        diamondLeft.ref = shared;
        diamondRight.ref = shared;
        Ring a = new Ring();
        Ring b = new Ring();
        Ring c = new Ring();
        a.next = b;
        b.next = c;
        c.next = a;
        cycle = a;
        for (int i = 0; i < CACHE_ENTRIES; i++) {
            Graph.CACHE.put(i, new byte[CACHE_VALUE_BYTES]);
        }
        CountDownLatch parked = new CountDownLatch(1);
        Thread worker = new Thread(() -> holdOnStack(parked), "worker-3");
        worker.setDaemon(true);
        worker.start();
        parked.await();
    }

    static void holdOnStack(CountDownLatch parked) {
        StackHeld local = new StackHeld();
        parked.countDown();
        while (true) {
            LockSupport.park();
            if (local.payload.length < 0) {
                break;
            }
        }
    }

    private static void big(int entries) {
        Map<Integer, Object> map = new HashMap<>();
        for (int i = 0; i < entries; i++) {
            Object value;
            switch (i % 3) {
                case 0: value = new byte[16 + i % 64]; break;
                case 1: value = "value-" + i; break;
                default: value = new Object[] {i, (long) i};
            }
            map.put(i, value);
        }
        big = new ArrayList<>();
        big.add(map);
    }
}
