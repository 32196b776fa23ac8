package dev.oomheapdump.core.job;

import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * CPU profiles with JDK Flight Recorder: execution samples of Java code every 10 ms, native method samples
 * every 20 ms, CPU load once a second, and on JDK 25+ CPU-time samples ({@code jdk.CPUTimeSample}).
 * Written as a {@code .jfr} file that JDK Mission Control, IntelliJ and {@code jfr print} read.
 */
public final class CpuProfiler {

    /** The engine that records profiles, as the MBean's {@code ProfilerEngine} names it. */
    public static final String ENGINE = "JFR";
    public static final Duration DEFAULT_DURATION = Duration.ofSeconds(30);
    public static final Duration MIN_DURATION = Duration.ofMillis(1);
    public static final Duration MAX_DURATION = Duration.ofHours(1);

    /**
     * Checks a duration in milliseconds.
     *
     * @throws IllegalArgumentException naming the value when it is out of range
     */
    public static Duration checkDuration(long millis) {
        if (millis < MIN_DURATION.toMillis() || millis > MAX_DURATION.toMillis()) {
            throw new IllegalArgumentException("Duration " + millis + " ms is out of range: give "
                    + MIN_DURATION.toMillis() + " to " + MAX_DURATION.toMillis() + " ms (default "
                    + DEFAULT_DURATION.toMillis() + ")");
        }
        return Duration.ofMillis(millis);
    }

    /**
     * Records for {@code duration}, or less when the ticket is preempted by an OOM dump, and writes the
     * recording to {@code file}.
     *
     * @return true when the profile was ended early
     */
    public boolean record(Path file, Duration duration, JobGuard.Ticket ticket) throws IOException, InterruptedException {
        boolean jfrWasRunning = FlightRecorder.isInitialized();
        try {
            return recordWithJfr(file, duration, ticket);
        } finally {
            if (!jfrWasRunning) {
                JfrQuiet.afterFirstRecording();
            }
        }
    }

    private boolean recordWithJfr(Path file, Duration duration, JobGuard.Ticket ticket) throws IOException,
            InterruptedException {
        try (Recording recording = new Recording()) {
            recording.setName("oom-heapdump CPU profile " + file.getFileName());
            recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
            recording.enable("jdk.NativeMethodSample").withPeriod(Duration.ofMillis(20));
            recording.enable("jdk.CPULoad").withPeriod(Duration.ofSeconds(1));
            recording.enable("jdk.ThreadCPULoad").withPeriod(Duration.ofSeconds(1));
            if (Runtime.version().feature() >= 25) {
                recording.enable("jdk.CPUTimeSample").with("throttle", "10ms");
            }
            recording.setToDisk(true);
            recording.setDestination(file);
            recording.start();
            boolean early;
            try {
                early = ticket.awaitPreemption(duration);
            } finally {
                recording.stop();
            }
            return early;
        }
    }
}
