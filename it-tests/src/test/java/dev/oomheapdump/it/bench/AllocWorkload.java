package dev.oomheapdump.it.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An allocation-heavy application for the overhead benchmarks: one worker thread makes many short-lived
 * objects (boxed lists, strings) and keeps replacing entries of a steady live set of small objects and
 * arrays (one entry every 64 operations), so that young collections run many times a second and some objects
 * reach the old generation.
 *
 * <p>The first line of {@code main} prints {@code MAIN <epoch ms>} (the start-up benchmark reads it). Then it
 * prints {@code READY} and reads commands from standard input:
 * <ul>
 *   <li>{@code count}: print {@code COUNT <operations so far> <System.nanoTime()> <process CPU ns>}</li>
 *   <li>{@code settle}: stop the worker, drop the live set, run {@code System.gc()} twice and print
 *   {@code USED <heap bytes in use>}</li>
 *   <li>{@code exit}: exit with code 0</li>
 * </ul>
 * Argument: the number of live-set slots (about 180 bytes each).
 */
public final class AllocWorkload {

    private static volatile boolean running = true;
    private static volatile long operations;
    private static volatile long sink;
    private static Object[] live;

    private AllocWorkload() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("MAIN " + System.currentTimeMillis());
        int slots = Integer.parseInt(args[0]);
        live = new Object[slots];
        long x = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < slots; i++) {
            x = next(x);
            live[i] = new Node(new byte[16 + (int) (x & 255)], x);
        }
        pollute();
        Thread worker = new Thread(AllocWorkload::work, "workload");
        worker.start();
        System.out.println("READY");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            switch (line.trim()) {
                case "count":
                    System.out.println("COUNT " + operations + " " + System.nanoTime() + " " + cpuNanos());
                    break;
                case "settle":
                    running = false;
                    worker.join();
                    live = null;
                    System.gc();
                    System.gc();
                    Runtime rt = Runtime.getRuntime();
                    System.out.println("USED " + (rt.totalMemory() - rt.freeMemory()));
                    break;
                case "exit":
                    System.exit(0);
                    break;
                default:
                    System.out.println("UNKNOWN " + line);
            }
        }
    }

    /** CPU time of the whole process (all threads: workload, GC, JIT, agent), from /proc; no management beans. */
    private static long cpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
    }

    static final class Node {
        final byte[] payload;
        final long value;

        Node(byte[] payload, long value) {
            this.payload = payload;
            this.value = value;
        }
    }

    /**
     * Calls the JDK collection methods the workload uses with several element types, as any real application
     * does, before the workload starts. Without it the benchmark is a tiny program whose JIT profiles of
     * shared JDK code ({@code ArrayList.hashCode}...) see only {@code Integer}, and the agent's own use of those
     * methods at start-up alone makes the workload ≈ 5-10% slower per CPU-second: an artefact of a
     * one-class program, not a cost a real application pays.
     */
    private static void pollute() {
        Object[][] kinds = {{"a", "b", "c"}, {1L, 2L, 3L}, {1.0, 2.0}, {'x', 'y'}, {(short) 1}, {true, false}};
        long h = 0;
        for (int i = 0; i < 20_000; i++) {
            for (Object[] k : kinds) {
                List<Object> l = new ArrayList<>(k.length);
                for (Object o : k) {
                    l.add(o);
                }
                h += l.hashCode();
            }
        }
        sink = h;
    }

    private static long next(long x) {
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        return x;
    }

    private static void work() {
        Object[] set = live;
        int slots = set.length;
        long x = 42;
        long local = 0;
        while (running) {
            for (int i = 0; i < 256; i++) {
                x = next(x);
                int n = 4 + (int) (x & 7);
                List<Integer> list = new ArrayList<>(n);
                for (int k = 0; k < n; k++) {
                    list.add((int) (x >>> (k * 4)));
                }
                String s = Integer.toString(list.hashCode());
                local += s.length();
                if ((i & 63) == 0) {
                    set[(int) ((x >>> 1) % slots)] = new Node(new byte[16 + (int) ((x >>> 20) & 255)], x);
                }
            }
            operations += 256;
        }
        sink = local;
    }
}
