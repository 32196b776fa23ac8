package dev.oomheapdump.core.job;

import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.ArtifactKind;
import dev.oomheapdump.core.Daemons;
import dev.oomheapdump.core.OomEvent;
import dev.oomheapdump.core.OomEvents;
import dev.oomheapdump.core.store.ArtifactStore;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Writes the dumps the OOM policy decides on (GC monitor, memory pollers, the OOM trap), usually with the heap
 * nearly full: any step may meet an OutOfMemoryError. Nothing escapes (this code runs in someone else's
 * application), every cleanup step runs on its own, and a dump that was written is never deleted for a failure
 * after it: if the rename fails, the file stays under its temporary name and the next refresh renames it.
 */
public final class OomDumpWriter {

    /** How long an OOM dump waits for a running heap snapshot to finish. */
    public static final Duration GUARD_WAIT = Duration.ofMinutes(2);

    private final ArtifactStore store;
    private final JobGuard guard;
    private final HeapDumper dumper;
    private final OomEvents events;

    public OomDumpWriter(ArtifactStore store, JobGuard guard, HeapDumper dumper, OomEvents events) {
        this.store = store;
        this.guard = guard;
        this.dumper = dumper;
        this.events = events;
    }

    /**
     * Writes one dump of everything on the heap (no full GC first: the heap as it is). A running CPU profile
     * is ended early and kept; a running heap snapshot is waited for, up to {@link #GUARD_WAIT}, unless the
     * calling thread is the one writing it.
     *
     * @param fileName the dump's name; a unique one is picked when it is taken
     * @param reason   why, for people
     * @param details  more event data (usedBytes, maxBytes, attempt...)
     * @return the dump, or empty when it was skipped or failed (an event says which)
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
            reservation = store.reserve(fileName, ArtifactKind.OOM_DUMP, true, false);
            Map<String, String> started = new LinkedHashMap<>();
            started.put("path", reservation.finalPath().toString());
            started.put("reason", reason);
            started.putAll(details);
            events.emitQuietly(OomEvent.OOM_DUMP_STARTED, "OOM dump started: " + reason, started);
            dumper.dump(reservation.writePath(), false);
            written = true;
            Artifact artifact = store.commit(reservation);
            reservation = null;
            events.emitQuietly(OomEvent.OOM_DUMP_CREATED, "OOM dump written: " + artifact.path(), OomEvents.artifactData(artifact));
            events.emitQuietly(OomEvent.FILE_CREATED, "Created " + artifact.path(), OomEvents.artifactData(artifact));
            return Optional.of(artifact);
        } catch (Throwable e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            events.emitQuietly(OomEvent.OOM_DUMP_FAILED, "OOM dump failed: " + e, Map.of("reason", reason,
                    "error", String.valueOf(e)));
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
}
