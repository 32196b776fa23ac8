package dev.oomheapdump.it.app;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The application the integration tests run in child JVMs. It prints {@code READY}, then reads commands,
 * one per line, from standard input:
 * <ul>
 *   <li>{@code heap KB MS}: leak {@link LeakedBlob}s of KB kibibytes, sleeping MS ms after each MiB, until the
 *   heap is full; then print {@code OOM <message>} and exit with code 3</li>
 *   <li>{@code huge}: allocate one array larger than the heap at once</li>
 *   <li>{@code spin MS}: burn CPU for MS ms in a recognisable method, then print {@code SPUN}</li>
 *   <li>{@code exit}: exit with code 0</li>
 * </ul>
 * Commands given as arguments run first, without waiting for input.
 */
public final class LeakApp {

    static final List<Object> LEAK = new ArrayList<>();
    static volatile long sink;

    private LeakApp() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("READY pid " + ProcessHandle.current().pid());
        if (args.length > 0) {
            run(String.join(" ", args));
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            run(line.trim());
        }
    }

    static void run(String command) throws Exception {
        String[] words = command.split("\\s+");
        try {
            switch (words[0]) {
                case "heap":
                    leakHeap(Integer.parseInt(words[1]), Integer.parseInt(words[2]));
                    break;
                case "huge":
                    LEAK.add(new long[(int) Math.min(Integer.MAX_VALUE - 8, Runtime.getRuntime().maxMemory() / 4)]);
                    break;
                case "spin":
                    spin(Long.parseLong(words[1]));
                    System.out.println("SPUN");
                    break;
                case "exit":
                    System.exit(0);
                    break;
                case "":
                    break;
                default:
                    System.out.println("UNKNOWN " + command);
            }
        } catch (OutOfMemoryError e) {
            LEAK.clear();
            System.out.println("OOM " + e.getMessage());
            System.out.flush();
            System.exit(3);
        }
    }

    static void leakHeap(int kb, int sleepMs) throws InterruptedException {
        long bytes = 0;
        while (true) {
            LEAK.add(new LeakedBlob(kb * 1024));
            bytes += kb * 1024L;
            if (sleepMs > 0 && bytes >= 1 << 20) {
                bytes = 0;
                Thread.sleep(sleepMs);
            }
        }
    }

    static void spin(long ms) {
        long end = System.nanoTime() + ms * 1_000_000L;
        while (System.nanoTime() < end) {
            sink += burnCpu(sink);
        }
    }

    static long burnCpu(long seed) {
        long x = seed;
        for (int i = 0; i < 100_000; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        return x;
    }

    static ByteBuffer direct(int bytes) {
        return ByteBuffer.allocateDirect(bytes);
    }
}
