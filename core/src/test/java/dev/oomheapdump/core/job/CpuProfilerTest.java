package dev.oomheapdump.core.job;

import dev.oomheapdump.core.ArtifactKind;
import dev.oomheapdump.core.format.JfrFile;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuProfilerTest {

    @TempDir
    Path dir;

    @Test
    void aProfileHoldsExecutionSamplesOfABusyThread() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        Thread busy = new Thread(() -> {
            long x = 0;
            while (!stop.get()) {
                // calls and allocation: frames the sampler can walk (a tight compiled loop can lose every sample)
                x += Long.toString(x ^ System.nanoTime()).hashCode();
            }
        }, "busy-for-the-profile");
        busy.start();
        Path file = dir.resolve("p.jfr");
        try (JobGuard.Ticket ticket = new JobGuard().tryAcquire(ArtifactKind.CPU_PROFILE, "p.jfr")) {
            assertFalse(new CpuProfiler().record(file, Duration.ofMillis(1500), ticket), "ran its whole duration");
        } finally {
            stop.set(true);
            busy.join();
        }
        assertTrue(JfrFile.check(file).complete());
        long samples = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
            if (event.getEventType().getName().equals("jdk.ExecutionSample")
                    && event.getThread("sampledThread").getJavaName().equals("busy-for-the-profile")) {
                samples++;
            }
        }
        // the first recording in a JVM starts late (JFR initialises) and CI shares two cores: a few samples suffice
        assertTrue(samples > 0, "execution samples of the busy thread: " + samples);
    }

    @Test
    void anOomDumpEndsTheProfileEarlyAndItIsKept() throws Exception {
        JobGuard guard = new JobGuard();
        Path file = dir.resolve("early.jfr");
        JobGuard.Ticket ticket = guard.tryAcquire(ArtifactKind.CPU_PROFILE, "early.jfr");
        CompletableFuture<Boolean> early = CompletableFuture.supplyAsync(() -> {
            try {
                return new CpuProfiler().record(file, Duration.ofMinutes(5), ticket);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.onSpinWait();
        ticket.preempt();
        assertTrue(early.get(30, TimeUnit.SECONDS), "ended early");
        ticket.close();
        assertTrue(JfrFile.check(file).complete(), "what was recorded is kept");
    }

    @Test
    void aDurationOutOfRangeIsRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CpuProfiler.checkDuration(0));
        assertTrue(e.getMessage().contains("0 ms"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CpuProfiler.checkDuration(3_600_001));
    }
}
