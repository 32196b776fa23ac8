package dev.oomheapdump.core.store;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Never two uploaders for one file at once: whoever uploads a file (the agent's uploader process, the {@code ship}
 * command, a sidecar) holds its lock for the whole upload, and the agent starts no uploader for a file whose lock is
 * held. The lock is a one-byte range, at {@link #position} of the file's name, of {@value #NAME} in the file's folder
 * (an OS lock: it goes with the process that held it, however it ended). Two names may share a byte: then they are
 * uploaded one after the other, never wrongly at once. Not a range of the index itself: the index is opened and closed
 * by every read and append, and on Linux closing any descriptor of a file drops every lock the process holds on it.
 *
 * <p>The uploader's order: {@link #tryLock}, then read {@link ShipLog} again (another process may have shipped the
 * file meanwhile), upload, append the record, {@link #close}.
 *
 * <p>One channel per lock file per process, kept open while any lock of it is held: on Linux, closing any channel
 * of a file releases every lock the process holds on it.
 */
public final class ShipLock implements Closeable {

    /** The lock file's name in the folder of the files shipped; nothing but this class opens it. */
    public static final String NAME = ".oom-heapdump-ship.lock";


    private static final Map<Path, Shared> CHANNELS = new HashMap<>();

    private record Shared(FileChannel channel, int[] users) {
    }

    private final Path lockFile;
    private final FileLock lock;
    private boolean closed;

    private ShipLock(Path lockFile, FileLock lock) {
        this.lockFile = lockFile;
        this.lock = lock;
    }

    /**
     * Takes the lock of {@code file}, or returns empty when another process (or another upload in this one) holds it.
     * A folder where the lock file cannot be made (read-only) gives a lock that guards nothing.
     */
    public static Optional<ShipLock> tryLock(Path file) throws IOException {
        Path absolute = file.toAbsolutePath().normalize();
        Path lockFile = absolute.resolveSibling(NAME);
        synchronized (CHANNELS) {
            Shared shared = CHANNELS.get(lockFile);
            if (shared == null) {
                FileChannel channel;
                try {
                    channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                } catch (IOException e) {
                    if (java.nio.file.Files.isWritable(absolute.getParent())) {
                        throw e;
                    }
                    return Optional.of(new ShipLock(null, null)); // a read-only folder: nothing to lock in
                }
                shared = new Shared(channel, new int[1]);
                CHANNELS.put(lockFile, shared);
            }
            FileLock lock;
            try {
                lock = shared.channel.tryLock(position(absolute), 1, false);
            } catch (OverlappingFileLockException e) {
                lock = null; // held by another upload in this process
            } catch (IOException | RuntimeException e) {
                release(lockFile, shared);
                throw e;
            }
            if (lock == null) {
                release(lockFile, shared);
                return Optional.empty();
            }
            shared.users[0]++;
            return Optional.of(new ShipLock(lockFile, lock));
        }
    }

    /**
     * Takes the lock of {@code file}, waiting while another process (or another upload in this one) holds it: the
     * one-shot {@code ship} command's way.
     */
    public static ShipLock lock(Path file) throws IOException, InterruptedException {
        while (true) {
            Optional<ShipLock> lock = tryLock(file);
            if (lock.isPresent()) {
                return lock.get();
            }
            Thread.sleep(WAIT_MS);
        }
    }

    /** How often {@link #lock} tries again. */
    private static final long WAIT_MS = 200;

    /** True when some process holds the lock of {@code file} now: it is being uploaded. */
    public static boolean held(Path file) {
        if (!java.nio.file.Files.exists(file.toAbsolutePath().resolveSibling(NAME))) {
            return false; // no lock file: nobody ever locked here
        }
        try {
            Optional<ShipLock> lock = tryLock(file);
            lock.ifPresent(ShipLock::close);
            return lock.isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    /** The byte of the lock file that stands for a file's name. */
    public static long position(Path file) {
        return (1L << 62) + (file.getFileName().toString().hashCode() & 0xffffffffL);
    }

    /** Closes the channel when no lock of it is held any more. Called under the CHANNELS lock. */
    private static void release(Path lockFile, Shared shared) {
        if (shared.users[0] == 0) {
            CHANNELS.remove(lockFile);
            try {
                shared.channel.close();
            } catch (IOException e) {
                // nothing held through it
            }
        }
    }

    /** Releases the lock. */
    @Override
    public void close() {
        if (lockFile == null) {
            return;
        }
        synchronized (CHANNELS) {
            if (closed) {
                return;
            }
            closed = true;
            try {
                lock.release();
            } catch (IOException e) {
                // the channel is gone: so is the lock
            }
            Shared shared = CHANNELS.get(lockFile);
            if (shared != null) {
                shared.users[0]--;
                release(lockFile, shared);
            }
        }
    }
}
