package dev.oomheapdump.core;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The out-of-memory policy and the on-request jobs of one JVM: everything the MBean exposes, without JMX.
 *
 * <p>Threads: on-request jobs run on the caller's thread; dumps triggered by the GC monitor run on the
 * daemon thread {@code oom-heapdump-oom-dump}, never on the JVM's notification thread; the daemon thread
 * {@code oom-heapdump-watcher} keeps the listing fresh (once a second) and notices the JVM's own hook writing its dump.
 */
public final class OomService implements Closeable {

    /** How long an OOM dump waits for a running heap snapshot to finish. */
    static final Duration OOM_DUMP_WAIT = Duration.ofMinutes(2);
    /** How long the attempt that takes the last slot waits for a hook dump already under way. */
    static final Duration HOOK_RACE = Duration.ofMillis(100);
    private static final Set<ArtifactKind> HEAP_DUMPS = Set.of(ArtifactKind.HEAP_SNAPSHOT, ArtifactKind.OOM_DUMP);

    private final ArtifactStore store;
    private final JobGuard guard = new JobGuard();
    private final HeapDumper dumper;
    private final CpuProfiler profiler = new CpuProfiler();
    private final NativeHookArmer armer;
    private final List<Consumer<OomEvent>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicInteger oomDumpCount = new AtomicInteger();
    private final java.util.concurrent.ThreadPoolExecutor oomDumpThread;
    private final Thread watcherThread;
    private final Object watchLock = new Object();
    static final long WATCH_INTERVAL_MS = 1000;
    private final Clock clock = Clock.systemUTC();
    private final Object policyLock = new Object();
    private final Thread shutdownHook = new Thread(this::finishBeforeExit, "oom-heapdump-shutdown");
    /** How long the JVM's exit waits for a dump or profile in flight to be written. */
    static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(60);

    private volatile OomPolicy policy;
    private GcMonitor monitor;
    /** Watches of what has no notifications (direct memory, process memory), while monitoring. */
    private final List<MemoryPoller> pollers = new ArrayList<>();
    private ArtifactStore.Reservation hookReservation;
    private volatile boolean hookFired;
    /** The hook's dump, counted but not yet reported (the watcher waits for it to be whole, then tells). */
    private volatile ArtifactStore.Reservation hookToReport;
    private volatile boolean closed;
    /** Guarded by policyLock: a monitor dump queued or running, and the heap in use that triggered the last one. */
    private boolean monitorDumpPending;
    /** Guarded by policyLock: the JVM is exiting; no new monitor dump is decided. */
    private boolean exiting;
    private final Map<String, Long> lastTriggerUsed = new java.util.HashMap<>();

    private OomService(OomPolicy policy, ArtifactStore store, HeapDumper dumper, NativeHookArmer armer) {
        this.policy = policy;
        this.store = store;
        this.dumper = dumper;
        this.armer = armer;
        this.oomDumpThread = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new java.util.concurrent.LinkedBlockingQueue<>(), daemon("oom-heapdump-oom-dump"));
        this.watcherThread = daemon("oom-heapdump-watcher").newThread(this::watch);
    }

    /**
     * Opens the directory (listing what earlier runs left), applies the policy and starts watching.
     *
     * @throws IOException when the directory cannot be made or read
     */
    public static OomService start(OomPolicy policy) throws IOException {
        OomService service = new OomService(policy, new ArtifactStore(policy.directory()), new HeapDumper(),
                new NativeHookArmer());
        service.apply(policy);
        service.watcherThread.start();
        Runtime.getRuntime().addShutdownHook(service.shutdownHook);
        return service;
    }

    /**
     * Daemon threads for the suite's own work: named for whose they are, and never a stack trace in the
     * application's log, least of all during its OOM.
     */
    public static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            thread.setUncaughtExceptionHandler((t, e) -> quietly(() -> System.err.println("oom-heapdump: " + t.getName()
                    + " stopped: " + e)));
            return thread;
        };
    }

    public OomPolicy policy() {
        return policy;
    }

    /**
     * Replaces the policy: arms or disarms the JVM's hook, starts or stops the GC monitor. Threshold and limit
     * take effect at the next collection.
     *
     * @throws IllegalArgumentException when {@code port} or {@code directory} differ (they are fixed at start)
     */
    public void updatePolicy(OomPolicy next) {
        Objects.requireNonNull(next, "policy");
        synchronized (policyLock) {
            OomPolicy previous = policy;
            if (!next.directory().equals(previous.directory()) || !next.port().equals(previous.port())) {
                throw new IllegalArgumentException("port and directory cannot change while the JVM runs");
            }
            if (next.equals(previous)) {
                return;
            }
            try {
                apply(next);
            } catch (RuntimeException e) {
                // arming failed (the directory cannot be written): the policy stays exactly as it was
                quietly(() -> apply(previous));
                throw e;
            }
            emit(OomEvent.POLICY_CHANGED, "Policy changed to " + next, Map.of("policy", next.toString(),
                    "previous", previous.toString()));
        }
    }

    private void apply(OomPolicy next) {
        synchronized (policyLock) {
            OomPolicy previous = this.policy;
            this.policy = next;
            boolean monitoring = next.heapdumpOnOOM() && next.implementation() == OomImplementation.GC_MONITORING;
            if (monitoring && monitor == null) {
                monitor = new GcMonitor(this::onGc);
                oomDumpThread.prestartCoreThread(); // a dump must not wait for a thread to be made
                DirectMemoryMonitor.start(this::onPolled).ifPresent(pollers::add);
                ProcessMemoryMonitor.startIfNeeded(this::onPolled).ifPresent(pollers::add);
            } else if (!monitoring && monitor != null) {
                stopMonitors();
            }
            boolean nameChanged = !next.path().equals(previous.path()) || next.addTimestamp() != previous.addTimestamp();
            if (nameChanged) {
                disarmHook();
            }
            armHookIfWanted();
        }
    }

    private void stopMonitors() {
        if (monitor != null) {
            monitor.close();
            monitor = null;
        }
        pollers.forEach(MemoryPoller::close);
        pollers.clear();
    }

    /** The hook is armed under NATIVE_HOOK, and under GC_MONITORING as the last resort while under the limit. */
    private void armHookIfWanted() {
        OomPolicy p = policy;
        boolean wanted = p.heapdumpOnOOM() && !hookFired && !closed
                && (p.implementation() == OomImplementation.NATIVE_HOOK || oomDumpCount.get() < p.limit());
        if (!wanted) {
            disarmHook();
            return;
        }
        if (hookReservation != null) {
            return;
        }
        try {
            ArtifactStore.Reservation reservation = store.reserve(oomDumpName(p), ArtifactKind.OOM_DUMP, true, true);
            armer.arm(reservation.finalPath());
            hookReservation = reservation;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare the OOM dump in " + store.directory() + ": " + e.getMessage(), e);
        }
    }

    private void disarmHook() {
        if (hookReservation != null) {
            armer.disarm();
            store.release(hookReservation);
            hookReservation = null;
        }
    }

    private String oomDumpName(OomPolicy p) {
        return p.path() + (p.addTimestamp() ? "-" + FileNames.stamp(clock.instant()) : "") + ArtifactKind.OOM_DUMP.extension();
    }

    // ---- the GC monitor ----------------------------------------------------------------------------------

    /** Runs on the JVM's notification thread: must return at once. */
    private void onGc(GcMonitor.Reading reading) {
        consider("heap", reading.usedAfter(), reading.max(), reading.receivedNanos(), () -> "heap "
                + percent(reading.usedAfter(), reading.max()) + " in use after " + reading.collector() + " ("
                + reading.cause() + "), threshold " + policy.threshold() + "%");
    }

    private void onPolled(MemoryPoller poller, long used) {
        long max = poller.max();
        consider(poller.source(), used, max, System.nanoTime(), () -> poller.label() + " " + percent(used, max)
                + " in use (" + used + " of " + max + " bytes), threshold " + policy.threshold() + "%");
    }

    /** "72.4%": plain arithmetic, because {@code String.format} costs milliseconds on a cold path. */
    static String percent(long used, long max) {
        long tenths = Math.round(1000.0 * used / max);
        return tenths / 10 + "." + tenths % 10 + "%";
    }

    /**
     * Decides, counts the attempt and hands the dump to the dump thread. After the first dump of a source
     * (heap, direct memory), the next one waits until its use has grown half way from the last trigger to the
     * maximum, so that {@code limit} dumps spread towards the OOM instead of being spent on the same heap in
     * three consecutive collections.
     */
    private void consider(String source, long used, long max, long receivedNanos, java.util.function.Supplier<String> reason) {
        OomPolicy p = policy;
        if (!p.heapdumpOnOOM() || p.implementation() != OomImplementation.GC_MONITORING || closed || max <= 0) {
            return;
        }
        if (used * 100 < (long) p.threshold() * max) {
            return;
        }
        synchronized (policyLock) {
            if (exiting || monitorDumpPending || oomDumpCount.get() >= p.limit()) {
                return;
            }
            Long last = lastTriggerUsed.get(source);
            if (last != null && used < last + (max - last) / 2) {
                return;
            }
            monitorDumpPending = true;
        }
        // Everything that allocates happens on the dump thread: this thread may meet the OOM at any step.
        try {
            oomDumpThread.execute(() -> monitorDump(source, used, max, receivedNanos, reason));
        } catch (Throwable e) {
            synchronized (policyLock) {
                monitorDumpPending = false;
            }
        }
    }

    /**
     * Counts the attempt, or backs out when the limit was reached meanwhile (the JVM's hook may have fired).
     * The attempt that takes the last slot disarms the hook first, retrying: the hook must not add one more.
     *
     * @return the attempt's number, or 0 to back out
     */
    private int countAttempt(String source, long used) {
        boolean lastSlot;
        int attempt;
        claimHookDump();
        synchronized (policyLock) {
            OomPolicy p = policy;
            if (closed || oomDumpCount.get() >= p.limit()) {
                return 0;
            }
            lastTriggerUsed.put(source, used);
            attempt = oomDumpCount.incrementAndGet();
            lastSlot = attempt >= p.limit();
        }
        ArtifactStore.Reservation disarmed = null;
        for (int tries = 0; lastSlot && tries < 100; tries++) {
            try {
                synchronized (policyLock) {
                    disarmed = hookReservation;
                    disarmHook();
                }
                break;
            } catch (Throwable e) {
                // setting a VM flag allocates; the heap may be full for a moment
                Thread.onSpinWait();
            }
        }
        if (disarmed != null && hookFiredMeanwhile(disarmed)) {
            // The collection that crossed the threshold was the last one before the OOM: the application
            // thread read the armed flag before we cleared it. The hook's dump, from the moment of the OOM,
            // takes this slot; the monitor backs out.
            synchronized (policyLock) {
                hookFired = true;
                hookToReport = disarmed;
            }
            return 0;
        }
        return attempt;
    }

    /**
     * An OOM in flight reads the hook's flag before it makes its file, in a safepoint operation that starts
     * within milliseconds: after {@link #HOOK_RACE} either its file exists or it never will.
     */
    private static boolean hookFiredMeanwhile(ArtifactStore.Reservation hook) {
        try {
            Thread.sleep(HOOK_RACE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Files.exists(hook.finalPath());
    }

    /**
     * Runs on the dump thread, usually with the heap nearly full: any step may meet an OutOfMemoryError.
     * Nothing escapes (this thread lives in someone else's application), every cleanup step runs on its own,
     * and a dump that was written is never deleted for a failure after it: if the rename fails, the file stays
     * under its temporary name and the next refresh of the listing renames it.
     */
    private void monitorDump(String source, long used, long max, long receivedNanos,
                             java.util.function.Supplier<String> describe) {
        JobGuard.Ticket ticket = null;
        ArtifactStore.Reservation reservation = null;
        boolean written = false;
        String reason = source;
        try {
            int attempt = countAttempt(source, used);
            if (attempt == 0) {
                return;
            }
            reason = describe.get();
            String why = reason;
            OomPolicy p = policy;
            ticket = guard.acquireForOomDump(oomDumpName(p), OOM_DUMP_WAIT).orElse(null);
            if (ticket == null) {
                quietly(() -> emit(OomEvent.OOM_DUMP_FAILED, "OOM dump skipped: another job held the guard for "
                        + OOM_DUMP_WAIT, Map.of("reason", why)));
                return;
            }
            reservation = store.reserve(oomDumpName(p), ArtifactKind.OOM_DUMP, true, false);
            String path = reservation.finalPath().toString();
            long lagMs = (System.nanoTime() - receivedNanos) / 1_000_000;
            quietly(() -> emit(OomEvent.OOM_DUMP_STARTED, "OOM dump started: " + why, map("path", path,
                    "reason", why, "usedBytes", Long.toString(used), "maxBytes", Long.toString(max),
                    "attempt", Integer.toString(attempt), "queuedMillis", Long.toString(lagMs))));
            dumper.dump(reservation.writePath(), false);
            written = true;
            Artifact artifact = store.commit(reservation);
            reservation = null;
            quietly(() -> {
                emit(OomEvent.OOM_DUMP_CREATED, "OOM dump written: " + artifact.path(), artifactData(artifact));
                emit(OomEvent.FILE_CREATED, "Created " + artifact.path(), artifactData(artifact));
            });
        } catch (Throwable e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            String why = reason;
            quietly(() -> emit(OomEvent.OOM_DUMP_FAILED, "OOM dump failed: " + e, Map.of("reason", why,
                    "error", String.valueOf(e))));
        } finally {
            ArtifactStore.Reservation leftover = reservation;
            if (leftover != null) {
                boolean keep = written;
                quietly(() -> {
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
            synchronized (policyLock) {
                monitorDumpPending = false;
            }
            quietly(() -> {
                synchronized (policyLock) {
                    armHookIfWanted();
                }
            });
        }
    }

    /** Runs a step that must not stop the caller, not even with an OutOfMemoryError. */
    private static void quietly(Runnable step) {
        try {
            step.run();
        } catch (Throwable ignored) {
            // the caller runs on with its next step; the listing shows what is on disk
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
        String fileName = requestName(name, "heapsnapshot", ArtifactKind.HEAP_SNAPSHOT);
        try (JobGuard.Ticket ticket = guard.tryAcquire(JobGuard.JobKind.HEAP_SNAPSHOT, fileName)) {
            ArtifactStore.Reservation reservation = reserveForJob(fileName, ArtifactKind.HEAP_SNAPSHOT);
            return runJob(ticket, reservation, () -> dumper.dump(reservation.writePath(), true));
        }
    }

    /**
     * Records a CPU profile for {@code duration} and returns its path once written. An OOM dump of the
     * policy ends it early; what was recorded is kept.
     *
     * @param name as for {@link #createHeapSnapshot}; {@code .jfr} is appended when missing
     * @throws IllegalArgumentException on a bad name, one that exists, or a duration out of range
     * @throws IllegalStateException    when another job runs
     * @throws IOException              when the profile cannot be written
     */
    public Path createCpuProfile(String name, Duration duration) throws IOException {
        CpuProfiler.checkDuration(duration.toMillis());
        String fileName = requestName(name, "cpuprofile", ArtifactKind.CPU_PROFILE);
        try (JobGuard.Ticket ticket = guard.tryAcquire(JobGuard.JobKind.CPU_PROFILE, fileName)) {
            ArtifactStore.Reservation reservation = reserveForJob(fileName, ArtifactKind.CPU_PROFILE);
            return runJob(ticket, reservation, () -> {
                try {
                    profiler.record(reservation.writePath(), duration, ticket);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("Interrupted while recording", e);
                }
            });
        }
    }

    private ArtifactStore.Reservation reserveForJob(String fileName, ArtifactKind kind) throws IOException {
        try {
            return store.reserve(fileName, kind, false, false);
        } catch (IOException e) {
            throw new IOException("Cannot start the " + ArtifactStore.describe(kind) + " '" + fileName + "': "
                    + ArtifactStore.explain(e, store.directory()), e);
        }
    }

    private interface Write {
        void run() throws IOException;
    }

    private Path runJob(JobGuard.Ticket ticket, ArtifactStore.Reservation reservation, Write write) throws IOException {
        String what = ArtifactStore.describe(reservation.kind());
        emit(OomEvent.JOB_STARTED, "Started " + ticket, map("kind", reservation.kind().name(), "path",
                reservation.finalPath().toString()));
        boolean committed = false;
        try {
            write.run();
            Artifact artifact = store.commit(reservation);
            committed = true;
            emit(OomEvent.FILE_CREATED, "Created " + artifact.path(), artifactData(artifact));
            return artifact.path();
        } catch (IOException | RuntimeException e) {
            if (!committed) {
                store.abort(reservation);
            }
            if (e instanceof IOException) {
                throw new IOException("The " + what + " " + reservation.finalPath() + " could not be written: "
                        + ArtifactStore.explain((IOException) e, store.directory()) + store.freeSpace(), e);
            }
            throw e;
        } finally {
            emit(OomEvent.JOB_ENDED, "Ended " + ticket, map("kind", reservation.kind().name(), "path",
                    reservation.finalPath().toString(), "ok", Boolean.toString(committed)));
        }
    }

    private String requestName(String name, String prefix, ArtifactKind kind) {
        if (name == null || name.isBlank()) {
            return FileNames.generated(prefix, clock.instant()) + kind.extension();
        }
        return FileNames.resolveRequest("path", name, store.directory(), kind);
    }

    /**
     * Deletes one heap dump this suite made (a snapshot or an OOM dump, complete or truncated). A file that is
     * already gone is not an error.
     *
     * @return true when a file was deleted
     * @throws IllegalArgumentException when the file was not made by the suite or is not a heap dump
     */
    public boolean deleteHeapSnapshot(String name) {
        return deleted(store.delete(name, HEAP_DUMPS, "heap snapshot"));
    }

    /**
     * Deletes every heap snapshot made on request. OOM dumps are kept: they are deleted one by one with
     * {@link #deleteHeapSnapshot}.
     *
     * @return the deleted paths
     */
    public List<Path> deleteAllHeapSnapshots() {
        return deletedAll(store.deleteAll(Set.of(ArtifactKind.HEAP_SNAPSHOT), "heap snapshot"));
    }

    /** Deletes one CPU profile this suite made; see {@link #deleteHeapSnapshot}. */
    public boolean deleteCpuProfile(String name) {
        return deleted(store.delete(name, Set.of(ArtifactKind.CPU_PROFILE), "CPU profile"));
    }

    /** Deletes every CPU profile this suite made. */
    public List<Path> deleteAllCpuProfiles() {
        return deletedAll(store.deleteAll(Set.of(ArtifactKind.CPU_PROFILE), "CPU profile"));
    }

    private boolean deleted(Optional<Artifact> artifact) {
        artifact.ifPresent(a -> emit(OomEvent.FILE_DELETED, "Deleted " + a.path(), artifactData(a)));
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

    /** The directory listing, for callers that need a path resolved exactly as the service does. */
    public ArtifactStore store() {
        return store;
    }

    /** The running job, if any. */
    public Optional<JobGuard.Ticket> currentJob() {
        return guard.current();
    }

    /** "heap snapshot 'x.hprof' since ... (1.2 s ago)", or empty when idle. */
    public String describeCurrentJob() {
        return guard.current().map(t -> t.describe(Instant.now())).orElse("");
    }

    /** Dumps made by the OOM policy in this JVM (attempts, failed ones included). */
    public int oomDumpCount() {
        return oomDumpCount.get();
    }

    /** The file the JVM's hook will write, when armed. */
    public Optional<Path> armedHookPath() {
        return armer.armed();
    }

    /** True once the JVM's own hook wrote its dump; it never fires again in this JVM. */
    public boolean hookFired() {
        return hookFired;
    }

    /** How many GC listeners are installed (0 when not monitoring). */
    public int gcListenerCount() {
        synchronized (policyLock) {
            return monitor == null ? 0 : monitor.listenerCount();
        }
    }

    public void addListener(Consumer<OomEvent> listener) {
        listeners.add(listener);
    }

    public void removeListener(Consumer<OomEvent> listener) {
        listeners.remove(listener);
    }

    private void emit(String type, String message, Map<String, String> data) {
        OomEvent event = new OomEvent(type, message, data);
        for (Consumer<OomEvent> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                // a listener's failure must not break a dump
            }
        }
    }

    static Map<String, String> artifactData(Artifact a) {
        return map("path", a.path().toString(), "kind", a.kind().name(), "bytes", Long.toString(a.bytes()),
                "state", a.state().name(), "origin", a.origin().name(), "createdMillis", Long.toString(a.createdMillis()));
    }

    private static Map<String, String> map(String... keyValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return map;
    }

    // ---- the directory watcher -----------------------------------------------------------------------------

    /**
     * Looks at the directory once a second: a few {@code stat} calls, no file read unless one changed. A
     * polling thread rather than a {@code WatchService}: the JDK's watch-service thread allocates and dies
     * of the very OOM the suite is there for, printing into the application's log and going deaf after.
     */
    private void watch() {
        while (!closed) {
            try {
                synchronized (watchLock) {
                    watchLock.wait(WATCH_INTERVAL_MS);
                }
                if (closed) {
                    return;
                }
                store.refresh();
                checkHook();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException | OutOfMemoryError e) {
                // keep watching: the next round tries again
            }
        }
    }

    /**
     * Counts the JVM's hook dump as soon as its file exists: one {@code stat}. Called by the watcher and by
     * every monitor attempt, since GC notifications can arrive right after the OOM, before the watcher looked,
     * and must not start a dump the limit has no room for.
     */
    private void claimHookDump() {
        synchronized (policyLock) {
            ArtifactStore.Reservation reservation = hookReservation;
            if (reservation == null || hookFired || !Files.exists(reservation.finalPath())) {
                return;
            }
            hookFired = true;
            oomDumpCount.incrementAndGet();
            hookReservation = null;
            hookToReport = reservation;
            quietly(armer::disarm);
        }
    }

    /** The JVM's hook writes in place: when its file shows up, count it, wait until it is whole, and tell. */
    private void checkHook() throws InterruptedException {
        claimHookDump();
        ArtifactStore.Reservation reservation = hookToReport;
        if (reservation == null) {
            return;
        }
        hookToReport = null;
        Path file = reservation.finalPath();
        emit(OomEvent.OOM_DUMP_STARTED, "The JVM ran out of memory and is writing " + file,
                map("path", file.toString(), "reason", "the JVM's own OOM hook (HeapDumpOnOutOfMemoryError)",
                        "attempt", Integer.toString(oomDumpCount.get())));
        store.markWritingInPlace(reservation.name(), true);
        long lastSize = -1;
        long stableSince = System.nanoTime();
        try {
            while (!closed) {
                HprofFile.Check check = HprofFile.check(file);
                if (check.complete()) {
                    break;
                }
                if (check.bytes() != lastSize) {
                    lastSize = check.bytes();
                    stableSince = System.nanoTime();
                } else if (System.nanoTime() - stableSince > TimeUnit.SECONDS.toNanos(30)) {
                    break;
                }
                Thread.sleep(200);
            }
        } finally {
            store.markWritingInPlace(reservation.name(), false);
            store.release(reservation);
        }
        Optional<Artifact> artifact = store.find(reservation.name());
        if (artifact.isPresent() && artifact.get().isComplete()) {
            emit(OomEvent.OOM_DUMP_CREATED, "OOM dump written: " + file, artifactData(artifact.get()));
            emit(OomEvent.FILE_CREATED, "Created " + file, artifactData(artifact.get()));
        } else {
            emit(OomEvent.OOM_DUMP_FAILED, "The JVM's OOM dump " + file + " is not complete",
                    map("path", file.toString(), "error", artifact.map(Artifact::detail).orElse("missing")));
        }
    }

    /**
     * Runs when the JVM exits (often right after an OOM): a running CPU profile is ended and kept, a heap dump
     * in flight is waited for (bounded), so that its file is renamed complete instead of left half done.
     */
    private void finishBeforeExit() {
        synchronized (policyLock) {
            // GC notifications still arrive during the exit; a dump started now would be cut off by the halt
            exiting = true;
        }
        long deadline = System.nanoTime() + SHUTDOWN_WAIT.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                Optional<JobGuard.Ticket> running = guard.current();
                boolean pending;
                synchronized (policyLock) {
                    pending = monitorDumpPending;
                }
                if (running.isEmpty() && !pending) {
                    return;
                }
                running.filter(t -> t.kind() == JobGuard.JobKind.CPU_PROFILE).ifPresent(JobGuard.Ticket::preempt);
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            // a dump whose rename met the OOM is complete under its temporary name: rename it now
            quietly(store::refresh);
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
            stopMonitors();
            disarmHook();
        }
        oomDumpThread.shutdownNow();
        watcherThread.interrupt();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is exiting already
        }
        listeners.clear();
    }
}
