package dev.oomheapdump.core.transfer;

import dev.oomheapdump.core.Daemons;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Brings one file home: resumable, verified, several reads in flight.
 *
 * <p>The output is checked before anything is read ({@link #target}). The file is asked for its SHA-256 on a thread of
 * its own at once (the source hashes while the bytes travel); {@code parallelism} reads of up to {@code chunkBytes}
 * each are in flight; a completed read is appended in order to {@code OUT.part} while a thread of its own hashes it,
 * also in order. At the end
 * the source must still be the same file and its hash the one computed here; then the part is forced to disk and
 * renamed to {@code OUT}, never over an existing file. Memory: at most {@code parallelism + 3} chunks.
 *
 * <p>When it stops early (a failure, a kill, {@link #cancel()}) the part stays with the bytes written so far, and
 * the next fetch to the same {@code OUT} continues there after checking that the file is unchanged. A part found
 * to hold something else than the file (a different size, time or id, or a hash mismatch at the end) is deleted,
 * never mixed with new bytes. A fetch that wrote nothing leaves nothing behind.
 */
public final class Fetch {

    /** Reads in flight by default: measured in {@code FetchBench} (four keep a loopback link busy on 2 cores). */
    public static final int DEFAULT_PARALLELISM = 4;
    /** Bytes per read by default: the largest the agent serves. */
    public static final int DEFAULT_CHUNK = 8 << 20;
    private static final long POLL_NANOS = 100_000_000L;
    /** The smallest read a fetch falls back to when the source's heap is short. */
    static final int SMALLEST_READ = 64 << 10;

    private final Path out;
    private final int parallelism;
    private final int chunkBytes;
    private final RateLimit rate;
    private final FetchListener listener;
    private volatile boolean cancelled;

    /**
     * @param out            the file to write, or a folder to write into under the source's file name
     * @param parallelism    reads in flight, 1 to 32
     * @param chunkBytes     bytes per read (bounded by the source's largest read)
     * @param bytesPerSecond average rate to stay under; 0 for none
     * @param listener       told of the start and of the progress
     */
    public Fetch(Path out, int parallelism, int chunkBytes, long bytesPerSecond, FetchListener listener) {
        if (parallelism < 1 || parallelism > 32) {
            throw new IllegalArgumentException("parallelism must be from 1 to 32, not " + parallelism);
        }
        if (chunkBytes < 1) {
            throw new IllegalArgumentException("chunk size must be positive, not " + chunkBytes);
        }
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("rate limit must be positive, not " + bytesPerSecond);
        }
        this.out = out.toAbsolutePath().normalize();
        this.parallelism = parallelism;
        this.chunkBytes = chunkBytes;
        this.rate = new RateLimit(bytesPerSecond);
        this.listener = listener == null ? new FetchListener() { } : listener;
    }

    /**
     * A fetch with the default parallelism, and the default chunk size where this JVM's heap has room for the parts
     * in flight in a quarter of it (a JConsole started with a small {@code -J-Xmx} gets smaller parts).
     */
    public Fetch(Path out, long bytesPerSecond, FetchListener listener) {
        this(out, DEFAULT_PARALLELISM, chunkFor(Runtime.getRuntime().maxMemory()), bytesPerSecond, listener);
    }

    /** The largest chunk up to {@link #DEFAULT_CHUNK} of which the default parts in flight fit in maxHeap / 4. */
    static int chunkFor(long maxHeap) {
        long room = maxHeap / 4 / (DEFAULT_PARALLELISM + 3);
        return (int) Math.max(SMALLEST_READ, Math.min(DEFAULT_CHUNK, Long.highestOneBit(Math.max(1, room))));
    }

    /** Stops the fetch at the next part; what was written stays for a resume. Any thread. */
    public void cancel() {
        cancelled = true;
    }

    /**
     * Where a fetch of {@code fileName} to {@code out} writes, checked before any byte travels: a folder gets the file
     * under its own name (as {@code cp} does); an existing file is never overwritten; the folder must exist.
     *
     * @param fileName the source's file name; null to check only what can be checked without it
     * @throws IllegalArgumentException naming the output and what is wrong with it
     */
    public static Path target(Path out, String fileName) {
        Path absolute = out.toAbsolutePath().normalize();
        Path target = absolute;
        if (Files.isDirectory(absolute)) {
            if (fileName == null) {
                return absolute;
            }
            target = absolute.resolve(fileName);
        }
        if (Files.isDirectory(target)) {
            throw new IllegalArgumentException("'" + target + "' is a folder; nothing is overwritten: choose another file");
        }
        if (Files.exists(target)) {
            throw new IllegalArgumentException("'" + target + "' exists; nothing is overwritten: choose another file "
                    + "or delete it first");
        }
        Path folder = target.getParent();
        if (folder == null || !Files.isDirectory(folder)) {
            throw new IllegalArgumentException("the folder of '" + target + "' does not exist" + (folder == null ? ""
                    : ": " + folder));
        }
        if (!Files.isWritable(folder)) {
            throw new IllegalArgumentException("cannot write into the folder '" + folder + "' (permission denied)");
        }
        return target;
    }

    /**
     * Runs the fetch on the calling thread.
     *
     * @return the file, complete and verified
     * @throws IllegalArgumentException on a bad output, or a file the source does not have
     * @throws IllegalStateException    when the file is not complete, changed while it was read, or does not hash to
     *                                  the source's SHA-256 (the part is deleted then)
     * @throws CancellationException    after {@link #cancel()}; the part stays for a resume
     * @throws IOException              when the source cannot be reached or the part cannot be written; the part
     *                                  stays for a resume
     */
    public FetchResult run(TransferSource source) throws IOException {
        SourceFile file = source.describe();
        if (!file.complete()) {
            throw new IllegalStateException("'" + file.fileName() + "' is " + (file.state().isEmpty() ? "not complete"
                    : file.state()) + (file.detail().isEmpty() ? "" : " (" + file.detail() + ")")
                    + ": only complete files are fetched" + ("IN_PROGRESS".equals(file.state())
                    ? "; fetch it once it is written" : ""));
        }
        Path target = target(out, file.fileName());
        PartFile part = PartFile.open(target, file);
        ExecutorService readers = Executors.newFixedThreadPool(parallelism, Daemons.factory("fetch"));
        ExecutorService hasher = Executors.newSingleThreadExecutor(Daemons.factory("fetch-sha256"));
        ExecutorService digester = Executors.newSingleThreadExecutor(Daemons.factory("fetch-digest"));
        boolean kept = true;
        try {
            long start = System.nanoTime();
            listener.started(file, target, part.resumedFrom(), part.note());
            CompletableFuture<String> remoteHash = CompletableFuture.supplyAsync(() -> askHash(source), hasher);
            MessageDigest digest = sha256();
            part.hashPrefix(digest);
            copy(source, file, part, digest, readers, digester, start);
            String local = HexFormat.of().formatHex(digest.digest());
            SourceFile now = source.describe();
            if (!now.sameFile(file)) {
                kept = false;
                part.discard();
                throw new IllegalStateException("'" + file.fileName() + "' changed while it was fetched ("
                        + file.difference(now) + "); nothing was kept: fetch it again");
            }
            String expected = awaitHash(remoteHash);
            if (expected != null && !expected.equalsIgnoreCase(local)) {
                kept = false;
                part.discard();
                throw new IllegalStateException("SHA-256 mismatch for '" + file.fileName() + "': the JVM's host says "
                        + expected + ", the bytes fetched hash to " + local + "; the file changed while it was read, or "
                        + "the bytes were damaged on the way. Nothing was kept: fetch it again");
            }
            part.finish(target);
            kept = false;
            return new FetchResult(target, file.bytes(), part.resumedFrom(), local, expected != null,
                    System.nanoTime() - start);
        } finally {
            readers.shutdownNow();
            hasher.shutdownNow();
            digester.shutdownNow();
            if (kept) {
                try {
                    part.keep();
                } catch (IOException e) {
                    // the part stays as it is; the failure that stopped the fetch is the one to report
                }
            }
        }
    }

    /** A read on its way: where, how long, and its bytes once they come. */
    private record Pending(long offset, int length, Future<byte[]> bytes) {
    }

    /**
     * Three stages at once: the readers fetch the next parts, this thread appends the oldest one, the digest thread
     * hashes it (in order: one thread, first come first served). At most two parts wait for the digest. When the
     * source refuses a part for its size (its heap cannot spare it now), that part is read again in smaller pieces
     * and the rest of the file follows one smaller read at a time.
     */
    private void copy(TransferSource source, SourceFile file, PartFile part, MessageDigest digest,
                      ExecutorService readers, ExecutorService digester, long start) throws IOException {
        int chunk = rate.chunk(Math.min(chunkBytes, source.maxRead()));
        int window = parallelism;
        long total = file.bytes();
        long next = part.resumedFrom();
        long done = next;
        Deque<Pending> inFlight = new ArrayDeque<>();
        Future<?> hashed = CompletableFuture.completedFuture(null);
        while (done < total) {
            while (inFlight.size() < window && next < total) {
                long offset = next;
                int length = (int) Math.min(chunk, total - offset);
                inFlight.add(new Pending(offset, length, readers.submit(() -> {
                    rate.acquire(length, () -> cancelled);
                    return cancelled ? new byte[0] : source.read(offset, length);
                })));
                next += length;
            }
            Pending head = inFlight.removeFirst();
            byte[] bytes;
            try {
                bytes = await(head.bytes(), done, total, part);
            } catch (ReadTooLargeException e) {
                int smaller = smaller(head.length(), e);
                bytes = readInPieces(source, head.offset(), head.length(), smaller);
                chunk = Math.min(chunk, smaller);
                window = 1;
            }
            if (bytes.length != head.length()) {
                throw new IllegalStateException("'" + file.fileName() + "' changed while it was fetched: "
                        + head.length() + " bytes were asked at byte " + done + ", " + bytes.length + " came");
            }
            byte[] written = bytes;
            Future<?> before = hashed;
            hashed = digester.submit(() -> digest.update(written));
            try {
                part.append(bytes);
            } catch (IOException e) {
                throw new IOException("cannot write '" + part.part() + "': " + e.getMessage() + "; " + kept(part)
                        + " kept there for a resume", e);
            }
            await(before, done, total, part);
            done += bytes.length;
            listener.progress(new FetchProgress(done, total, part.resumedFrom(), System.nanoTime() - start));
        }
        await(hashed, done, total, part);
    }

    /** Half the refused size, 64 KiB at least; below that the source is too short of memory to serve a fetch. */
    private static int smaller(int refused, ReadTooLargeException e) {
        if (refused <= SMALLEST_READ) {
            throw new IllegalStateException(e.getMessage() + " (even " + refused + " bytes at once are too many: "
                    + "fetch it once the JVM has more free heap)", e);
        }
        return Math.max(SMALLEST_READ, refused / 2);
    }

    /** Reads {@code length} bytes from {@code offset} one piece at a time, halving the pieces while refused. */
    private byte[] readInPieces(TransferSource source, long offset, int length, int piece) throws IOException {
        byte[] bytes = new byte[length];
        int got = 0;
        int size = piece;
        while (got < length) {
            if (cancelled) {
                throw new CancellationException("fetch cancelled at byte " + offset + "; the part keeps what came");
            }
            int n = Math.min(size, length - got);
            byte[] read;
            try {
                rate.acquire(n, () -> cancelled);
                read = source.read(offset + got, n);
            } catch (ReadTooLargeException e) {
                size = smaller(n, e);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("fetch interrupted at byte " + (offset + got));
            }
            if (read.length == 0) {
                break;
            }
            System.arraycopy(read, 0, bytes, got, Math.min(read.length, length - got));
            got += read.length;
        }
        return got == length ? bytes : java.util.Arrays.copyOf(bytes, got);
    }

    /** The next part in order, checking for a cancel while it travels. */
    private <T> T await(Future<T> read, long done, long total, PartFile part) throws IOException {
        return await(read, () -> "fetch cancelled at byte " + done + " of " + total + "; '" + part.part()
                + "' keeps them for a resume", cause -> new IOException(cause.getMessage() + "; " + kept(part)
                + " kept in '" + part.part() + "': run the same fetch again to resume", cause));
    }

    /**
     * A future's value, looking at the cancel flag every {@value #POLL_NANOS} ns; what the task threw comes back as it
     * was, an I/O failure wrapped by {@code io}.
     */
    private <T> T await(Future<T> future, Supplier<String> whenCancelled, Function<IOException, IOException> io)
            throws IOException {
        while (true) {
            if (cancelled) {
                throw new CancellationException(whenCancelled.get());
            }
            try {
                return future.get(POLL_NANOS, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // look at the cancel flag again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancelled = true;
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() instanceof UncheckedIOException ? e.getCause().getCause() : e.getCause();
                if (cause instanceof IOException) {
                    throw io.apply((IOException) cause);
                }
                if (cause instanceof RuntimeException) {
                    throw (RuntimeException) cause;
                }
                if (cause instanceof Error) {
                    throw (Error) cause;
                }
                throw new IOException(String.valueOf(cause), cause);
            }
        }
    }

    private static String kept(PartFile part) {
        try {
            return "the " + part.size() + " bytes fetched so far are";
        } catch (IOException e) {
            return "the bytes fetched so far are";
        }
    }

    private static String askHash(TransferSource source) {
        try {
            return source.sha256();
        } catch (UnsupportedOperationException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The source's hash; null when the source cannot compute one. */
    private String awaitHash(CompletableFuture<String> hash) throws IOException {
        return await(hash, () -> "fetch cancelled while the JVM's host computed the SHA-256",
                cause -> new IOException("cannot get the SHA-256 of the file from the JVM's host: " + cause.getMessage(),
                        cause));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
