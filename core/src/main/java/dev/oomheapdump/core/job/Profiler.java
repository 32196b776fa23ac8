package dev.oomheapdump.core.job;

import dev.oomheapdump.core.ProfileEvent;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Records profiles: with async-profiler where its native library loads (one engine for all four events, JFR output),
 * else with JDK Flight Recorder, which has no wall-clock sampler. The engine is picked when a profile starts, so a
 * JVM that never profiles never loads native code.
 */
public final class Profiler {

    /** What records profiles, as the MBean's {@code ProfilerEngine} names it. */
    public enum Engine {
        ASYNC_PROFILER, JFR
    }

    /** What a recording was: which engine, how it sampled, whether it ended early, and why a fallback was taken. */
    public record Recorded(Engine engine, String sampler, boolean early, Optional<String> fallback) {
    }

    public static final Duration DEFAULT_DURATION = Duration.ofSeconds(30);
    public static final Duration MIN_DURATION = Duration.ofMillis(1);
    public static final Duration MAX_DURATION = Duration.ofHours(1);

    private final AsyncProfilerEngine asyncProfiler;
    private final JfrEngine jfr = new JfrEngine();

    /** @param scratch a folder where async-profiler's library may be put when the temporary folder forbids it */
    public Profiler(Path scratch) {
        this.asyncProfiler = new AsyncProfilerEngine(scratch);
    }

    /**
     * Hands the agent's instrumentation to the async-profiler engine: on JDK 22+ it grants async-profiler's module
     * (and no other) native access with it, so loading the library prints no JDK warning into the host's output.
     */
    public static void useInstrumentation(java.lang.instrument.Instrumentation instrumentation) {
        AsyncProfilerEngine.useInstrumentation(instrumentation);
    }

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

    /** The engine the next profile uses: async-profiler unless {@code jfrOnly} or it could not load here. */
    public Engine engine(boolean jfrOnly) {
        return jfrOnly || asyncProfiler.unavailable().isPresent() ? Engine.JFR : Engine.ASYNC_PROFILER;
    }

    /**
     * Refuses at once what the engine cannot record: a wall-clock profile with JDK Flight Recorder.
     *
     * @throws IllegalArgumentException saying why and what to do instead
     */
    public void check(ProfileEvent event, boolean jfrOnly) {
        if (event == ProfileEvent.WALL && engine(jfrOnly) == Engine.JFR) {
            throw new IllegalArgumentException("A wall-clock profile needs async-profiler, and profiles here are "
                    + "recorded by JDK Flight Recorder (" + (jfrOnly ? "option profiler=jfr" : asyncProfiler.unavailable()
                    .orElse("")) + "). JFR samples only threads that run Java code, so it cannot show where threads "
                    + "wait: take event 'lock' for time blocked on monitors, or 'cpu' for time running");
        }
    }

    /**
     * Records {@code event} for {@code duration}, or less when the ticket is preempted by an OOM dump, and writes
     * the recording to {@code file}. async-profiler is tried first unless {@code jfrOnly}; where it cannot load or
     * cannot start, JFR records the profile and {@link Recorded#fallback()} says why.
     */
    public Recorded record(Path file, ProfileEvent event, Duration duration, JobGuard.Ticket ticket, boolean jfrOnly)
            throws IOException, InterruptedException {
        check(event, jfrOnly);
        Optional<String> fallback = Optional.empty();
        if (!jfrOnly) {
            try {
                return asyncProfiler.record(file, event, duration, ticket);
            } catch (AsyncProfilerEngine.CannotStart e) {
                if (event == ProfileEvent.WALL) {
                    throw new IllegalStateException("A wall-clock profile needs async-profiler, which " + e.getMessage()
                            + "; JDK Flight Recorder cannot record one", e);
                }
                fallback = Optional.of("async-profiler " + e.getMessage() + "; JDK Flight Recorder records "
                        + event.label() + "s instead");
            }
        }
        boolean early = jfr.record(file, event, duration, ticket);
        return new Recorded(Engine.JFR, JfrEngine.sampler(event), early, fallback);
    }
}
