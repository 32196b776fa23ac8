package dev.oomheapdump.core.job;

import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.ArtifactKind;
import dev.oomheapdump.core.Daemons;
import dev.oomheapdump.core.OomEvent;
import dev.oomheapdump.core.OomEvents;
import dev.oomheapdump.core.OomPolicy;
import dev.oomheapdump.core.store.ArtifactStore;
import dev.oomheapdump.core.store.DiskGuard;
import dev.oomheapdump.core.store.DumpEstimate;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Writes the dumps the OOM policy decides on (GC monitor, memory pollers, the OOM trap), usually with the heap
 * nearly full: any step may meet an OutOfMemoryError. Nothing escapes (this code runs in someone else's
 * application), every cleanup step runs on its own, and a dump that was written is never deleted for a failure
 * after it: if the rename fails, the file stays under its temporary name and the next refresh renames it; if its
 * compression fails, it is kept uncompressed.
 *
 * <p>A dump that would leave less free disk than {@code minFreeDisk} is refused before anything is written. Under
 * {@code gzip} the dump is written plain and then compressed off the application's threads: on the calling thread
 * when it is the suite's (the monitor's dump thread), else (the OOM trap runs on the failing application thread)
 * on the daemon thread {@code oom-heapdump-compress}, which holds the job guard until the {@code .hprof.gz} is done.
 */
public final class OomDumpWriter implements AutoCloseable {

    /** How long an OOM dump waits for a running heap snapshot to finish. */
    public static final Duration GUARD_WAIT = Duration.ofMinutes(2);

    private final ArtifactStore store;
    private final JobGuard guard;
    private final HeapDumper dumper;
    private final OomEvents events;
    private final Supplier<OomPolicy> policy;
    private final DiskGuard disk;
    private final ThreadPoolExecutor compressor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(), Daemons.factory("compress"));

    public OomDumpWriter(ArtifactStore store, JobGuard guard, HeapDumper dumper, OomEvents events,
                         Supplier<OomPolicy> policy) {
        this.store = store;
        this.guard = guard;
        this.dumper = dumper;
        this.events = events;
        this.policy = policy;
        this.disk = new DiskGuard(store.directory());
    }

    /**
     * Makes the compression thread now when the policy compresses: under an OOM there may be no memory to make
     * it, and the trap's dump would then stay uncompressed.
     */
    public void prepare(OomPolicy p) {
        if (p.gzip() > 0) {
            compressor.prestartCoreThread();
        }
    }

    /**
     * Writes one dump of everything on the heap (no full GC first: the heap as it is). A running CPU profile
     * is ended early and kept; a running heap snapshot is waited for, up to {@link #GUARD_WAIT}, unless the
     * calling thread is the one writing it.
     *
     * @param fileName the dump's name ({@code .hprof.gz} to have it compressed); a unique one is picked when taken
     * @param reason   why, for people
     * @param details  more event data (usedBytes, maxBytes, attempt...)
     * @return the dump, or empty when it was skipped, refused or failed (an event says which), or when an OOM
     *         trap's dump is being compressed on the compression thread (an event tells when it is written)
     */
    public Optional<Artifact> write(String fileName, String reason, Map<String, String> details) {
        JobGuard.Ticket ticket = null;
        ArtifactStore.Reservation reservation = null;
        boolean written = false;
        try {
            if (guard.current().map(JobGuard.Ticket::heldByCurrentThread).orElse(false)) {
                events.emitQuietly(OomEvent.OOM_DUMP_FAILED, "OOM dump skipped: this thread is writing a "
                        + guard.current().map(Object::toString).orElse("job"), Map.of("reason", reason));
                return Optional.empty();
            }
            ticket = guard.acquireForOomDump(fileName, GUARD_WAIT).orElse(null);
            if (ticket == null) {
                events.emitQuietly(OomEvent.OOM_DUMP_FAILED, "OOM dump skipped: another job held the guard for "
                        + GUARD_WAIT, Map.of("reason", reason));
                return Optional.empty();
            }
            OomPolicy p = policy.get();
            if (refused(fileName, reason, p)) {
                return Optional.empty();
            }
            reservation = store.reserve(fileName, ArtifactKind.OOM_DUMP, true, false);
            Map<String, String> started = new LinkedHashMap<>();
            started.put("path", reservation.finalPath().toString());
            started.put("reason", reason);
            started.putAll(details);
            events.emitQuietly(OomEvent.OOM_DUMP_STARTED, "OOM dump started: " + reason, started);
            dumper.dumpPlain(reservation, false);
            written = true;
            if (reservation.stagePath().isPresent()) {
                ArtifactStore.Reservation compressing = reservation;
                reservation = null;
                if (Daemons.onSuiteThread()) {
                    return compressAndCommit(compressing, p.gzip());
                }
                if (handOff(ticket, compressing, p.gzip())) {
                    ticket = null; // the compression thread releases it
                    return Optional.empty();
                }
                return keepUncompressed(compressing, "no thread to compress it");
            }
            Artifact artifact = store.commit(reservation);
            reservation = null;
            created(artifact);
            return Optional.of(artifact);
        } catch (Throwable e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            failed(reason, e);
            return Optional.empty();
        } finally {
            ArtifactStore.Reservation leftover = reservation;
            if (leftover != null) {
                boolean keep = written;
                Daemons.quietly(() -> {
                    if (keep) {
                        store.forget(leftover);
                        store.refresh();
                    } else {
                        store.abort(leftover);
                    }
                });
            }
            if (ticket != null) {
                ticket.close();
            }
        }
    }

    /**
     * The disk guard: true when the dump would not fit (events say so). A guess that cannot be made (no memory
     * to ask for the heap's use) lets the dump go ahead: a full disk fails the write cleanly anyway.
     */
    private boolean refused(String fileName, String reason, OomPolicy p) {
        Optional<String> refusal;
        DumpEstimate estimate;
        try {
            estimate = dumper.estimate(p.gzip());
            refusal = disk.refusal(estimate, p.minFreeDisk());
        } catch (Throwable e) {
            return false;
        }
        if (refusal.isEmpty()) {
            return false;
        }
        Path path = store.directory().resolve(fileName);
        String message = DiskGuard.refused(ArtifactKind.OOM_DUMP.label() + " " + path, refusal.get());
        Map<String, String> data = OomEvents.map("path", path.toString(), "kind",
                ArtifactKind.OOM_DUMP.name(), "reason", reason, "neededBytes", Long.toString(estimate.peakBytes()),
                "freeBytes", Long.toString(disk.freeBytes()), "error", message);
        events.emitQuietly(OomEvent.DUMP_REFUSED, message, data);
        events.emitQuietly(OomEvent.OOM_DUMP_FAILED, message, data);
        return true;
    }

    private boolean handOff(JobGuard.Ticket ticket, ArtifactStore.Reservation reservation, int level) {
        try {
            compressor.execute(() -> {
                try {
                    compressAndCommit(reservation, level);
                } finally {
                    ticket.close();
                }
            });
            return true;
        } catch (Throwable e) {
            return false;
        }
    }

    /** Compresses the complete plain dump and commits the {@code .hprof.gz}; keeps it plain when that fails. */
    private Optional<Artifact> compressAndCommit(ArtifactStore.Reservation reservation, int level) {
        try {
            dumper.compress(reservation, level);
            Artifact artifact = store.commit(reservation);
            created(artifact);
            return Optional.of(artifact);
        } catch (Throwable e) {
            return keepUncompressed(reservation, "its compression failed: " + e);
        }
    }

    private Optional<Artifact> keepUncompressed(ArtifactStore.Reservation reservation, String why) {
        try {
            Artifact artifact = store.commitUncompressed(reservation);
            created(artifact, " (kept uncompressed: " + why + ")");
            return Optional.of(artifact);
        } catch (Throwable e) {
            Daemons.quietly(() -> {
                store.forget(reservation);
                store.refresh();
            });
            failed(reservation.name(), e);
            return Optional.empty();
        }
    }

    private void created(Artifact artifact) {
        created(artifact, "");
    }

    private void created(Artifact artifact, String note) {
        events.emitQuietly(OomEvent.OOM_DUMP_CREATED, "OOM dump written: " + artifact.path() + note,
                OomEvents.artifactData(artifact));
        events.emitQuietly(OomEvent.FILE_CREATED, "Created " + artifact.path(), OomEvents.artifactData(artifact));
    }

    private void failed(String reason, Throwable e) {
        events.emitQuietly(OomEvent.OOM_DUMP_FAILED, "OOM dump failed: " + e, Map.of("reason", reason,
                "error", String.valueOf(e)));
    }

    /** Lets a compression under way finish (the JVM's exit waits for it through the job guard); takes no more. */
    @Override
    public void close() {
        compressor.shutdown();
    }
}
