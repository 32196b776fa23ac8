package dev.oomheapdump.core;

import dev.oomheapdump.core.job.Profiler;
import dev.oomheapdump.core.job.HeapDumper;
import dev.oomheapdump.core.job.HeapReports;
import dev.oomheapdump.core.job.JobGuard;
import dev.oomheapdump.core.job.OomDumpWriter;
import dev.oomheapdump.core.job.RequestedJobs;
import dev.oomheapdump.core.job.Shipper;
import dev.oomheapdump.core.store.ArtifactReader;
import dev.oomheapdump.core.store.ArtifactStore;
import dev.oomheapdump.core.store.ReadBuffers;
import dev.oomheapdump.core.store.DirectoryWatcher;
import dev.oomheapdump.core.store.Retention;
import dev.oomheapdump.core.trigger.NativeHookArmer;
import dev.oomheapdump.core.trigger.OomTriggers;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The out-of-memory policy and the on-request jobs of one JVM: everything the MBean exposes, without JMX. A
 * facade: {@code trigger} decides when the policy dumps, {@code job} writes, {@code store} keeps the files;
 * this class wires them and holds the policy.
 *
 * <p>Threads: on-request jobs run on the caller's thread; dumps triggered by the GC monitor run on the daemon
 * thread {@code oom-heapdump-oom-dump}; the daemon thread {@code oom-heapdump-watcher} keeps the listing fresh
 * (once a second), notices the JVM's own hook writing its dump, disarms the hook while its dump would not fit on
 * the disk (and arms it again), and applies {@code maxDumps} and {@code maxBytes} after every new file.
 */
public final class OomService implements Closeable {

    /** How long the JVM's exit waits for a dump or profile in flight to be written. */
    static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(60);
    /** What {@link #deleteHeapSnapshot} deletes: heap dumps and their reports. */
    private static final Set<ArtifactKind> HEAP_FILES = Set.of(ArtifactKind.HEAP_SNAPSHOT, ArtifactKind.OOM_DUMP,
            ArtifactKind.HEAP_REPORT);

    private final ArtifactStore store;
    private final JobGuard guard = new JobGuard();
    private final OomEvents events = new OomEvents();
    private final RequestedJobs jobs;
    private final OomTriggers triggers;
    private final DirectoryWatcher watcher;
    private final HeapReports reports;
    private final Profiler profiler;
    private final OomDumpWriter writer;
    private final Retention retention;
    private final ArtifactReader reader;
    private final Shipper shipper;
    private final java.util.concurrent.ExecutorService analyses = java.util.concurrent.Executors.newSingleThreadExecutor(
            Daemons.factory("analysis"));
    private final DumpStats stats = new DumpStats();
    private final Thread shutdownHook = new Thread(this::finishBeforeExit, Daemons.PREFIX + "shutdown");
    private final Object policyLock = new Object();
    private volatile OomPolicy policy;
    private volatile boolean closed;

    private OomService(OomPolicy policy, ArtifactStore store, NativeHookArmer armer, OomTriggers.MonitorFactory monitors) {
        this.policy = policy;
        this.store = store;
        Clock clock = Clock.systemUTC();
        HeapDumper dumper = new HeapDumper();
        this.profiler = new Profiler(store.directory());
        this.jobs = new RequestedJobs(store, guard, dumper, profiler, events, clock, this::policy);
        this.writer = new OomDumpWriter(store, guard, dumper, events, this::policy);
        this.triggers = new OomTriggers(policy, store, writer::write, armer, monitors, events, clock);
        this.shipper = new Shipper(store, events, this::policy);
        this.retention = new Retention(store, events::emit, a -> shipper.shipping(a) || !this.policy.ship().isEmpty()
                && a.isComplete() && !a.shipped() && shipper.covers(a));
        this.watcher = new DirectoryWatcher(store, () -> {
            triggers.checkHookRoom();
            triggers.checkHook(); // a dump of the hook is waited for: retention runs once it is whole
            shipper.observe(store.list());
            retention.runIfRequested(this.policy);
        });
        this.reports = new HeapReports(store, events);
        this.reader = new ArtifactReader(store);
        events.add(this::analyzeWhenAsked);
        events.add(stats);
        events.add(this::retainWhenAsked);
        events.add(this::shipWhenAsked);
    }

    /**
     * Opens the directory (listing what earlier runs left), applies the policy and starts watching. When any
     * step fails, everything started before it is stopped again: no thread, listener or flag is left behind.
     *
     * @throws IOException when the directory cannot be made or read
     * @throws java.io.UncheckedIOException when the JVM's hook cannot be armed (its file cannot be prepared)
     */
    public static OomService start(OomPolicy policy) throws IOException {
        return start(policy, new NativeHookArmer(), OomTriggers.jvmMonitors());
    }

    static OomService start(OomPolicy policy, NativeHookArmer armer, OomTriggers.MonitorFactory monitors) throws IOException {
        OomService service = new OomService(policy, new ArtifactStore(policy.directory()), armer, monitors);
        try {
            service.triggers.apply(policy);
            service.writer.prepare(policy);
            service.watcher.start();
            service.analyzeLeftovers(policy);
            service.shipper.observe(service.store.list());
            service.shipLeftovers(policy);
            Runtime.getRuntime().addShutdownHook(service.shutdownHook);
            return service;
        } catch (RuntimeException | Error e) {
            service.close();
            throw e;
        }
    }

    public OomPolicy policy() {
        return policy;
    }

    /**
     * Replaces the policy: arms or disarms the JVM's hook, starts or stops the GC monitor. Threshold and limit
     * take effect at the next collection. All or nothing: a refused change leaves the policy as it was.
     *
     * @throws IllegalArgumentException when a fixed option ({@code port}, {@code directory}) differs
     */
    public void updatePolicy(OomPolicy next) {
        Objects.requireNonNull(next, "policy");
        synchronized (policyLock) {
            OomPolicy previous = policy;
            previous.checkFixedUnchanged(next);
            if (next.equals(previous)) {
                return;
            }
            triggers.apply(next);
            policy = next;
            writer.prepare(next);
            if (next.analyze() != previous.analyze()) {
                analyzeLeftovers(next);
            }
            if (!next.ship().equals(previous.ship()) || !next.shipEndpoint().equals(previous.shipEndpoint())) {
                shipLeftovers(next);
            }
            events.emit(OomEvent.POLICY_CHANGED, "Policy changed to " + next, Map.of("policy", next.toString(),
                    "previous", previous.toString()));
        }
    }

    /**
     * Changes some options, reading and replacing the policy under the one lock every policy change takes,
     * whoever makes it (JMX, a re-attach, code): two changes never lose one another.
     *
     * @param changes option keys and values, as in the agent's arguments
     * @return the policy now in force
     * @throws IllegalArgumentException on an unknown key, a bad value, or a fixed option with another value
     * @throws java.io.UncheckedIOException when the JVM's hook cannot be armed; the policy stays as it was
     */
    public OomPolicy changePolicy(Map<String, String> changes) {
        synchronized (policyLock) {
            OomPolicy next = policy.with(changes);
            updatePolicy(next);
            return next;
        }
    }

    /** The OOM trap's call: an OutOfMemoryError is being made on this thread. See {@link OomTriggers#onTrapped}. */
    public void onTrapped(OutOfMemoryError error) {
        triggers.onTrapped(error);
    }

    // ---- what filled the heap ------------------------------------------------------------------------------

    /**
     * Analyzes a listed heap dump in a separate low-priority process on this host and returns its report's path
     * ({@code <dump>.report.json}, beside {@code <dump>.report.txt}); blocks until the report is written.
     *
     * @throws IllegalArgumentException when the request names no complete heap dump, or the dump is damaged
     * @throws IllegalStateException    when an analysis runs already, or this host lacks the memory for it
     * @throws IOException              when the analysis fails otherwise
     */
    public Path analyzeHeapSnapshot(String name) throws IOException {
        try {
            return reports.analyze(name);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while analyzing " + name, e);
        }
    }

    /**
     * The text summary of a dump's report (by the dump's name or the report's).
     *
     * @throws IllegalArgumentException when there is no complete report yet
     */
    public String readHeapReport(String name) throws IOException {
        return reports.readText(name);
    }

    // ---- shipping ---------------------------------------------------------------------------------------------

    /** The policy's {@code ship}: a complete OOM dump, and the report of one, is uploaded by a separate process. */
    private void shipWhenAsked(OomEvent event) {
        boolean oomDump = event.type().equals(OomEvent.OOM_DUMP_CREATED);
        boolean report = event.type().equals(OomEvent.FILE_CREATED)
                && ArtifactKind.HEAP_REPORT.name().equals(event.data().get("kind"));
        if ((oomDump || report) && !policy.ship().isEmpty()) {
            String path = event.data().get("path");
            // on the OOM trap's thread the heap may still be full: nothing of this may stop the listeners after it
            Daemons.quietly(() -> {
                if (path != null) {
                    store.find(java.nio.file.Path.of(path).getFileName().toString()).filter(shipper::covers)
                            .ifPresent(a -> shipper.request(List.of(a.path().getFileName().toString())));
                }
            });
        }
    }

    /** Complete files the policy ships that are not shipped: those earlier runs left, or all when ship was just set. */
    private void shipLeftovers(OomPolicy p) {
        if (!p.ship().isEmpty()) {
            shipper.prepare();
            shipper.shipLeftovers();
        }
    }

    /**
     * Uploads a listed complete file (any kind) now, in a separate process; returns at once.
     *
     * @return a sentence: what was started, or that the file was shipped already or is being shipped
     * @throws IllegalArgumentException when the request names no listed file
     * @throws IllegalStateException    when {@code ship} is not set, the file is not complete, or no uploader can start
     */
    public String shipArtifact(String name) {
        store.refresh();
        return shipper.shipNow(store.listed(name));
    }

    /** A new file, or a new policy: retention runs on the watcher's next round. */
    private void retainWhenAsked(OomEvent event) {
        if (event.type().equals(OomEvent.FILE_CREATED) || event.type().equals(OomEvent.POLICY_CHANGED)
                || event.type().equals(OomEvent.SHIP_SUCCEEDED)) { // a file kept for its upload may go now
            retention.request();
        }
    }

    /**
     * Bytes of a listed complete file, for a fetch over JMX, in a new array or one {@code buffers} hands out again
     * ({@link ReadBuffers#NEW}: always new); see {@link ArtifactReader#read}.
     *
     * @throws IllegalArgumentException on a bad offset or length, a file not listed or deleted
     * @throws IllegalStateException    when the file is not complete or changed since it was listed
     */
    public byte[] readArtifact(String name, long offset, int length, ReadBuffers buffers) throws IOException {
        return reader.read(name, offset, length, buffers);
    }

    /**
     * The SHA-256 of a listed complete file, cached per identity of the file; see {@link ArtifactReader#sha256}.
     *
     * @throws IllegalArgumentException when the file is not listed or was deleted
     * @throws IllegalStateException    when the file is not complete or changed while it was hashed
     */
    public String artifactSha256(String name) throws IOException {
        return reader.sha256(name);
    }

    /** The policy's {@code analyze}: a new dump it covers is analyzed, on the analysis thread. */
    private void analyzeWhenAsked(OomEvent event) {
        boolean oomDump = event.type().equals(OomEvent.OOM_DUMP_CREATED);
        boolean snapshot = event.type().equals(OomEvent.FILE_CREATED)
                && ArtifactKind.HEAP_SNAPSHOT.name().equals(event.data().get("kind"));
        ArtifactKind kind = oomDump ? ArtifactKind.OOM_DUMP : snapshot ? ArtifactKind.HEAP_SNAPSHOT : null;
        if (kind != null && policy.analyze().covers(kind)) {
            submitAnalysis(event.data().get("path"));
        }
    }

    /** Dumps the policy's {@code analyze} covers that have no report yet, those of earlier runs included. */
    private void analyzeLeftovers(OomPolicy p) {
        for (Artifact artifact : store.list()) {
            if (p.analyze().covers(artifact.kind()) && artifact.isComplete() && !reports.hasReport(artifact)) {
                submitAnalysis(artifact.path().toString());
            }
        }
    }

    private void submitAnalysis(String path) {
        try {
            analyses.execute(() -> {
                try {
                    if (!closed) {
                        reports.analyze(path);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception | OutOfMemoryError e) {
                    events.emitQuietly(OomEvent.ANALYSIS_FAILED, "No analysis of " + path + ": " + e.getMessage(),
                            OomEvents.map("path", path, "error", String.valueOf(e.getMessage())));
                }
            });
        } catch (RuntimeException e) {
            // closed meanwhile
        }
    }

    // ---- jobs on request -----------------------------------------------------------------------------------

    /**
     * Writes a heap dump of live objects (a full GC runs first) and returns its path once complete.
     *
     * @param name a file name in the directory, or an absolute path there; empty for a generated name;
     *             {@code .hprof} is appended when missing
     * @throws IllegalArgumentException on a bad name or one that exists
     * @throws IllegalStateException    when another job runs
     * @throws IOException              when the dump cannot be written (nothing is left under the name)
     */
    public Path createHeapSnapshot(String name) throws IOException {
        return jobs.heapSnapshot(name);
    }

    /** A CPU profile: {@link #createProfile} with {@link ProfileEvent#CPU}. */
    public Path createCpuProfile(String name, Duration duration) throws IOException {
        return createProfile(name, ProfileEvent.CPU, duration);
    }

    /**
     * Records a profile of {@code event} for {@code duration} and returns the path of its {@code .jfr} once written;
     * the views option {@code profileFormats} asks for lie beside it ({@code .html}, {@code .collapsed},
     * {@code .pprof}). An OOM dump of the policy ends it early; what was recorded is kept.
     *
     * @param name as for {@link #createHeapSnapshot}; {@code .jfr} is appended when missing
     * @throws IllegalArgumentException on a bad name, one that exists, a duration out of range, or an event the
     *                                  engine cannot record (wall clock under JDK Flight Recorder)
     * @throws IllegalStateException    when another job runs
     * @throws IOException              when the profile cannot be written
     */
    public Path createProfile(String name, ProfileEvent event, Duration duration) throws IOException {
        return jobs.profile(name, event, duration);
    }

    /** The engine the next profile uses under the current policy. */
    public Profiler.Engine profilerEngine() {
        return profiler.engine(policy.profiler() == OomPolicy.ProfilerChoice.JFR);
    }

    /**
     * Deletes one heap dump this suite made (a snapshot or an OOM dump, complete or truncated), or one heap report
     * file. A file the suite made that is already gone is not an error (a repeated delete works).
     *
     * @return true when a file was deleted
     * @throws IllegalArgumentException when the suite never made the file in the directory, or it is not a heap dump
     */
    public boolean deleteHeapSnapshot(String name) {
        return deleted(store.delete(listedName(name), HEAP_FILES, ArtifactKind.HEAP_SNAPSHOT.label()));
    }

    /** A heap file named without its extension is the listed one that has it ({@code x} is {@code x.hprof.gz}). */
    private String listedName(String requested) {
        try {
            Artifact artifact = store.listed(requested);
            return HEAP_FILES.contains(artifact.kind()) ? artifact.path().getFileName().toString() : requested;
        } catch (IllegalArgumentException e) {
            return requested; // the delete says what is wrong with it
        }
    }

    /**
     * Deletes every heap snapshot made on request. OOM dumps are kept: they are deleted one by one with
     * {@link #deleteHeapSnapshot}.
     *
     * @return the deleted paths
     */
    public List<Path> deleteAllHeapSnapshots() {
        return deletedAll(store.deleteAll(Set.of(ArtifactKind.HEAP_SNAPSHOT), ArtifactKind.HEAP_SNAPSHOT.label()));
    }

    /**
     * Deletes one profile file this suite made; see {@link #deleteHeapSnapshot}. A recording ({@code .jfr}, or the
     * name without extension) goes with its views; a view alone leaves the recording.
     */
    public boolean deleteCpuProfile(String name) {
        Optional<Artifact> deleted = store.delete(name, Set.of(ArtifactKind.CPU_PROFILE), ArtifactKind.CPU_PROFILE.label());
        boolean any = deleted(deleted);
        String recording = deleted.map(a -> a.path().getFileName().toString())
                .filter(n -> n.endsWith(ProfileFormat.JFR.extension())).orElse(null);
        if (recording != null) {
            String base = recording.substring(0, recording.length() - ProfileFormat.JFR.extension().length());
            for (ProfileFormat format : ProfileFormat.values()) {
                if (format != ProfileFormat.JFR && store.find(base + format.extension()).isPresent()) {
                    any |= deleted(store.delete(base + format.extension(), Set.of(ArtifactKind.CPU_PROFILE),
                            ArtifactKind.CPU_PROFILE.label()));
                }
            }
        }
        return any;
    }

    /** Deletes every CPU profile this suite made. */
    public List<Path> deleteAllCpuProfiles() {
        return deletedAll(store.deleteAll(Set.of(ArtifactKind.CPU_PROFILE), ArtifactKind.CPU_PROFILE.label()));
    }

    private boolean deleted(Optional<Artifact> artifact) {
        artifact.ifPresent(a -> events.emit(OomEvent.FILE_DELETED, "Deleted " + a.path(), OomEvents.artifactData(a)));
        return artifact.isPresent();
    }

    private List<Path> deletedAll(List<Artifact> artifacts) {
        List<Path> paths = new ArrayList<>();
        for (Artifact artifact : artifacts) {
            deleted(Optional.of(artifact));
            paths.add(artifact.path());
        }
        return paths;
    }

    // ---- state -------------------------------------------------------------------------------------------

    /** Every file the suite made in the directory, now or in an earlier run (cached, no disk access). */
    public List<Artifact> artifacts() {
        return store.list();
    }

    /**
     * The listed file a request names: its file name, its absolute path in the directory, or its name without
     * the extension.
     *
     * @throws IllegalArgumentException when it names no file the suite made
     */
    public Artifact listed(String requested) {
        return store.listed(requested);
    }


    /** Why the JVM's hook is disarmed for the disk now ({@code minFreeDisk}), or empty when it is not. */
    public Optional<String> hookDisarmedForDisk() {
        return triggers.hookDisarmedForDisk();
    }

    /** "heap snapshot 'x.hprof' since ... (1.2 s ago)", or empty when idle. */
    public String describeCurrentJob() {
        return guard.current().map(t -> t.describe(Instant.now())).orElse("");
    }

    /** True while a job on request or an OOM dump runs. */
    public boolean busy() {
        return guard.current().isPresent();
    }

    /** Dumps made by the OOM policy in this JVM (attempts, failed ones included). */
    public int oomDumpCount() {
        return triggers.count();
    }

    /**
     * Heap dumps the suite set out to make in this JVM that failed: OOM dumps of the policy not made or left
     * incomplete, and heap snapshots whose write failed (not requests refused before writing).
     */
    public int failedDumpCount() {
        return stats.failedDumps();
    }

    /**
     * When the newest OOM dump listed in the directory was made (this run's or one an earlier run left), epoch
     * milliseconds; 0 when none is listed. From the cached listing, no disk access.
     */
    public long lastOomDumpMillis() {
        return DumpStats.lastOomDumpMillis(store.list());
    }

    /** True while the JVM's own OOM hook ({@code HeapDumpOnOutOfMemoryError}) is armed by the suite. */
    public boolean hookArmed() {
        return triggers.hookArmed();
    }

    /** Usable bytes on the directory's file system (one {@code statvfs}); 0 when the directory is missing. */
    public long freeDiskBytes() {
        return policy.directory().toFile().getUsableSpace();
    }

    /** How many memory watches run (0 when not monitoring). */
    public int monitorCount() {
        return triggers.monitorCount();
    }

    public void addListener(Consumer<OomEvent> listener) {
        events.add(listener);
    }

    public void removeListener(Consumer<OomEvent> listener) {
        events.remove(listener);
    }

    // ---- the end -------------------------------------------------------------------------------------------

    /**
     * Runs when the JVM exits (often right after an OOM): a running CPU profile is ended and kept, a heap dump
     * in flight is waited for (bounded), so that its file is renamed complete instead of left half done.
     */
    private void finishBeforeExit() {
        triggers.exiting();
        long deadline = System.nanoTime() + SHUTDOWN_WAIT.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                Optional<JobGuard.Ticket> running = guard.current();
                if (running.isEmpty() && !triggers.dumpPending() && !triggers.hookReportPending()
                        && !shipper.pending()) {
                    return;
                }
                running.filter(t -> t.kind() == ArtifactKind.CPU_PROFILE).ifPresent(JobGuard.Ticket::preempt);
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            // a dump whose rename met the OOM is complete under its temporary name: rename it now
            Daemons.quietly(store::refresh);
        }
    }

    /** Stops monitoring, restores the JVM's hook flags, stops the threads. Files stay. */
    @Override
    public void close() {
        synchronized (policyLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        triggers.close();
        writer.close();
        watcher.close();
        shipper.close();
        analyses.shutdownNow();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // the JVM is exiting already, or the hook was never added (start failed)
        }
        events.clear();
    }
}
