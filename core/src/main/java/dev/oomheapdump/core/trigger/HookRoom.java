package dev.oomheapdump.core.trigger;

import dev.oomheapdump.core.OomPolicy;
import dev.oomheapdump.core.store.DiskGuard;
import dev.oomheapdump.core.store.DumpEstimate;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Whether the dump of the JVM's own hook would fit on the disk now ({@code minFreeDisk}). The hook writes at the
 * OOM, when the heap is about full, so its dump is guessed from the maximum heap. Looked at when the policy
 * changes and every {@link #LOOK_EVERY_NANOS} from the watcher: two {@code statvfs} calls.
 */
final class HookRoom {

    static final long LOOK_EVERY_NANOS = 5_000_000_000L;

    private final DiskGuard disk;
    private final LongSupplier maxHeap;
    private final long everyNanos;
    private volatile String refusal;
    private volatile DumpEstimate estimate;
    private long lastLook = System.nanoTime();

    HookRoom(Path directory) {
        this(new DiskGuard(directory), Runtime.getRuntime()::maxMemory, LOOK_EVERY_NANOS);
    }

    HookRoom(DiskGuard disk, LongSupplier maxHeap, long everyNanos) {
        this.disk = disk;
        this.maxHeap = maxHeap;
        this.everyNanos = everyNanos;
    }

    /** True when the last look is old enough ({@link #LOOK_EVERY_NANOS}) for another. */
    synchronized boolean due() {
        return System.nanoTime() - lastLook >= everyNanos;
    }

    /**
     * Looks at the disk for the policy's dump.
     *
     * @return true when the verdict changed (it fits now and did not, or the other way round)
     */
    synchronized boolean look(OomPolicy policy) {
        lastLook = System.nanoTime();
        DumpEstimate next = DumpEstimate.ofHook(maxHeap.getAsLong(), policy.gzip());
        String now = disk.refusal(next, policy.minFreeDisk()).orElse(null);
        boolean changed = (now == null) != (refusal == null);
        refusal = now;
        estimate = next;
        return changed;
    }

    boolean fits() {
        return refusal == null;
    }

    /** Why the hook's dump would not fit, as of the last look. */
    Optional<String> refusal() {
        return Optional.ofNullable(refusal);
    }

    /** The last look's guess of the hook's dump, "about 1.2 GiB (...)". */
    String estimate() {
        DumpEstimate e = estimate;
        return e == null ? "" : e.toString();
    }
}
