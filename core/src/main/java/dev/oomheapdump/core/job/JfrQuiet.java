package dev.oomheapdump.core.job;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps JFR machinery that a CPU profile started out of the host's output during its OOM.
 *
 * <p>Once JFR has run in a JVM, its thread {@code JFR Periodic Tasks} wakes every second for good. On JDKs
 * without the fix that lets it sleep while no recording runs (JDK 17 has none; the field
 * {@code PlatformRecorder.runPeriodicTask} marks the fix), it allocates on each round; when the heap is full it
 * logs {@code [error][jfr,system] Error in Periodic task} to standard output, or, when that log line itself
 * cannot be built, dies with "Exception: java.lang.OutOfMemoryError thrown from the UncaughtExceptionHandler".
 * Either way it is the suite's noise: the application never used JFR. So, after the first profile in such a JVM
 * (and only when the suite was the one to start JFR), the {@code jfr+system} messages are turned off on
 * standard output and that thread gets a silent uncaught-exception handler. The thread dies of the OOM as it
 * would have; it just does so quietly.
 */
final class JfrQuiet {

    static final String PERIODIC_THREAD = "JFR Periodic Tasks";
    private static final AtomicBoolean DONE = new AtomicBoolean();

    private JfrQuiet() {
    }

    /** True when this JDK's periodic task runs on after the last recording (no {@code runPeriodicTask}). */
    static boolean periodicTaskRunsForever() {
        try {
            return Arrays.stream(Class.forName("jdk.jfr.internal.PlatformRecorder").getDeclaredFields())
                    .noneMatch(f -> f.getName().equals("runPeriodicTask"));
        } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
            return false;
        }
    }

    /** Called after a profile the suite started JFR for; does its work once per JVM, never throws. */
    static void afterFirstRecording() {
        if (!periodicTaskRunsForever() || !DONE.compareAndSet(false, true)) {
            return;
        }
        try {
            ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "vmLog", new Object[]{new String[]{"output=stdout", "what=jfr+system=off"}},
                    new String[]{String[].class.getName()});
        } catch (Exception | LinkageError e) {
            // the JVM keeps its logging as it was
        }
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().equals(PERIODIC_THREAD)) {
                thread.setUncaughtExceptionHandler((t, e) -> { });
            }
        }
    }
}
