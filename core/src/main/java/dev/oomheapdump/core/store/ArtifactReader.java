package dev.oomheapdump.core.store;

import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.ArtifactState;
import dev.oomheapdump.core.Sizes;
import dev.oomheapdump.core.transfer.ReadTooLargeException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Serves listed complete files to a fetch: offset reads (stateless, so that a fetch can read in parallel and
 * resume) and the file's SHA-256, computed once per identity of the file and cached. A file that is being
 * written, cut short, or no longer the one listed is refused with a message that says so. Every call marks the
 * file in use, so that retention leaves a file being fetched alone.
 *
 * <p>Memory stays bounded whatever the file's size: a read allocates the bytes it returns, or reuses an array the
 * caller's {@link ReadBuffers} hands out again, and nothing else on the heap (the channel reads in slices of {@value #SLICE} bytes, so the JDK's per-thread temporary direct buffer stays
 * that small); a hash reads through one buffer of the same size. Reads running together may allocate at most a
 * {@value #HEAP_SHARE}th of the heap that is free: a read that would take more is refused before it allocates
 * anything (a fetch then reads smaller parts), so that fetching a dump never runs the application out of memory. Nothing here takes a lock that another operation
 * of the bean waits for: two callers of the same hash share one computation.
 */
public final class ArtifactReader {

    /** The largest read served. */
    public static final int MAX_READ = 8 << 20;
    static final int SLICE = 1 << 20;
    /** Hashes kept; the oldest known identities are dropped beyond this. */
    static final int MAX_CACHED = 64;
    /** A long hash marks its file in use again after this many bytes. */
    private static final long HOLD_EVERY = 256L << 20;

    /** Reads together may take at most this share of the heap that is free: the application keeps the rest. */
    static final int HEAP_SHARE = 4;

    private final ArtifactStore store;
    private final Map<Path, Hash> hashes = new ConcurrentHashMap<>();
    /** The heap this JVM could still give, in bytes: its maximum less what is in use. */
    private final LongSupplier freeHeap;
    /** Bytes that reads running now allocate. */
    private final AtomicLong reading = new AtomicLong();

    /** What a cached hash is valid for: the file as it was when hashed. */
    private record Identity(long bytes, long modifiedMillis, Object fileKey) {

        static Identity of(BasicFileAttributes a) {
            return new Identity(a.size(), a.lastModifiedTime().toMillis(), a.fileKey());
        }
    }

    private record Hash(Identity identity, CompletableFuture<String> value) {
    }

    public ArtifactReader(ArtifactStore store) {
        this(store, Sizes::freeHeap);
    }

    ArtifactReader(ArtifactStore store, LongSupplier freeHeap) {
        this.store = store;
        this.freeHeap = freeHeap;
    }

    /**
     * Up to {@code length} bytes of a listed complete file from {@code offset}: fewer only at its end, none past it.
     *
     * @throws IllegalArgumentException when offset or length is out of range, the file is not listed, or was deleted
     * @throws IllegalStateException    when the file is not complete (being written, truncated) or is no longer the
     *                                  file listed (its size or time changed), or when the heap cannot spare
     *                                  {@code length} bytes now (the message says {@value ReadTooLargeException#MARKER}
     *                                  ...: smaller reads may pass)
     * @throws IOException              when the file cannot be read
     */
    public byte[] read(String requested, long offset, int length) throws IOException {
        return read(requested, offset, length, ReadBuffers.NEW);
    }

    /** As {@link #read(String, long, int)}, with the bytes in an array {@code buffers} may hand out again. */
    public byte[] read(String requested, long offset, int length, ReadBuffers buffers) throws IOException {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be 0 or more, not " + offset);
        }
        if (length < 1 || length > MAX_READ) {
            throw new IllegalArgumentException("length must be from 1 to " + MAX_READ + ", not " + length);
        }
        Artifact artifact = complete(requested);
        Path path = artifact.path();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            requireUnchanged(artifact, Identity.of(Files.readAttributes(path, BasicFileAttributes.class)));
            long size = channel.size();
            if (offset >= size) {
                return new byte[0];
            }
            int wanted = (int) Math.min(length, size - offset);
            byte[] reused = buffers.reusable(wanted);
            if (reused != null) {
                return readFully(channel, artifact, offset, reused);
            }
            long free = freeHeap.getAsLong();
            if (reading.addAndGet(wanted) > free / HEAP_SHARE) {
                reading.addAndGet(-wanted);
                throw new IllegalStateException("'" + path.getFileName() + "' " + ReadTooLargeException.MARKER + " "
                        + wanted + " bytes now: this JVM's heap has " + (Math.max(0, free) >> 20) + " MiB free, and "
                        + "reads may take a " + HEAP_SHARE + "th of that so that the application keeps the rest; read "
                        + "smaller parts");
            }
            try {
                byte[] bytes = readFully(channel, artifact, offset, new byte[wanted]);
                buffers.keep(bytes);
                return bytes;
            } finally {
                reading.addAndGet(-wanted);
            }
        } catch (NoSuchFileException e) {
            throw deleted(artifact);
        }
    }

    private static byte[] readFully(FileChannel channel, Artifact artifact, long offset, byte[] bytes) throws IOException {
        int done = 0;
        while (done < bytes.length) {
            int n = channel.read(ByteBuffer.wrap(bytes, done, Math.min(SLICE, bytes.length - done)), offset + done);
            if (n < 0) {
                throw changed(artifact, "it ends at byte " + (offset + done) + " now");
            }
            done += n;
        }
        return bytes;
    }

    /**
     * The SHA-256 of a listed complete file, lowercase hex. Computed on the caller's thread the first time (about a
     * second per GB), then answered from a cache until the file's size, time or key change. Callers that ask while
     * it is being computed wait for the same computation.
     *
     * @throws IllegalArgumentException when the file is not listed, or was deleted
     * @throws IllegalStateException    when the file is not complete, or changed while it was hashed
     * @throws IOException              when the file cannot be read
     */
    public String sha256(String requested) throws IOException {
        Artifact artifact = complete(requested);
        Path path = artifact.path();
        Identity identity;
        try {
            identity = Identity.of(Files.readAttributes(path, BasicFileAttributes.class));
        } catch (NoSuchFileException e) {
            throw deleted(artifact);
        }
        requireUnchanged(artifact, identity);
        Hash mine = new Hash(identity, new CompletableFuture<>());
        Hash known = hashes.compute(path, (p, old) -> old != null && old.identity().equals(identity)
                && !old.value().isCompletedExceptionally() ? old : mine);
        if (known == mine) {
            trim(path);
            try {
                mine.value().complete(digest(artifact, identity));
            } catch (IOException | RuntimeException e) {
                hashes.remove(path, mine);
                mine.value().completeExceptionally(e);
            }
        }
        try {
            return known.value().join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException) {
                throw (IOException) cause;
            }
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw e;
        }
    }

    /** How many hashes are cached (for tests). */
    int cachedHashes() {
        return hashes.size();
    }

    private String digest(Artifact artifact, Identity identity) throws IOException {
        MessageDigest digest = sha256Digest();
        String name = artifact.path().getFileName().toString();
        ByteBuffer buffer = ByteBuffer.allocate(SLICE);
        long sinceHold = 0;
        try (FileChannel channel = FileChannel.open(artifact.path(), StandardOpenOption.READ)) {
            int n;
            while ((n = channel.read(buffer)) >= 0) {
                digest.update(buffer.array(), 0, n);
                buffer.clear();
                sinceHold += n;
                if (sinceHold >= HOLD_EVERY) {
                    store.inUse().read(name);
                    sinceHold = 0;
                }
            }
        } catch (NoSuchFileException e) {
            throw deleted(artifact);
        }
        Identity after;
        try {
            after = Identity.of(Files.readAttributes(artifact.path(), BasicFileAttributes.class));
        } catch (NoSuchFileException e) {
            throw deleted(artifact);
        }
        if (!after.equals(identity)) {
            throw changed(artifact, "it changed while it was hashed");
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** A hash for a new file pushes out those of files no longer listed, then the oldest ones. */
    private void trim(Path keep) {
        if (hashes.size() <= MAX_CACHED) {
            return;
        }
        hashes.keySet().removeIf(p -> !p.equals(keep) && store.find(p.getFileName().toString()).isEmpty());
        hashes.entrySet().removeIf(e -> hashes.size() > MAX_CACHED && !e.getKey().equals(keep) && e.getValue().value().isDone());
    }

    static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** The listed file, if complete; marks it in use. */
    private Artifact complete(String requested) {
        Artifact artifact = store.listed(requested);
        String name = artifact.path().getFileName().toString();
        if (artifact.state() == ArtifactState.IN_PROGRESS) {
            throw new IllegalStateException("'" + name + "' is being written (IN_PROGRESS): it can be read once it is "
                    + "complete");
        }
        if (artifact.state() != ArtifactState.COMPLETE) {
            throw new IllegalStateException("'" + name + "' is " + artifact.state()
                    + (artifact.detail().isEmpty() ? "" : " (" + artifact.detail() + ")")
                    + ": only complete files are read");
        }
        store.inUse().read(name);
        return artifact;
    }

    private static void requireUnchanged(Artifact artifact, Identity now) {
        if (now.bytes() != artifact.bytes()) {
            throw changed(artifact, "listed with " + artifact.bytes() + " bytes, it has " + now.bytes() + " now");
        }
        if (now.modifiedMillis() != artifact.createdMillis()) {
            throw changed(artifact, "it was modified at " + java.time.Instant.ofEpochMilli(now.modifiedMillis()));
        }
    }

    private static IllegalStateException changed(Artifact artifact, String how) {
        return new IllegalStateException("'" + artifact.path().getFileName() + "' changed since it was listed (" + how
                + "): list the files again");
    }

    private static IllegalArgumentException deleted(Artifact artifact) {
        return new IllegalArgumentException("'" + artifact.path().getFileName() + "' was deleted");
    }
}
