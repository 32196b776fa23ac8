package dev.oomheapdump.core.job;

import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.ArtifactKind;
import dev.oomheapdump.core.OomEvent;
import dev.oomheapdump.core.OomEvents;
import dev.oomheapdump.core.OomPolicy;
import dev.oomheapdump.core.ProfileEvent;
import dev.oomheapdump.core.ProfileFormat;
import dev.oomheapdump.core.Sizes;
import dev.oomheapdump.core.format.ProfileViews;
import dev.oomheapdump.core.store.ArtifactStore;
import dev.oomheapdump.core.store.DiskGuard;
import dev.oomheapdump.core.store.DumpEstimate;
import dev.oomheapdump.core.store.FileNames;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Heap snapshots and profiles on request: one at a time (the {@link JobGuard}), on the caller's thread,
 * written under a temporary name and renamed once checked complete; events before and after. A snapshot that
 * would leave less free disk than {@code minFreeDisk} is refused before anything is written; under {@code gzip}
 * it is dumped plain, compressed on the caller's thread and returned once the {@code .hprof.gz} is complete.
 */
public final class RequestedJobs {

    private final ArtifactStore store;
    private final JobGuard guard;
    private final HeapDumper dumper;
    /** What converting a recording may take of the heap: a base and bytes per byte of recording. */
    static final long VIEW_HEAP_BASE = 32L << 20;
    static final long VIEW_HEAP_PER_BYTE = 8;

    private final Profiler profiler;
    private final Set<String> toldFallbacks = ConcurrentHashMap.newKeySet();
    private final OomEvents events;
    private final Clock clock;
    private final Supplier<OomPolicy> policy;
    private final DiskGuard disk;

    public RequestedJobs(ArtifactStore store, JobGuard guard, HeapDumper dumper, Profiler profiler, OomEvents events,
                         Clock clock, Supplier<OomPolicy> policy) {
        this.store = store;
        this.guard = guard;
        this.dumper = dumper;
        this.profiler = profiler;
        this.events = events;
        this.clock = clock;
        this.policy = policy;
        this.disk = new DiskGuard(store.directory());
    }

    /** See {@code OomService.createHeapSnapshot}. */
    public Path heapSnapshot(String name) throws IOException {
        OomPolicy p = policy.get();
        String fileName = requestName(name, "heapsnapshot", ArtifactKind.HEAP_SNAPSHOT, p.gzip());
        try (JobGuard.Ticket ticket = guard.tryAcquire(ArtifactKind.HEAP_SNAPSHOT, fileName)) {
            checkDisk(fileName, p);
            ArtifactStore.Reservation reservation = reserve(fileName, ArtifactKind.HEAP_SNAPSHOT);
            return run(ticket, reservation, () -> dumper.write(reservation, true, p.gzip()), path -> { });
        }
    }

    /**
     * Refuses a snapshot that would not fit, before anything is written; a notification says so too. A snapshot dumps
     * the live objects after a full GC: when the heap in use (garbage included) looks too big, it is looked at again
     * after that GC, run now instead of in the dump.
     */
    private void checkDisk(String fileName, OomPolicy p) {
        DumpEstimate estimate = dumper.estimate(p.gzip());
        if (disk.refusal(estimate, p.minFreeDisk()).isPresent()) {
            System.gc();
            estimate = dumper.estimate(p.gzip());
        }
        try {
            disk.check(ArtifactKind.HEAP_SNAPSHOT.label() + " " + store.directory().resolve(fileName), estimate,
                    p.minFreeDisk());
        } catch (IllegalStateException e) {
            events.emit(OomEvent.DUMP_REFUSED, e.getMessage(), OomEvents.map("path",
                    store.directory().resolve(fileName).toString(), "kind", ArtifactKind.HEAP_SNAPSHOT.name(),
                    "neededBytes", Long.toString(estimate.peakBytes()), "freeBytes", Long.toString(disk.freeBytes())));
            throw e;
        }
    }

    /**
     * See {@code OomService.createProfile}: the recording, committed as soon as it is written, then the views the
     * policy's {@code profileFormats} asks for, each written under a temporary name and committed on its own. A view
     * that fails, or that there is no heap for, is told by an event and leaves the recording as it is.
     */
    public Path profile(String name, ProfileEvent event, Duration duration) throws IOException {
        Profiler.checkDuration(duration.toMillis());
        OomPolicy p = policy.get();
        boolean jfrOnly = p.profiler() == OomPolicy.ProfilerChoice.JFR;
        profiler.check(event, jfrOnly);
        String fileName = requestName(name, event.prefix(), ArtifactKind.CPU_PROFILE, 0);
        try (JobGuard.Ticket ticket = guard.tryAcquire(ArtifactKind.CPU_PROFILE, fileName)) {
            ArtifactStore.Reservation reservation = reserve(fileName, ArtifactKind.CPU_PROFILE);
            AtomicReference<Profiler.Recorded> recorded = new AtomicReference<>();
            return run(ticket, reservation, () -> {
                try {
                    recorded.set(profiler.record(reservation.writePath(), event, duration, ticket, jfrOnly));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("Interrupted while recording", e);
                }
            }, jfr -> {
                Profiler.Recorded r = recorded.get();
                r.fallback().ifPresent(this::tellFallback);
                for (ProfileFormat format : p.profileFormats()) {
                    if (format != ProfileFormat.JFR && !ticket.preempted()) {
                        view(jfr, event, format, r, duration);
                    }
                }
            });
        }
    }

    /** A fallback is told once per reason: every later profile would say the same. */
    private void tellFallback(String reason) {
        if (toldFallbacks.add(reason)) {
            events.emit(OomEvent.PROFILER_FALLBACK, reason, OomEvents.map("reason", reason));
        }
    }

    private void view(Path jfr, ProfileEvent event, ProfileFormat format, Profiler.Recorded recorded, Duration duration) {
        String jfrName = jfr.getFileName().toString();
        String viewName = jfrName.substring(0, jfrName.length() - ProfileFormat.JFR.extension().length())
                + format.extension();
        ArtifactStore.Reservation reservation = null;
        try {
            long jfrBytes = Files.size(jfr);
            long freeHeap = Sizes.freeHeap();
            if (freeHeap < VIEW_HEAP_BASE + VIEW_HEAP_PER_BYTE * jfrBytes) {
                throw new IOException("the heap has " + Sizes.human(freeHeap) + " free and converting a recording of "
                        + Sizes.human(jfrBytes) + " may take " + Sizes.human(VIEW_HEAP_BASE + VIEW_HEAP_PER_BYTE * jfrBytes)
                        + "; the recording is kept: fetch it and run 'oom-heapdump flame' where there is room");
            }
            reservation = store.reserve(viewName, ArtifactKind.CPU_PROFILE, false, false);
            String title = event.label().substring(0, 1).toUpperCase(Locale.ROOT) + event.label().substring(1) + ", "
                    + duration.toSeconds() + " s, " + recorded.engine().name().toLowerCase(Locale.ROOT).replace('_', '-')
                    + " (" + recorded.sampler() + "): " + jfrName;
            ProfileViews.write(jfr, event, format, reservation.writePath(), title);
            Artifact artifact = store.commit(reservation);
            reservation = null;
            events.emit(OomEvent.FILE_CREATED, "Created " + artifact.path(), OomEvents.artifactData(artifact));
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            if (reservation != null) {
                store.abort(reservation);
            }
            String message = "No " + format.id() + " view of " + jfr + ": " + (e instanceof IOException
                    ? ArtifactStore.explain((IOException) e, store.directory()) : e.toString());
            events.emit(OomEvent.PROFILE_VIEW_FAILED, message, OomEvents.map("path", jfr.toString(),
                    "format", format.id(), "reason", String.valueOf(e.getMessage())));
        }
    }

    private ArtifactStore.Reservation reserve(String fileName, ArtifactKind kind) throws IOException {
        try {
            return store.reserve(fileName, kind, false, false);
        } catch (IOException e) {
            throw new IOException("Cannot start the " + kind.label() + " '" + fileName + "': "
                    + ArtifactStore.explain(e, store.directory()), e);
        }
    }

    private interface Write {
        void run() throws IOException;
    }

    /** Writes and commits a file between the job's events; {@code then} follows the commit, still inside the job. */
    private Path run(JobGuard.Ticket ticket, ArtifactStore.Reservation reservation, Write write, Consumer<Path> then)
            throws IOException {
        String kind = reservation.kind().name();
        String path = reservation.finalPath().toString();
        events.emit(OomEvent.JOB_STARTED, "Started " + ticket, OomEvents.map("kind", kind, "path", path));
        boolean committed = false;
        try {
            write.run();
            Artifact artifact = store.commit(reservation);
            committed = true;
            events.emit(OomEvent.FILE_CREATED, "Created " + artifact.path(), OomEvents.artifactData(artifact));
            then.accept(artifact.path());
            return artifact.path();
        } catch (IOException | RuntimeException e) {
            if (!committed) {
                store.abort(reservation);
            }
            if (e instanceof IOException) {
                throw new IOException("The " + reservation.kind().label() + " " + path + " could not be written: "
                        + ArtifactStore.explain((IOException) e, store.directory()) + store.freeSpace(), e);
            }
            throw e;
        } finally {
            events.emit(OomEvent.JOB_ENDED, "Ended " + ticket, OomEvents.map("kind", kind, "path", path, "ok",
                    Boolean.toString(committed)));
        }
    }

    /** The file a request names, with the extension the policy gives its kind ({@code .hprof.gz} under gzip). */
    private String requestName(String name, String prefix, ArtifactKind kind, int gzip) {
        if (name == null || name.isBlank()) {
            return FileNames.generated(prefix, clock.instant()) + kind.extension(gzip);
        }
        String resolved = FileNames.resolveRequest("path", name, store.directory(), kind);
        return resolved.substring(0, resolved.length() - kind.extensionOf(resolved).length()) + kind.extension(gzip);
    }
}
