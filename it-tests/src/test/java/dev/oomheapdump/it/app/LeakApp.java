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
 *   <li>{@code array}: ask for an array larger than the VM allows ("Requested array size exceeds VM limit")</li>
 *   <li>{@code metaspace}: define classes in new class loaders until Metaspace is full</li>
 *   <li>{@code direct KB MS}: keep direct buffers of KB kibibytes, sleeping MS ms after each MiB</li>
 *   <li>{@code thread KB MS}: leak as {@code heap} does, in a thread that is not {@code main}</li>
 *   <li>{@code swallow KB MS}: leak as {@code heap} does, catch the OOM, let go of the leak and print
 *   {@code SWALLOWED}: the application lives on</li>
 *   <li>{@code gcoverhead}: keep a live set that fills the heap while churning garbage, for "GC overhead
 *   limit exceeded" under the Parallel collector</li>
 *   <li>{@code subclass}: keep 8 MiB of {@link LeakedBlob}s, then throw a library's own OutOfMemoryError
 *   subclass ({@link OutOfDirectMemoryError})</li>
 *   <li>{@code threads}: keep a {@link LeakedBlob}, then start sleeping threads until the JVM cannot create one
 *   more ("unable to create native thread"; run it under a pids limit)</li>
 *   <li>{@code retry N}: fill direct memory N times, catching each OutOfMemoryError and letting go, then print
 *   {@code RETRIED N}: an application that catches and retries</li>
 *   <li>{@code full MS}: fill the heap, keep it full for MS ms (allocating and catching each OutOfMemoryError),
 *   let go and print {@code FULL DONE}: the heap stays exhausted while other threads of the JVM run</li>
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
        if (args.length == 2 && args[0].equals("die")) {
            leakHeap(Integer.parseInt(args[1]), 0); // the OOM leaves main uncaught: the JVM ends with its heap full
        }
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
                case "array":
                    LEAK.add(new long[Integer.MAX_VALUE]);
                    break;
                case "metaspace":
                    leakClasses();
                    break;
                case "direct":
                    leakDirect(Integer.parseInt(words[1]), Integer.parseInt(words[2]));
                    break;
                case "thread":
                    leakInThread(Integer.parseInt(words[1]), Integer.parseInt(words[2]));
                    break;
                case "swallow":
                    try {
                        leakHeap(Integer.parseInt(words[1]), Integer.parseInt(words[2]));
                    } catch (OutOfMemoryError e) {
                        LEAK.clear();
                        System.out.println("SWALLOWED " + e.getMessage());
                    }
                    break;
                case "subclass":
                    LEAK.add(new LeakedBlob(8 << 20));
                    throw new OutOfDirectMemoryError("failed to allocate 16777216 byte(s) of direct memory "
                            + "(used: 50331648, max: 67108864)");
                case "threads":
                    LEAK.add(new LeakedBlob(1 << 20));
                    startThreadsUntilRefused();
                    break;
                case "retry":
                    int times = Integer.parseInt(words[1]);
                    for (int i = 0; i < times; i++) {
                        try {
                            leakDirect(1024, 0);
                        } catch (OutOfMemoryError e) {
                            LEAK.removeIf(o -> o instanceof ByteBuffer);
                        }
                    }
                    System.out.println("RETRIED " + times);
                    break;
                case "full":
                    stayFull(Long.parseLong(words[1]));
                    System.out.println("FULL DONE");
                    break;
                case "gcoverhead":
                    gcOverhead();
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

    static void leakDirect(int kb, int sleepMs) throws InterruptedException {
        long bytes = 0;
        while (true) {
            LEAK.add(ByteBuffer.allocateDirect(kb * 1024));
            bytes += kb * 1024L;
            if (sleepMs > 0 && bytes >= 1 << 20) {
                bytes = 0;
                Thread.sleep(sleepMs);
            }
        }
    }

    /**
     * A thread of its own fills the heap, in pieces that shrink down to 16 bytes so that other threads' allocations
     * fail too, and keeps it full; whatever it meets (with the heap exhausted even deoptimising compiled code
     * allocates and throws outside any handler) only ends that thread, quietly, and what it filled stays held
     * until the time is up.
     */
    static void stayFull(long ms) throws InterruptedException {
        List<Object> full = new ArrayList<>();
        long end = System.nanoTime() + ms * 1_000_000L;
        Thread filler = new Thread(() -> {
            int size = 64 * 1024;
            while (System.nanoTime() < end) {
                try {
                    full.add(new byte[size]);
                } catch (OutOfMemoryError e) {
                    size = Math.max(16, size / 16);
                }
            }
        }, "filler");
        filler.setUncaughtExceptionHandler((t, e) -> { });
        filler.start();
        Thread.sleep(ms);
        filler.join();
        full.clear();
    }

    /** Starts sleeping threads until one is refused; ends them again before passing the error on. */
    static void startThreadsUntilRefused() throws InterruptedException {
        List<Thread> sleepers = new ArrayList<>();
        try {
            while (true) {
                Thread sleeper = new Thread(() -> {
                    try {
                        Thread.sleep(Long.MAX_VALUE);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                sleeper.setDaemon(true);
                sleeper.start();
                sleepers.add(sleeper);
            }
        } catch (OutOfMemoryError e) {
            // the exit ahead starts threads of its own (shutdown hooks): give their room back first
            for (Thread sleeper : sleepers) {
                sleeper.interrupt();
            }
            for (Thread sleeper : sleepers) {
                sleeper.join();
            }
            throw e;
        }
    }

    static void leakInThread(int kb, int sleepMs) throws InterruptedException {
        Throwable[] died = new Throwable[1];
        Thread leaker = new Thread(() -> {
            try {
                leakHeap(kb, sleepMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "leaker");
        leaker.setUncaughtExceptionHandler((t, e) -> died[0] = e);
        leaker.start();
        leaker.join();
        if (died[0] instanceof OutOfMemoryError) {
            throw (OutOfMemoryError) died[0];
        }
    }

    static void leakClasses() throws Exception {
        byte[] bytes;
        try (var in = LeakApp.class.getResourceAsStream("LeakedBlob.class")) {
            bytes = in.readAllBytes();
        }
        while (true) {
            LEAK.add(new BlobLoader().define(bytes));
        }
    }

    /** One class loader per leaked class: each defines its own copy of {@link LeakedBlob} in Metaspace. */
    static final class BlobLoader extends ClassLoader {
        BlobLoader() {
            super(null);
        }

        Class<?> define(byte[] bytes) {
            return defineClass("dev.oomheapdump.it.app.LeakedBlob", bytes, 0, bytes.length);
        }
    }

    /** The classic recipe: a map of small boxed entries that grows a little after each collection. */
    static void gcOverhead() {
        java.util.Map<Integer, String> map = new java.util.HashMap<>();
        LEAK.add(map);
        for (int i = 0; ; i++) {
            map.put(i, String.valueOf(i));
        }
    }
}
