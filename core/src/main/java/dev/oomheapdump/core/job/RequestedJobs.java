package dev.oomheapdump.core.job;

import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.ArtifactKind;
import dev.oomheapdump.core.OomEvent;
import dev.oomheapdump.core.OomEvents;
import dev.oomheapdump.core.OomPolicy;
import dev.oomheapdump.core.store.ArtifactStore;
import dev.oomheapdump.core.store.DiskGuard;
import dev.oomheapdump.core.store.DumpEstimate;
import dev.oomheapdump.core.store.FileNames;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Heap snapshots and CPU profiles on request: one at a time (the {@link JobGuard}), on the caller's thread,
 * written under a temporary name and renamed once checked complete; events before and after. A snapshot that
 * would leave less free disk than {@code minFreeDisk} is refused before anything is written; under {@code gzip}
 * it is dumped plain, compressed on the caller's thread and returned once the {@code .hprof.gz} is complete.
 */
public final class RequestedJobs {

    private final ArtifactStore store;
    private final JobGuard guard;
    private final HeapDumper dumper;
    private final CpuProfiler profiler;
    private final OomEvents events;
    private final Clock clock;
    private final Supplier<OomPolicy> policy;
    private final DiskGuard disk;

    public RequestedJobs(ArtifactStore store, JobGuard guard, HeapDumper dumper, CpuProfiler profiler, OomEvents events,
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
            return run(ticket, reservation, () -> dumper.write(reservation, true, p.gzip()));
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

    /** See {@code OomService.createCpuProfile}. */
    public Path cpuProfile(String name, Duration duration) throws IOException {
        CpuProfiler.checkDuration(duration.toMillis());
        String fileName = requestName(name, "cpuprofile", ArtifactKind.CPU_PROFILE, 0);
        try (JobGuard.Ticket ticket = guard.tryAcquire(ArtifactKind.CPU_PROFILE, fileName)) {
            ArtifactStore.Reservation reservation = reserve(fileName, ArtifactKind.CPU_PROFILE);
            return run(ticket, reservation, () -> {
                try {
                    profiler.record(reservation.writePath(), duration, ticket);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("Interrupted while recording", e);
                }
            });
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

    private Path run(JobGuard.Ticket ticket, ArtifactStore.Reservation reservation, Write write) throws IOException {
        String kind = reservation.kind().name();
        String path = reservation.finalPath().toString();
        events.emit(OomEvent.JOB_STARTED, "Started " + ticket, OomEvents.map("kind", kind, "path", path));
        boolean committed = false;
        try {
            write.run();
            Artifact artifact = store.commit(reservation);
            committed = true;
            events.emit(OomEvent.FILE_CREATED, "Created " + artifact.path(), OomEvents.artifactData(artifact));
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
