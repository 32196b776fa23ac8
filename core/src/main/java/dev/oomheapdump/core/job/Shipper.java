package dev.oomheapdump.core.job;

import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.ArtifactKind;
import dev.oomheapdump.core.Daemons;
import dev.oomheapdump.core.OomEvent;
import dev.oomheapdump.core.OomEvents;
import dev.oomheapdump.core.OomPolicy;
import dev.oomheapdump.core.store.ArtifactStore;
import dev.oomheapdump.core.store.ShipLock;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Option {@code ship}: uploads files to object storage in a separate process, never in the monitored JVM (which may
 * be dying of its OOM, and never loads the S3 client's classes). The uploader is the agent jar's {@code ship} command,
 * started with this JVM's java at low priority in a session of its own, so that it outlives the JVM's exit; its output
 * goes to a hidden log in the directory. It appends a shipment record to the index when a file is uploaded
 * ({@link dev.oomheapdump.core.store.ShipLog}); the listing reads them, and {@link #observe} tells of each new one
 * ({@link OomEvent#SHIP_SUCCEEDED}). An uploader that ends without shipping a file is told as
 * {@link OomEvent#SHIP_FAILED} with its reason, and the file is tried again later (backoff from
 * {@link #FIRST_RETRY_SECONDS}), at the next start, or on request.
 *
 * <p>Never two uploaders for one file: not while this JVM's uploader runs, nor while any process holds the file's
 * {@link ShipLock} (an earlier JVM's uploader, a sidecar, a one-shot command); such a file is watched until it is let
 * go, and its end is told here either way. Starts run on the daemon thread {@code oom-heapdump-ship}; the JVM's exit
 * waits for a start asked for ({@link #pending}).
 */
public final class Shipper implements AutoCloseable {

    static final long FIRST_RETRY_SECONDS = 60;
    static final long MAX_RETRY_SECONDS = 3600;

    private final ArtifactStore store;
    private final OomEvents events;
    private final Supplier<OomPolicy> policy;
    private final ScheduledThreadPoolExecutor thread = new ScheduledThreadPoolExecutor(1, Daemons.factory("ship"));
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger launches = new AtomicInteger();
    /** Guarded by this: names of files an uploader of this JVM is shipping now. */
    private final Set<String> running = new HashSet<>();
    /** Guarded by this: seconds until the next retry, per name of a file that failed. */
    private final Map<String, Long> backoff = new HashMap<>();
    /** Guarded by this: names of files another process was shipping when this JVM would have; watched until it ends. */
    private final Set<String> foreign = new HashSet<>();
    /** Guarded by this: the shipped state last seen per file name; null before the first look. */
    private Map<String, String> seen;
    private volatile boolean closed;

    public Shipper(ArtifactStore store, OomEvents events, Supplier<OomPolicy> policy) {
        this.store = store;
        this.events = events;
        this.policy = policy;
        thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** Makes the ship thread now: after an OOM there may be no memory to make it. */
    public void prepare() {
        thread.prestartCoreThread();
    }

    /** True when the policy ships files of this kind without being asked: OOM dumps and their reports. */
    public boolean covers(Artifact artifact) {
        if (artifact.kind() == ArtifactKind.OOM_DUMP) {
            return true;
        }
        return artifact.kind() == ArtifactKind.HEAP_REPORT && dumpOf(artifact).map(d -> d.kind() == ArtifactKind.OOM_DUMP)
                .orElse(false);
    }

    /** Asks for an upload of listed files, on the ship thread. Cheap; any thread may call it. */
    public void request(List<String> names) {
        if (policy.get().ship().isEmpty() || names.isEmpty()) {
            return;
        }
        pending.incrementAndGet();
        try {
            thread.execute(() -> {
                try {
                    store.refresh();
                    List<Artifact> files = new ArrayList<>();
                    for (String name : names) {
                        store.find(name).ifPresent(files::add);
                    }
                    start(files);
                } catch (Throwable e) {
                    // told by the failure event of start, or nothing to do
                } finally {
                    pending.decrementAndGet();
                }
            });
        } catch (RuntimeException e) {
            pending.decrementAndGet(); // closed
        }
    }

    /** Every complete file the policy ships that is not shipped yet: those an earlier run left, at start. */
    public void shipLeftovers() {
        if (policy.get().ship().isEmpty()) {
            return;
        }
        UploaderProcess.deleteOldLogs(store.directory());
        List<String> names = new ArrayList<>();
        for (Artifact artifact : store.list()) {
            if (artifact.isComplete() && !artifact.shipped() && covers(artifact)) {
                names.add(artifact.path().getFileName().toString());
            }
        }
        request(names);
    }

    /**
     * True while this JVM's uploader ships the file, from the start asked for to its end: retention leaves it alone
     * (it also leaves alone a file whose {@link ShipLock} any process holds, but the uploader takes that only once it
     * runs).
     */
    public synchronized boolean shipping(Artifact artifact) {
        return running.contains(artifact.path().getFileName().toString());
    }

    /** True while a start was asked for and has not happened yet (the JVM's exit waits for it). */
    public boolean pending() {
        return pending.get() > 0;
    }

    /**
     * Starts an uploader for one listed file now, on request.
     *
     * @return a sentence: what was started, or why nothing needed to be
     * @throws IllegalStateException when {@code ship} is not set, the file is not complete, or the uploader cannot start
     */
    public String shipNow(Artifact artifact) {
        String to = policy.get().ship();
        String name = artifact.path().getFileName().toString();
        if (to.isEmpty()) {
            throw new IllegalStateException("Cannot ship " + name + ": option 'ship' is not set (set Ship to "
                    + "s3://bucket/prefix first)");
        }
        if (!artifact.isComplete()) {
            throw new IllegalStateException("Cannot ship " + name + ": it is " + artifact.state()
                    + (artifact.detail().isEmpty() ? "" : " (" + artifact.detail() + ")") + "; only complete files are shipped");
        }
        if (artifact.shipped()) {
            return name + " was shipped already, to " + artifact.shippedTo();
        }
        synchronized (this) {
            backoff.remove(name);
            if (running.contains(name)) {
                return name + " is being shipped now; a ship.succeeded or ship.failed notification tells how it ends";
            }
            if (ShipLock.held(artifact.path())) {
                watchForeign(name);
                return name + " is being shipped now by another process; a ship.succeeded notification tells when it "
                        + "arrives, and if that process ends without shipping it, this JVM tries (ship.failed if it "
                        + "cannot)";
            }
        }
        List<Long> pids = start(List.of(artifact));
        if (pids.isEmpty()) {
            throw new IllegalStateException("Cannot ship " + name + ": the uploader could not be started (see the "
                    + "ship.failed notification)");
        }
        return "Shipping " + name + " to " + to + " (uploader pid " + pids.get(0) + "); a ship.succeeded or ship.failed "
                + "notification tells how it ends";
    }

    /** Starts uploaders for the files not shipped, not being shipped, complete; one per JVM that made them. */
    private List<Long> start(List<Artifact> files) {
        OomPolicy p = policy.get();
        List<Long> pids = new ArrayList<>();
        if (p.ship().isEmpty() || closed) {
            return pids;
        }
        Map<ArtifactStore.Maker, List<Artifact>> byMaker = new LinkedHashMap<>();
        synchronized (this) {
            for (Artifact file : files) {
                String name = file.path().getFileName().toString();
                if (!file.isComplete() || file.shipped() || running.contains(name)) {
                    continue;
                }
                if (ShipLock.held(file.path())) {
                    watchForeign(name); // an uploader of an earlier JVM, a sidecar, a one-shot command
                    continue;
                }
                byMaker.computeIfAbsent(makerOf(file), m -> new ArrayList<>()).add(file);
                running.add(name);
            }
        }
        for (Map.Entry<ArtifactStore.Maker, List<Artifact>> group : byMaker.entrySet()) {
            launch(p, group.getKey(), group.getValue()).ifPresent(pids::add);
        }
        return pids;
    }

    /**
     * Watches a file another process is shipping, every {@link #FOREIGN_CHECK_MILLIS} ms: when that process lets go of
     * it, a shipment it recorded is told ({@link #observe}) and a file it did not ship is asked for again here, so the
     * file's end is always told in this JVM, whoever held it. Called holding this.
     */
    private void watchForeign(String name) {
        if (!foreign.add(name)) {
            return;
        }
        try {
            thread.schedule(() -> checkForeign(name), FOREIGN_CHECK_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            foreign.remove(name); // closed
        }
    }

    static final long FOREIGN_CHECK_MILLIS = 2_000;

    private void checkForeign(String name) {
        Optional<Artifact> file;
        try {
            store.refresh();
            file = store.find(name);
        } catch (RuntimeException e) {
            file = Optional.empty();
        }
        if (file.isPresent() && ShipLock.held(file.get().path())) {
            try {
                thread.schedule(() -> checkForeign(name), FOREIGN_CHECK_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RuntimeException e) {
                synchronized (this) {
                    foreign.remove(name); // closed
                }
            }
            return;
        }
        synchronized (this) {
            foreign.remove(name);
        }
        observe(store.list());
        if (file.isPresent() && !file.get().shipped()) {
            request(List.of(name));
        }
    }

    /** The JVM a file's key names: the one that made it; for a report, the one that made its dump. */
    private ArtifactStore.Maker makerOf(Artifact file) {
        String name = (file.kind() == ArtifactKind.HEAP_REPORT ? dumpOf(file).orElse(file) : file).path().getFileName()
                .toString();
        return store.maker(name).orElseGet(() -> new ArtifactStore.Maker(ProcessHandle.current().pid(),
                ProcessHandle.current().info().startInstant().map(java.time.Instant::toEpochMilli)
                        .orElseGet(System::currentTimeMillis)));
    }

    /** The listed heap dump a report belongs to. */
    private Optional<Artifact> dumpOf(Artifact report) {
        String name = report.path().getFileName().toString();
        String base = name.substring(0, name.length() - report.kind().extensionOf(name).length());
        return store.find(base + ArtifactKind.OOM_DUMP.extension())
                .or(() -> store.find(base + ArtifactKind.GZIP_HPROF))
                .filter(a -> a.kind().isHeapDump());
    }

    private Optional<Long> launch(OomPolicy p, ArtifactStore.Maker maker, List<Artifact> files) {
        Path log = UploaderProcess.log(store.directory(), launches.incrementAndGet());
        try {
            ProcessBuilder builder = new ProcessBuilder(UploaderProcess.command(p, maker, files)).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            UploaderProcess.clean(builder.environment());
            Process process = builder.start();
            process.onExit().thenRunAsync(() -> ended(process, files, log, p.ship()), thread);
            return Optional.of(process.pid());
        } catch (IOException | RuntimeException e) {
            ended(null, files, log, p.ship());
            failed(files, p.ship(), "the uploader could not be started: " + e.getMessage(), Map.of());
            return Optional.empty();
        }
    }

    /** An uploader ended: the files it did not ship are told as failed, with its words, and retried later. */
    private void ended(Process process, List<Artifact> files, Path log, String to) {
        synchronized (this) {
            for (Artifact file : files) {
                running.remove(file.path().getFileName().toString());
            }
        }
        if (process == null) {
            Daemons.quietly(() -> UploaderProcess.deleteQuietly(log));
            return;
        }
        List<String> lines = UploaderProcess.readLines(log);
        Daemons.quietly(store::refresh);
        observe(store.list());
        List<Artifact> notShipped = new ArrayList<>();
        Map<String, String> reasons = new HashMap<>();
        for (Artifact file : files) {
            Optional<Artifact> now = store.find(file.path().getFileName().toString());
            if (now.isPresent() && !now.get().shipped() && !ShipLock.held(file.path())) {
                notShipped.add(now.get());
                reasons.put(now.get().path().toString(), UploaderProcess.reason(lines, now.get().path().toString()));
            }
        }
        if (notShipped.isEmpty()) {
            UploaderProcess.deleteQuietly(log);
            return;
        }
        try {
            Files.move(log, log.resolveSibling(UploaderProcess.FAILED_LOG), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            UploaderProcess.deleteQuietly(log);
        }
        failed(notShipped, to, "the uploader ended with exit code " + process.exitValue(), reasons);
    }

    private void failed(List<Artifact> files, String to, String general, Map<String, String> reasons) {
        for (Artifact file : files) {
            String name = file.path().getFileName().toString();
            String reason = reasons.getOrDefault(file.path().toString(), general);
            long retry;
            synchronized (this) {
                retry = backoff.merge(name, FIRST_RETRY_SECONDS, (a, b) -> Math.min(MAX_RETRY_SECONDS, a * 2));
            }
            String message = "Not shipped " + file.path() + " to " + to + ": " + reason + "; the file stays, "
                    + "tried again in " + retry + " s, at the next start, or with shipArtifact";
            events.emitQuietly(OomEvent.SHIP_FAILED, message, OomEvents.map("path", file.path().toString(), "kind",
                    file.kind().name(), "to", to, "error", reason, "retrySeconds", Long.toString(retry)));
            try {
                thread.schedule(() -> {
                    synchronized (this) {
                        if (!backoff.containsKey(name)) {
                            return; // shipped on request meanwhile
                        }
                    }
                    request(List.of(name));
                }, retry, TimeUnit.SECONDS);
            } catch (RuntimeException e) {
                // closed
            }
        }
    }

    /**
     * Tells of every file whose shipment record is new since the last look ({@link OomEvent#SHIP_SUCCEEDED}),
     * whoever uploaded it. The first look only learns what was shipped before.
     */
    public synchronized void observe(List<Artifact> listing) {
        Map<String, String> now = new HashMap<>();
        for (Artifact artifact : listing) {
            String name = artifact.path().getFileName().toString();
            now.put(name, artifact.shippedTo());
            if (seen != null && artifact.shipped() && !artifact.shippedTo().equals(seen.get(name))) {
                backoff.remove(name);
                events.emitQuietly(OomEvent.SHIP_SUCCEEDED, "Shipped " + artifact.path() + " to " + artifact.shippedTo(),
                        OomEvents.map("path", artifact.path().toString(), "kind", artifact.kind().name(), "bytes",
                                Long.toString(artifact.bytes()), "url", artifact.shippedTo()));
            }
        }
        seen = now;
    }

    /** Stops the ship thread; uploaders running go on and record what they ship. */
    @Override
    public void close() {
        closed = true;
        thread.shutdown();
    }
}
