package dev.oomheapdump.core.store;

import dev.oomheapdump.core.MinFreeDisk;
import dev.oomheapdump.core.OomPolicy;
import dev.oomheapdump.core.Sizes;

import java.io.File;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The option {@code minFreeDisk}: a heap dump that would leave less free space than it keeps on the directory's
 * file system is refused before anything is written. Cheap enough for a look every few seconds: two
 * {@code statvfs} calls through {@link File} (NIO's {@code FileStore} reads the mount table first).
 */
public final class DiskGuard {

    private final Path directory;
    private final LongSupplier usable;
    private final LongSupplier total;

    public DiskGuard(Path directory) {
        this(directory, () -> directory.toFile().getUsableSpace(), () -> directory.toFile().getTotalSpace());
    }

    /** A guard over numbers from elsewhere (tests give them by hand). */
    public DiskGuard(Path directory, LongSupplier usable, LongSupplier total) {
        this.directory = directory;
        this.usable = usable;
        this.total = total;
    }

    /**
     * Why a dump of this estimate may not start, or empty when it fits. Empty too when the file system cannot be
     * asked (a missing directory reads as 0 bytes in all): the write itself then says what is wrong.
     */
    public Optional<String> refusal(DumpEstimate estimate, MinFreeDisk minFreeDisk) {
        long totalBytes = total.getAsLong();
        if (totalBytes <= 0) {
            return Optional.empty();
        }
        long free = usable.getAsLong();
        long keep = minFreeDisk.bytesOf(totalBytes);
        if (free - estimate.peakBytes() >= keep) {
            return Optional.empty();
        }
        return Optional.of("it needs " + estimate + ", " + directory + " has " + Sizes.human(free) + " free and "
                + OomPolicy.MIN_FREE_DISK + "=" + minFreeDisk + " keeps " + Sizes.human(keep));
    }

    /**
     * Refuses a dump that would not fit.
     *
     * @param what the dump, for the message ("heap snapshot 'x.hprof'")
     * @throws IllegalStateException with the sizes, when it would not fit
     */
    public void check(String what, DumpEstimate estimate, MinFreeDisk minFreeDisk) {
        Optional<String> refusal = refusal(estimate, minFreeDisk);
        if (refusal.isPresent()) {
            throw new IllegalStateException(refused(what, refusal.get()));
        }
    }

    /** "The heap snapshot /d/x.hprof was refused before anything was written: it needs about ...". */
    public static String refused(String what, String refusal) {
        return "The " + what + " was refused before anything was written: " + refusal;
    }

    /** The bytes free on the directory's file system now, 0 when unknown. */
    public long freeBytes() {
        return usable.getAsLong();
    }
}
