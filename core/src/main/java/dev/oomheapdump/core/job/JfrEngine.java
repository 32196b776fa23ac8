package dev.oomheapdump.core.job;

import dev.oomheapdump.core.ProfileEvent;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Profiles with JDK Flight Recorder, which every JDK 17+ has. cpu: execution samples of Java code every 20 ms (the
 * JDK's default settings; at 10 ms it cost a busy service 2-3 per cent of its CPU), native method samples every 20 ms, and on JDK 25+ CPU-time samples ({@code jdk.CPUTimeSample}); alloc:
 * {@code jdk.ObjectAllocationSample}, throttled to 150 a second and weighed by the bytes each stands for; lock:
 * {@code jdk.JavaMonitorEnter} of 1 ms or more ({@code synchronized} only: a {@code java.util.concurrent} lock parks
 * its threads and shows in no JFR monitor event). Wall clock it cannot do: it samples running threads only. Every
 * recording also carries the environment (JVM, OS, CPU, system properties, its own settings), so {@code jfr view}
 * and JDK Mission Control show where it was made.
 */
final class JfrEngine {

    /** The events that say where a recording was made; recorded once, at its start. */
    private static final List<String> ENVIRONMENT = List.of("jdk.JVMInformation", "jdk.OSInformation",
            "jdk.CPUInformation", "jdk.VirtualizationInformation", "jdk.InitialSystemProperty", "jdk.GCConfiguration",
            "jdk.GCHeapConfiguration", "jdk.ContainerConfiguration", "jdk.ActiveRecording", "jdk.ActiveSetting");

    /** How JFR samples an event, as the profile's notification tells it. */
    static String sampler(ProfileEvent event) {
        switch (event) {
            case ALLOC:
                return "jdk.ObjectAllocationSample";
            case LOCK:
                return "jdk.JavaMonitorEnter";
            default:
                return Runtime.version().feature() >= 25 ? "jdk.ExecutionSample+jdk.CPUTimeSample" : "jdk.ExecutionSample";
        }
    }

    /**
     * Records for {@code duration}, or less when the ticket is preempted by an OOM dump, and writes the recording to
     * {@code file}.
     *
     * @return true when the profile was ended early
     */
    boolean record(Path file, ProfileEvent event, Duration duration, JobGuard.Ticket ticket)
            throws IOException, InterruptedException {
        boolean jfrWasRunning = FlightRecorder.isInitialized();
        try (Recording recording = new Recording()) {
            recording.setName("oom-heapdump " + event.label() + " " + file.getFileName());
            enable(recording, event);
            for (String environment : ENVIRONMENT) {
                recording.enable(environment);
            }
            recording.setToDisk(true);
            recording.setDestination(file);
            recording.start();
            try {
                return ticket.awaitPreemption(duration);
            } finally {
                recording.stop();
            }
        } finally {
            if (!jfrWasRunning) {
                JfrQuiet.afterFirstRecording();
            }
        }
    }

    private static void enable(Recording recording, ProfileEvent event) {
        switch (event) {
            case ALLOC:
                recording.enable("jdk.ObjectAllocationSample").with("throttle", "150/s");
                break;
            case LOCK:
                recording.enable("jdk.JavaMonitorEnter").withThreshold(Duration.ofMillis(1));
                break;
            case CPU:
                recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(20));
                recording.enable("jdk.NativeMethodSample").withPeriod(Duration.ofMillis(20));
                recording.enable("jdk.CPULoad").withPeriod(Duration.ofSeconds(1));
                recording.enable("jdk.ThreadCPULoad").withPeriod(Duration.ofSeconds(1));
                if (Runtime.version().feature() >= 25) {
                    recording.enable("jdk.CPUTimeSample").with("throttle", "10ms");
                }
                break;
            default:
                throw new IllegalArgumentException("JDK Flight Recorder cannot record a " + event.label());
        }
    }
}
