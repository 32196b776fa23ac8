package dev.oomheapdump.it.proof;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The application of the proof tests, run in child JVMs. Unlike {@code LeakApp}, it keeps a chosen amount of
 * live data without running out of memory. It prints {@code READY pid N}, then reads commands from standard
 * input:
 * <ul>
 *   <li>{@code fill MB}: keep MB more mebibytes live, as arrays of 16 KiB;
 *   prints {@code FILLED total-MB}; when the heap runs out, prints {@code OOM message} and exits with 3</li>
 *   <li>{@code leak KB MS CAPMB}: in the background, keep KB more kibibytes every MS ms until CAPMB are
 *   kept, and meanwhile make garbage so that young collections keep coming; prints {@code LEAKING}</li>
 *   <li>{@code nodes MB}: keep about MB more mebibytes live as a chain of small objects of one reference each, which
 *   take about twice their heap size in a dump (a reference is 4 bytes in a heap with compressed pointers, 8 in
 *   the dump); prints {@code NODES total-MB}</li>
 *   <li>{@code free}: drop everything kept; prints {@code FREED}</li>
 *   <li>{@code spin MS}: burn CPU for MS ms; prints {@code SPUN}</li>
 *   <li>{@code exit}: exit with code 0</li>
 * </ul>
 */
public final class ProofApp {

    /** What {@code fill} keeps: one entry per MiB. */
    static final List<Object[]> KEPT = new ArrayList<>();
    static volatile long sink;

    private ProofApp() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("READY pid " + ProcessHandle.current().pid());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            run(line.trim().split("\\s+"));
        }
    }

    private static void run(String[] words) throws Exception {
        try {
            execute(words);
        } catch (OutOfMemoryError e) {
            synchronized (KEPT) {
                KEPT.clear();
            }
            System.out.println("OOM " + e.getMessage());
            System.out.flush();
            System.exit(3);
        }
    }

    private static void execute(String[] words) throws Exception {
        switch (words[0]) {
            case "fill":
                int mb = Integer.parseInt(words[1]);
                synchronized (KEPT) {
                    for (int i = 0; i < mb; i++) {
                        KEPT.add(oneMebibyte());
                    }
                    System.out.println("FILLED " + KEPT.size());
                }
                break;
            case "leak":
                int kb = Integer.parseInt(words[1]);
                long ms = Long.parseLong(words[2]);
                long capBytes = Long.parseLong(words[3]) << 20;
                Thread leak = new Thread(() -> leak(kb, ms, capBytes), "proof-leak");
                leak.setDaemon(true);
                leak.start();
                System.out.println("LEAKING");
                break;
            case "nodes":
                synchronized (KEPT) {
                    for (int i = 0; i < Integer.parseInt(words[1]); i++) {
                        Node chain = null;
                        for (int j = 0; j < (1 << 20) / 16; j++) {
                            chain = new Node(chain);
                        }
                        KEPT.add(new Object[]{chain});
                    }
                    System.out.println("NODES " + KEPT.size());
                }
                break;
            case "free":
                synchronized (KEPT) {
                    KEPT.clear();
                }
                System.out.println("FREED");
                break;
            case "spin":
                long end = System.nanoTime() + Long.parseLong(words[1]) * 1_000_000L;
                while (System.nanoTime() < end) {
                    sink += burn(sink);
                }
                System.out.println("SPUN");
                break;
            case "exit":
                System.exit(0);
                break;
            default:
                System.out.println("UNKNOWN " + String.join(" ", words));
        }
        System.out.flush();
    }

    /** 16 bytes in a heap with compressed pointers: a header of 12, one reference of 4. */
    private static final class Node {
        final Node next;

        Node(Node next) {
            this.next = next;
        }
    }

    private static Object[] oneMebibyte() {
        Object[] node = new Object[64];
        for (int i = 0; i < node.length; i++) {
            node[i] = new long[2046];
        }
        return node;
    }

    private static void leak(int kb, long ms, long capBytes) {
        List<Object> kept = new ArrayList<>();
        long bytes = 0;
        while (true) {
            if (bytes < capBytes) {
                kept.add(new byte[kb << 10]);
                bytes += (long) kb << 10;
            }
            for (int i = 0; i < 64; i++) {
                sink += new byte[16 << 10].length;
            }
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static long burn(long seed) {
        long x = seed;
        for (int i = 0; i < 100_000; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        return x;
    }
}
