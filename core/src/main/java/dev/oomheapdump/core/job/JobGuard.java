package dev.oomheapdump.core.job;

import dev.oomheapdump.core.ArtifactKind;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One job at a time: heap snapshots and CPU profiles on request, and dumps of the OOM policy.
 *
 * <p>Requests {@link #tryAcquire try} and fail at once with the original module's words when another job
 * runs, adding what runs and since when. The OOM policy {@link #acquireForOomDump outranks} a CPU profile:
 * it asks the profile to end early (the profile is kept) and waits for it. Tickets release in
 * {@code close()}, idempotently, so a job that fails in any way still frees the guard.
 */
public final class JobGuard {

    /** The original module's words, kept so that scripts matching them keep working. */
    public static final String BUSY_MESSAGE = "A CPU profile or heap snapshot is already being created, please retry later.";

    private final AtomicReference<Ticket> current = new AtomicReference<>();
    private final Clock clock;

    public JobGuard() {
        this(Clock.systemUTC());
    }

    JobGuard(Clock clock) {
        this.clock = clock;
    }

    /**
     * Takes the guard for a job, or refuses at once.
     *
     * @param target the file the job writes, for messages
     * @throws IllegalStateException when another job runs; the message says which and since when
     */
    public Ticket tryAcquire(ArtifactKind kind, String target) {
        Ticket ticket = new Ticket(kind, target, clock.instant());
        while (!current.compareAndSet(null, ticket)) {
            Ticket running = current.get();
            if (running != null) {
                throw new IllegalStateException(BUSY_MESSAGE + " Running: " + running.describe(clock.instant()));
            }
            // the running job ended between the two looks: try again
        }
        return ticket;
    }

    /**
     * Takes the guard for a dump of the OOM policy: a running CPU profile is asked to end now (it keeps
     * what it recorded), a running heap snapshot is waited for.
     *
     * @return the ticket, or empty when the guard did not free up within {@code maxWait}
     */
    public Optional<Ticket> acquireForOomDump(String target, Duration maxWait) throws InterruptedException {
        long deadline = System.nanoTime() + maxWait.toNanos();
        Ticket ticket = new Ticket(ArtifactKind.OOM_DUMP, target, clock.instant());
        while (true) {
            if (current.compareAndSet(null, ticket)) {
                return Optional.of(ticket);
            }
            Ticket running = current.get();
            if (running == null) {
                continue;
            }
            if (running.kind == ArtifactKind.CPU_PROFILE) {
                running.preempt();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            running.released.await(left, TimeUnit.NANOSECONDS);
        }
    }

    /** The running job, if any. */
    public Optional<Ticket> current() {
        return Optional.ofNullable(current.get());
    }

    /** A held guard. Close it to release; closing twice is harmless. */
    public final class Ticket implements AutoCloseable {
        private final ArtifactKind kind;
        private final String target;
        private final Instant since;
        private final Thread owner = Thread.currentThread();
        private final CountDownLatch released = new CountDownLatch(1);
        private final CountDownLatch preempted = new CountDownLatch(1);

        private Ticket(ArtifactKind kind, String target, Instant since) {
            this.kind = kind;
            this.target = target;
            this.since = since;
        }

        public ArtifactKind kind() {
            return kind;
        }

        /** True when the calling thread runs this job (a dump it needs must not wait for itself). */
        public boolean heldByCurrentThread() {
            return owner == Thread.currentThread();
        }

        /** Asks the job to end early; a CPU profile stops and keeps what it has. */
        public void preempt() {
            preempted.countDown();
        }

        /** True once the job was asked to end early. */
        public boolean preempted() {
            return preempted.getCount() == 0;
        }

        /**
         * Waits up to {@code duration}, returning early when the job is asked to end.
         *
         * @return true when asked to end early
         */
        public boolean awaitPreemption(Duration duration) throws InterruptedException {
            return preempted.await(duration.toNanos(), TimeUnit.NANOSECONDS);
        }

        /** "CPU profile 'x.jfr' since 2026-01-01T10:00:00Z (4.1 s ago)". */
        public String describe(Instant now) {
            long ms = Math.max(0, Duration.between(since, now).toMillis());
            return kind.label() + " '" + target + "' since " + since.truncatedTo(ChronoUnit.SECONDS)
                    + " (" + String.format(java.util.Locale.ROOT, "%.1f", ms / 1000.0) + " s ago)";
        }

        @Override
        public void close() {
            if (current.compareAndSet(this, null)) {
                released.countDown();
            }
        }

        @Override
        public String toString() {
            return describe(clock.instant());
        }
    }
}
