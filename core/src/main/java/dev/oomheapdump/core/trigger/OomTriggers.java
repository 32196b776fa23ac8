package dev.oomheapdump.core.trigger;

import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.ArtifactKind;
import dev.oomheapdump.core.Daemons;
import dev.oomheapdump.core.OomEvent;
import dev.oomheapdump.core.OomEvents;
import dev.oomheapdump.core.OomImplementation;
import dev.oomheapdump.core.OomPolicy;
import dev.oomheapdump.core.store.ArtifactStore;
import dev.oomheapdump.core.store.FileNames;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Decides when the OOM policy dumps: arms the JVM's own hook, runs the GC monitor and the memory pollers under
 * {@code GC_MONITORING}, takes the OOM trap's calls, and keeps every one of them within {@code limit}
 * ({@link OomLimit}). Monitor dumps run on the daemon thread {@code oom-heapdump-oom-dump}, never on the JVM's
 * notification thread; the trap's dumps run on the failing thread itself.
 */
public final class OomTriggers implements AutoCloseable {

    /** How long the attempt that takes the last slot waits for a hook dump already under way. */
    static final Duration HOOK_RACE = Duration.ofMillis(100);
    /** A hook dump whose file stopped growing for this long without becoming complete is reported as such. */
    static final Duration HOOK_STALL = Duration.ofSeconds(30);

    private final ArtifactStore store;
    private final Writer writer;
    private final NativeHookArmer armer;
    private final MonitorFactory monitors;
    private final OomEvents events;
    private final Clock clock;
    private final OomLimit limit = new OomLimit();
    private final HookRoom room;
    private final ThreadPoolExecutor dumpThread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(), Daemons.factory("oom-dump"));
    private final Object lock = new Object();

    private volatile OomPolicy policy;
    /** Guarded by lock: what watches memory while monitoring. */
    private final List<AutoCloseable> running = new ArrayList<>();
    private ArtifactStore.Reservation hookReservation;
    private volatile boolean hookFired;
    /** The hook's dump, counted but not yet reported (the watcher waits for it to be whole, then tells). */
    private final AtomicReference<ArtifactStore.Reservation> hookToReport = new AtomicReference<>();
    /** The hook's dump was reported (written or failed). */
    private volatile boolean hookReported;
    private volatile boolean closed;
    /** Guarded by lock: a monitor dump queued or running. */
    private boolean monitorDumpPending;
    /** Guarded by lock: the JVM is exiting; no new monitor dump is decided. */
    private boolean exiting;
    /** Guarded by lock: the use that triggered each source's last dump. */
    private final Map<String, Long> lastTrigger = new HashMap<>();

    /** Writes one OOM dump; never throws (see {@code job.OomDumpWriter}). A seam for tests. */
    public interface Writer {
        Optional<Artifact> write(String fileName, String reason, Map<String, String> details);
    }

    /** Starts what watches memory; a seam for tests, which feed readings by hand. */
    public interface MonitorFactory {
        List<AutoCloseable> start(OomTriggers triggers);
    }

    /** The real watches: GC notifications on the heap, and pollers of direct and process memory. */
    public static MonitorFactory jvmMonitors() {
        return triggers -> {
            List<AutoCloseable> started = new ArrayList<>();
            try {
                started.add(new HeapGate(triggers::onGc, triggers::nextHeapTrigger));
                DirectMemoryMonitor.start(triggers::onPolled).ifPresent(started::add);
                ProcessMemoryMonitor.startIfNeeded(triggers::onPolled).ifPresent(started::add);
                return started;
            } catch (RuntimeException | Error e) {
                started.forEach(c -> Daemons.quietly(() -> close(c)));
                throw e;
            }
        };
    }

    public OomTriggers(OomPolicy policy, ArtifactStore store, Writer writer, NativeHookArmer armer,
                       MonitorFactory monitors, OomEvents events, Clock clock) {
        this(policy, store, writer, armer, monitors, events, clock, new HookRoom(store.directory()));
    }

    OomTriggers(OomPolicy policy, ArtifactStore store, Writer writer, NativeHookArmer armer, MonitorFactory monitors,
                OomEvents events, Clock clock, HookRoom room) {
        this.room = room;
        this.policy = policy;
        this.store = store;
        this.writer = writer;
        this.armer = armer;
        this.monitors = monitors;
        this.events = events;
        this.clock = clock;
    }

    /** Dumps made by the OOM policy in this JVM (attempts, failed ones included). */
    public int count() {
        return limit.count();
    }

    /**
     * Applies a policy: arms or disarms the JVM's hook, starts or stops the monitors. All or nothing: when a
     * step fails, what this call started is stopped and the previous policy is applied again.
     *
     * @throws UncheckedIOException when the hook's file cannot be prepared in the directory
     */
    public void apply(OomPolicy next) {
        boolean roomChanged;
        synchronized (lock) {
            OomPolicy previous = this.policy;
            // before arming: a hook whose dump would not fit on the disk is not armed
            roomChanged = room.look(next);
            try {
                applyNow(next, previous);
            } catch (RuntimeException | Error e) {
                Daemons.quietly(() -> {
                    room.look(previous);
                    applyNow(previous, next);
                });
                throw e;
            }
        }
        if (roomChanged) {
            tellRoom(next);
        }
        rearmGates(); // the threshold may have moved
    }

    /** The heap in use, in bytes, at which the next heap dump comes (escalation included). */
    long nextHeapTrigger(long max) {
        return nextTrigger("heap", max);
    }

    /** The use of a source, in bytes, at which its next dump comes (escalation included). */
    long nextTrigger(String source, long max) {
        synchronized (lock) {
            return Escalation.nextTrigger(max, policy.threshold(), lastTrigger.getOrDefault(source, -1L));
        }
    }

    /**
     * Moves the gates' thresholds to the next level; outside the lock, since a gate calls back into it. Never
     * throws, not even an OutOfMemoryError: it runs on the dump thread right after a dump, heap full.
     */
    private void rearmGates() {
        Daemons.quietly(() -> {
            List<AutoCloseable> now;
            synchronized (lock) {
                now = List.copyOf(running);
            }
            for (AutoCloseable watch : now) {
                if (watch instanceof HeapGate) {
                    Daemons.quietly(((HeapGate) watch)::rearm);
                }
            }
        });
    }

    private void applyNow(OomPolicy next, OomPolicy previous) {
        this.policy = next;
        if (monitoring(next) && running.isEmpty()) {
            running.addAll(monitors.start(this));
            dumpThread.prestartCoreThread(); // a dump must not wait for a thread to be made
        } else if (!monitoring(next)) {
            stopMonitors();
        }
        if (!next.path().equals(previous.path()) || next.addTimestamp() != previous.addTimestamp()
                || next.gzip() != previous.gzip()) {
            disarmHook();
        }
        armHookIfWanted();
    }

    private static boolean monitoring(OomPolicy p) {
        return p.heapdumpOnOOM() && p.implementation() == OomImplementation.GC_MONITORING;
    }

    /** True while the JVM's own hook is armed by the suite (it is disarmed once it fired, or when not wanted). */
    public boolean hookArmed() {
        return armer.armed().isPresent();
    }

    /** How many watches run (0 when not monitoring). */
    public int monitorCount() {
        synchronized (lock) {
            return running.size();
        }
    }

    private void stopMonitors() {
        running.forEach(c -> Daemons.quietly(() -> close(c)));
        running.clear();
    }

    private static void close(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // best effort
        }
    }

    /**
     * The hook is armed under NATIVE_HOOK until it fires (its one dump has a slot of its own, see
     * {@link #slotsFor}), and under GC_MONITORING as the last resort while the limit has room.
     */
    private void armHookIfWanted() {
        OomPolicy p = policy;
        if (!hookWanted(p) || !room.fits()) {
            disarmHook();
            return;
        }
        if (hookReservation != null) {
            return;
        }
        try {
            ArtifactStore.Reservation reservation = store.reserve(oomDumpName(p), ArtifactKind.OOM_DUMP, true, true);
            armer.arm(reservation.finalPath(), p.gzip());
            hookReservation = reservation;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare the OOM dump in " + store.directory() + ": " + e.getMessage(), e);
        }
    }

    /** Whether the policy wants the hook armed now, whatever the disk. */
    private boolean hookWanted(OomPolicy p) {
        return p.heapdumpOnOOM() && !hookFired && !closed
                && (p.implementation() == OomImplementation.NATIVE_HOOK || limit.hasRoom(p.limit()));
    }

    /**
     * The watcher's step: every few seconds, whether the hook's dump fits on the disk; the hook is disarmed while
     * it does not, and armed again when it does.
     */
    public void checkHookRoom() {
        if (!room.due()) {
            return;
        }
        OomPolicy p;
        boolean changed;
        synchronized (lock) {
            p = policy;
            changed = room.look(p);
            if (changed) {
                armHookIfWanted();
            }
        }
        if (changed) {
            tellRoom(p);
        }
    }

    /** Says that the hook was disarmed for the disk, or armed again, when the policy wants it. */
    private void tellRoom(OomPolicy p) {
        boolean wanted;
        synchronized (lock) {
            wanted = hookWanted(p);
        }
        if (!wanted) {
            return;
        }
        Optional<String> refusal = room.refusal();
        if (refusal.isPresent()) {
            events.emitQuietly(OomEvent.HOOK_DISARMED, "the JVM's OOM hook is disarmed: its dump would not fit, "
                    + refusal.get() + "; it is armed again when it fits", OomEvents.map("directory",
                    store.directory().toString(), "error", refusal.get()));
        } else {
            events.emitQuietly(OomEvent.HOOK_ARMED, "the JVM's OOM hook is armed again: its dump fits ("
                    + room.estimate() + ")", OomEvents.map("directory", store.directory().toString()));
        }
    }

    /** Why the hook is disarmed for the disk now, or empty when it is not (or the policy does not want it). */
    public Optional<String> hookDisarmedForDisk() {
        synchronized (lock) {
            return hookWanted(policy) ? room.refusal() : Optional.empty();
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
        return p.path() + (p.addTimestamp() ? "-" + FileNames.stamp(clock.instant()) : "")
                + ArtifactKind.OOM_DUMP.extension(p.gzip());
    }

    // ---- readings ----------------------------------------------------------------------------------------

    /** Runs on the JVM's notification thread: must return at once. */
    void onGc(GcMonitor.Reading reading) {
        consider("heap", reading.usedAfter(), reading.max(), reading.receivedNanos(), () -> "heap "
                + percent(reading.usedAfter(), reading.max()) + " in use after " + reading.collector() + " ("
                + reading.cause() + "), threshold " + policy.threshold() + "%");
    }

    long onPolled(MemoryPoller poller, long used) {
        long max = poller.max();
        consider(poller.source(), used, max, System.nanoTime(), () -> poller.label() + " " + percent(used, max)
                + " in use (" + used + " of " + max + " bytes), threshold " + policy.threshold() + "%");
        return nextTrigger(poller.source(), max);
    }

    /** "72.4%": plain arithmetic, because {@code String.format} costs milliseconds on a cold path. */
    static String percent(long used, long max) {
        long tenths = Math.round(1000.0 * used / max);
        return tenths / 10 + "." + tenths % 10 + "%";
    }

    /** Decides, and hands the dump to the dump thread; counting happens there. */
    void consider(String source, long used, long max, long receivedNanos, Supplier<String> reason) {
        OomPolicy p = policy;
        if (!monitoring(p) || closed || max <= 0) {
            return;
        }
        if (!Escalation.triggers(used, max, p.threshold(), -1)) {
            return; // the common case, without a lock
        }
        synchronized (lock) {
            if (exiting || monitorDumpPending || !limit.hasRoom(p.limit())
                    || !Escalation.triggers(used, max, p.threshold(), lastTrigger.getOrDefault(source, -1L))) {
                return;
            }
            monitorDumpPending = true;
        }
        // Everything that allocates happens on the dump thread: this thread may meet the OOM at any step.
        try {
            dumpThread.execute(() -> monitorDump(source, used, max, receivedNanos, reason));
        } catch (Throwable e) {
            synchronized (lock) {
                monitorDumpPending = false;
            }
        }
    }

    private void monitorDump(String source, long used, long max, long receivedNanos, Supplier<String> describe) {
        try {
            int attempt = countAttempt(source, used);
            if (attempt == 0) {
                return;
            }
            long lagMs = (System.nanoTime() - receivedNanos) / 1_000_000;
            writer.write(oomDumpName(policy), describe.get(), OomEvents.map("usedBytes", Long.toString(used),
                    "maxBytes", Long.toString(max), "attempt", Integer.toString(attempt),
                    "queuedMillis", Long.toString(lagMs)));
        } catch (Throwable e) {
            // the writer reports its own failures; this thread must live on
        } finally {
            synchronized (lock) {
                monitorDumpPending = false;
            }
            Daemons.quietly(() -> {
                synchronized (lock) {
                    armHookIfWanted();
                }
            });
            rearmGates();
        }
    }

    /**
     * Counts the attempt, or backs out when the limit was reached meanwhile (the JVM's hook may have fired).
     * The attempt that takes the last slot disarms the hook first, retrying: the hook must not add one more.
     *
     * @return the attempt's number, or 0 to back out
     */
    private int countAttempt(String source, long used) {
        claimHookDump();
        int attempt;
        boolean lastSlot;
        synchronized (lock) {
            OomPolicy p = policy;
            if (closed) {
                return 0;
            }
            int slots = slotsFor(p);
            attempt = limit.tryTake(slots);
            if (attempt == 0) {
                return 0;
            }
            if (used >= 0) {
                lastTrigger.put(source, used);
            }
            lastSlot = p.implementation() == OomImplementation.GC_MONITORING && attempt >= slots;
        }
        ArtifactStore.Reservation disarmed = null;
        for (int tries = 0; lastSlot && tries < 100; tries++) {
            try {
                synchronized (lock) {
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
            synchronized (lock) {
                hookFired = true;
                hookToReport.set(disarmed);
            }
            return 0;
        }
        return attempt;
    }

    /**
     * The slots the suite's own dumps (monitor, pollers, trap) may take. Under GC_MONITORING all of
     * {@code limit}: the attempt that takes the last one disarms the hook. Under NATIVE_HOOK the armed hook keeps
     * one for itself: the heap OOM that kills the process, the most important dump there is, must not find the
     * limit spent by direct-memory OOMs the application caught.
     */
    private int slotsFor(OomPolicy p) {
        boolean hookKeepsOne = p.implementation() == OomImplementation.NATIVE_HOOK && hookReservation != null;
        return hookKeepsOne ? p.limit() - 1 : p.limit();
    }

    /**
     * An OOM in flight reads the hook's flag before it makes its file, in a safepoint operation that starts
     * within milliseconds: after {@link #HOOK_RACE} either its file (or on JDK 22+ its first segment, the file
     * itself comes only with the merge after the pause) exists or it never will.
     */
    private static boolean hookFiredMeanwhile(ArtifactStore.Reservation hook) {
        try {
            Thread.sleep(HOOK_RACE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return HookFile.started(hook.finalPath());
    }

    // ---- the OOM trap ------------------------------------------------------------------------------------

    /**
     * An OutOfMemoryError is being constructed on this thread (the trap's call, before the application sees
     * it): dumps the heap as it is, on this thread, within {@code limit}. Never throws.
     */
    public void onTrapped(OutOfMemoryError error) {
        try {
            OomPolicy p = policy;
            if (!p.heapdumpOnOOM() || closed) {
                return;
            }
            synchronized (lock) {
                if (exiting) {
                    return;
                }
            }
            int attempt = countAttempt("trap", -1);
            if (attempt == 0) {
                return;
            }
            try {
                writer.write(oomDumpName(p), "OutOfMemoryError: " + error.getMessage() + " ("
                        + error.getClass().getTypeName() + ", caught as it was made)", OomEvents.map(
                        "error", error.getClass().getTypeName(), "attempt", Integer.toString(attempt)));
            } finally {
                synchronized (lock) {
                    armHookIfWanted();
                }
            }
        } catch (Throwable e) {
            // never into the application's OOM
        }
    }

    // ---- the JVM's hook ----------------------------------------------------------------------------------

    /**
     * Counts the JVM's hook dump as soon as its file exists: one {@code stat}. Called by the watcher and by
     * every attempt, since GC notifications can arrive right after the OOM, before the watcher looked, and
     * must not start a dump the limit has no room for.
     */
    private void claimHookDump() {
        synchronized (lock) {
            ArtifactStore.Reservation reservation = hookReservation;
            // java.io's stat: NIO's Files.exists throws and catches an exception for a missing file, every second
            if (reservation == null || hookFired || !reservation.finalPath().toFile().exists()) {
                return;
            }
            hookFired = true;
            limit.countUnasked();
            hookReservation = null;
            hookToReport.set(reservation);
            Daemons.quietly(armer::disarm);
        }
    }

    /**
     * The watcher's step. The JVM's hook writes in place: when its file shows up, count it, wait until it
     * stops growing and is whole, and tell. The file is walked only once its size held still for a round,
     * not on every look at a growing file (with gzip, a walk is a full decompression).
     */
    public void checkHook() throws InterruptedException {
        claimHookDump();
        ArtifactStore.Reservation reservation = hookToReport.getAndSet(null);
        if (reservation == null) {
            return;
        }
        try {
            reportHook(reservation);
        } finally {
            hookReported = true;
        }
    }

    /**
     * True while the hook's dump is written or not yet reported: the JVM's exit waits for it (its dump came with
     * the OOM that ends the process, and it deserves its line and notification).
     */
    public boolean hookReportPending() {
        claimHookDump();
        return hookFired && !hookReported;
    }

    private void reportHook(ArtifactStore.Reservation reservation) throws InterruptedException {
        Path file = reservation.finalPath();
        events.emit(OomEvent.OOM_DUMP_STARTED, "The JVM ran out of memory and is writing " + file,
                OomEvents.map("path", file.toString(), "reason", "the JVM's own OOM hook (HeapDumpOnOutOfMemoryError)",
                        "attempt", Integer.toString(limit.count())));
        store.markWritingInPlace(reservation.name(), true);
        try {
            HookFile.awaitWhole(file, () -> closed, HOOK_STALL);
        } finally {
            store.markWritingInPlace(reservation.name(), false);
            store.release(reservation);
        }
        Optional<Artifact> artifact = store.find(reservation.name());
        if (artifact.isPresent() && artifact.get().isComplete()) {
            events.emit(OomEvent.OOM_DUMP_CREATED, "OOM dump written: " + file, OomEvents.artifactData(artifact.get()));
            events.emit(OomEvent.FILE_CREATED, "Created " + file, OomEvents.artifactData(artifact.get()));
        } else {
            events.emit(OomEvent.OOM_DUMP_FAILED, "The JVM's OOM dump " + file + " is not complete",
                    OomEvents.map("path", file.toString(), "error", artifact.map(Artifact::detail).orElse("missing")));
        }
    }

    // ---- the end -----------------------------------------------------------------------------------------

    /** The JVM is exiting: GC notifications still arrive, and a dump started now would be cut off by the halt. */
    public void exiting() {
        synchronized (lock) {
            exiting = true;
        }
    }

    /** True while a monitor dump is queued or running. */
    public boolean dumpPending() {
        synchronized (lock) {
            return monitorDumpPending;
        }
    }

    /** Stops the monitors, restores the JVM's hook flags, stops the dump thread. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            stopMonitors();
            disarmHook();
        }
        dumpThread.shutdownNow();
    }
}
