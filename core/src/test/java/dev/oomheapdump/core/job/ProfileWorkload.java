package dev.oomheapdump.core.job;

import java.util.ArrayList;
import java.util.List;

/**
 * Threads that each spend their time one way, in a method of their own: {@link #spin} runs on a CPU, {@link #sleep}
 * sleeps, {@link #allocate} allocates (and sleeps a little between bursts), two threads in {@link #contend} take
 * turns holding one monitor while they sleep in it. A profile of each event must name its method at the top.
 */
public final class ProfileWorkload implements AutoCloseable {

    private static final Object MONITOR = new Object();
    private static volatile long sink;
    private static volatile Object kept;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stop;

    /**
     * The workload in a JVM of its own (the integration tests' child): prints {@code READY pid N}, runs until
     * standard input says {@code exit} or ends.
     */
    public static void main(String[] args) throws Exception {
        try (ProfileWorkload workload = new ProfileWorkload().start()) {
            System.out.println("READY pid " + ProcessHandle.current().pid());
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                    java.nio.charset.StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null && !line.trim().equals("exit"); line = in.readLine()) {
                System.out.println("? " + line);
            }
        }
    }

    public ProfileWorkload start() {
        begin("workload-spin", this::spin);
        begin("workload-sleep", this::sleep);
        begin("workload-allocate", this::allocate);
        begin("workload-contend-1", this::contend);
        begin("workload-contend-2", this::contend);
        return this;
    }

    private void begin(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    void spin() {
        long x = 0;
        while (!stop) {
            for (int i = 0; i < 100_000; i++) {
                x = x * 31 + i;
            }
            sink = x;
        }
    }

    void sleep() {
        while (!stop) {
            pause(20);
        }
    }

    void allocate() {
        while (!stop) {
            for (int i = 0; i < 64; i++) {
                kept = new byte[16 * 1024];
            }
            pause(1);
        }
    }

    void contend() {
        while (!stop) {
            synchronized (MONITOR) {
                pause(5);
            }
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        for (Thread thread : threads) {
            thread.join(10_000);
        }
    }

    /** The method of this class that a collapsed-stacks profile weighs most (of spin, sleep, allocate, contend). */
    public static String heaviest(List<String> collapsed) {
        return weights(collapsed).entrySet().stream().max(java.util.Map.Entry.comparingByValue())
                .map(java.util.Map.Entry::getKey).orElse("none");
    }

    /** Per workload method, the weight of the stacks that pass through it. */
    public static java.util.Map<String, Long> weights(List<String> collapsed) {
        java.util.Map<String, Long> weights = new java.util.TreeMap<>();
        for (String line : collapsed) {
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            long count = Long.parseLong(line.substring(space + 1).trim());
            for (String method : List.of("spin", "sleep", "allocate", "contend")) {
                if (line.contains("ProfileWorkload." + method + "_") || line.contains("ProfileWorkload." + method + ";")) {
                    weights.merge(method, count, Long::sum);
                }
            }
        }
        return weights;
    }
}
