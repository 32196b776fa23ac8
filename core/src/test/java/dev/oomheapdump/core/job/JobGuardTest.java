package dev.oomheapdump.core.job;

import dev.oomheapdump.core.ArtifactKind;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobGuardTest {

    private final JobGuard guard = new JobGuard();

    @Test
    void aSecondJobIsRefusedAtOnceNamingWhatRuns() {
        try (JobGuard.Ticket ticket = guard.tryAcquire(ArtifactKind.CPU_PROFILE, "prof.jfr")) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> guard.tryAcquire(ArtifactKind.HEAP_SNAPSHOT, "snap.hprof"));
            assertTrue(e.getMessage().startsWith(JobGuard.BUSY_MESSAGE), e.getMessage());
            assertTrue(e.getMessage().contains("Running: CPU profile 'prof.jfr' since "), e.getMessage());
            assertTrue(e.getMessage().matches(".*\\(\\d+\\.\\d s ago\\)\\.?$"), e.getMessage());
            assertEquals(ticket, guard.current().orElseThrow());
        }
        assertTrue(guard.current().isEmpty());
    }

    @Test
    void theGuardIsReleasedWhenTheJobFailsAndClosingTwiceIsHarmless() {
        assertThrows(RuntimeException.class, () -> {
            try (JobGuard.Ticket ignored = guard.tryAcquire(ArtifactKind.HEAP_SNAPSHOT, "a")) {
                throw new RuntimeException("disk full");
            }
        });
        JobGuard.Ticket second = guard.tryAcquire(ArtifactKind.HEAP_SNAPSHOT, "b");
        second.close();
        second.close();
        JobGuard.Ticket third = guard.tryAcquire(ArtifactKind.HEAP_SNAPSHOT, "c");
        second.close();
        assertEquals(third, guard.current().orElseThrow(), "a stale ticket does not release someone else's job");
        third.close();
    }

    @Test
    void exactlyOneOfManyConcurrentRequestsWins() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch hold = new CountDownLatch(1);
        AtomicInteger won = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        CompletableFuture<?>[] futures = new CompletableFuture<?>[8];
        for (int i = 0; i < 8; i++) {
            futures[i] = CompletableFuture.runAsync(() -> {
                try {
                    start.await();
                    try (JobGuard.Ticket ignored = guard.tryAcquire(ArtifactKind.HEAP_SNAPSHOT, "x")) {
                        won.incrementAndGet();
                        hold.await(5, TimeUnit.SECONDS);
                    }
                } catch (IllegalStateException e) {
                    refused.incrementAndGet();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, pool);
        }
        start.countDown();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> refused.get() == 7);
        hold.countDown();
        CompletableFuture.allOf(futures).get(5, TimeUnit.SECONDS);
        pool.shutdown();
        assertEquals(1, won.get());
        assertTrue(guard.current().isEmpty());
    }

    @Test
    void anOomDumpEndsARunningProfileEarlyAndTakesOver() throws Exception {
        JobGuard.Ticket profile = guard.tryAcquire(ArtifactKind.CPU_PROFILE, "long.jfr");
        CompletableFuture<Boolean> profiler = CompletableFuture.supplyAsync(() -> {
            try {
                return profile.awaitPreemption(Duration.ofMinutes(1));
            } catch (InterruptedException e) {
                return false;
            } finally {
                profile.close();
            }
        });
        Optional<JobGuard.Ticket> oom = guard.acquireForOomDump("oom.hprof", Duration.ofSeconds(10));
        assertTrue(oom.isPresent());
        assertTrue(profiler.get(5, TimeUnit.SECONDS), "the profile was told to end early");
        assertEquals(ArtifactKind.OOM_DUMP, guard.current().orElseThrow().kind());
        oom.get().close();
    }

    @Test
    void anOomDumpGivesUpAfterItsBoundWhenASnapshotHoldsTheGuard() throws Exception {
        try (JobGuard.Ticket snapshot = guard.tryAcquire(ArtifactKind.HEAP_SNAPSHOT, "big.hprof")) {
            assertFalse(guard.acquireForOomDump("oom.hprof", Duration.ofMillis(100)).isPresent());
            assertFalse(snapshot.preempted(), "a heap snapshot is never cut short");
        }
    }
}
