package dev.oomheapdump.core;

import java.util.concurrent.ThreadFactory;

/**
 * The one place the suite makes its threads: daemons named for whose they are ({@code oom-heapdump-...}), that
 * never print a stack trace into the application's log, least of all during its OOM.
 */
public final class Daemons {

    /** Every suite thread's name starts with this; tests look for leftovers by it. */
    public static final String PREFIX = "oom-heapdump-";

    private Daemons() {
    }

    /**
     * A factory of daemon threads called {@code oom-heapdump-<name>}.
     *
     * @param name what the thread does ("watcher", "oom-dump")
     */
    public static ThreadFactory factory(String name) {
        return runnable -> {
            Thread thread = new SuiteThread(runnable, PREFIX + name);
            thread.setDaemon(true);
            thread.setUncaughtExceptionHandler((t, e) -> quietly(() -> System.err.println("oom-heapdump: " + t.getName()
                    + " stopped: " + e)));
            return thread;
        };
    }

    /** The suite's own threads, told apart from the application's by their class. */
    private static final class SuiteThread extends Thread {
        SuiteThread(Runnable runnable, String name) {
            super(runnable, name);
        }
    }

    /** True on a thread the suite made, false on the application's threads (where the OOM trap runs). */
    public static boolean onSuiteThread() {
        return Thread.currentThread() instanceof SuiteThread;
    }

    /** Makes and starts one daemon thread. */
    public static Thread start(String name, Runnable body) {
        Thread thread = factory(name).newThread(body);
        thread.start();
        return thread;
    }

    /** Runs a step that must not stop the caller, not even with an OutOfMemoryError. */
    public static void quietly(Runnable step) {
        try {
            step.run();
        } catch (Throwable ignored) {
            // the caller runs on with its next step
        }
    }
}
