package dev.oomheapdump.it.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A big live heap for the dump benchmark: half arrays (byte, int and long arrays of 4 KiB to 256 KiB), half
 * millions of small objects (linked nodes holding boxed numbers and short strings). A ticker thread wakes
 * every millisecond and records the longest gap between two wake-ups: the application's longest pause.
 *
 * <p>Prints {@code BUILT <objects> <heap bytes in use after a full GC>} when the heap is built, then reads commands:
 * {@code gap} prints {@code GAP <longest gap in ns since the last gap command>} and starts a new measurement;
 * {@code exit} exits. Argument: the live heap to build, in MiB.
 */
public final class DumpHeapWorkload {

    static final List<Object> ROOTS = new ArrayList<>();
    private static volatile long maxGap;
    private static volatile boolean reset;

    private DumpHeapWorkload() {
    }

    static final class Node {
        Node next;
        final long value;
        final Object payload;

        Node(Node next, long value, Object payload) {
            this.next = next;
            this.value = value;
            this.payload = payload;
        }
    }

    public static void main(String[] args) throws Exception {
        long target = Long.parseLong(args[0]) << 20;
        long bytes = 0;
        long objects = 0;
        long x = 0x9E3779B97F4A7C15L;
        while (bytes < target / 2) {
            x = next(x);
            int size = 4096 << (int) ((x >>> 3) % 7);
            switch ((int) (x & 3)) {
                case 0:
                    ROOTS.add(new long[size / 8]);
                    break;
                case 1:
                    ROOTS.add(new int[size / 4]);
                    break;
                default:
                    ROOTS.add(new byte[size]);
            }
            bytes += size + 16;
            objects++;
        }
        Node head = null;
        int chain = 0;
        while (bytes < target) {
            x = next(x);
            Object payload;
            long cost = 24;
            switch ((int) (x & 3)) {
                case 0:
                    payload = Long.valueOf(x);
                    cost += 24;
                    break;
                case 1:
                    payload = Integer.toHexString((int) x);
                    cost += 64;
                    break;
                case 2:
                    payload = Integer.valueOf((int) (x >>> 40) + 1000);
                    cost += 16;
                    break;
                default:
                    payload = null;
            }
            head = new Node(head, x, payload);
            objects += payload == null ? 1 : payload instanceof String ? 3 : 2;
            bytes += cost;
            if (++chain == 10_000) {
                ROOTS.add(head);
                head = null;
                chain = 0;
            }
        }
        ROOTS.add(head);
        Thread ticker = new Thread(DumpHeapWorkload::tick, "ticker");
        ticker.setDaemon(true);
        ticker.start();
        System.gc();
        Runtime rt = Runtime.getRuntime();
        System.out.println("BUILT " + objects + " " + (rt.totalMemory() - rt.freeMemory()));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            switch (line.trim()) {
                case "gap":
                    System.out.println("GAP " + maxGap);
                    reset = true;
                    break;
                case "exit":
                    System.exit(0);
                    break;
                default:
                    System.out.println("UNKNOWN " + line);
            }
        }
    }

    private static void tick() {
        long last = System.nanoTime();
        while (true) {
            LockSupport.parkNanos(1_000_000);
            long now = System.nanoTime();
            if (reset) {
                reset = false;
                maxGap = 0;
            } else if (now - last > maxGap) {
                maxGap = now - last;
            }
            last = now;
        }
    }

    private static long next(long x) {
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        return x;
    }
}
