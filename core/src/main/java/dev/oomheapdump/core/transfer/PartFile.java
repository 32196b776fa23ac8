package dev.oomheapdump.core.transfer;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * {@code OUT.part}, the bytes fetched so far, and beside it {@code OUT.part.source}, which file they are the first
 * bytes of (path, size, time and id on the source's host). The record is written before the first byte, so a part
 * never exists without saying what it holds; a part is continued only when the record matches the file as it is
 * now. The part is locked while a fetch writes it.
 */
final class PartFile implements Closeable {

    static final String PART = ".part";
    static final String RECORD = ".part.source";

    private final Path part;
    private final Path record;
    private final FileChannel channel;
    private final FileLock lock;
    private final long resumedFrom;
    private final String note;
    private final boolean existed;

    private PartFile(Path part, Path record, FileChannel channel, FileLock lock, long resumedFrom, String note,
                     boolean existed) {
        this.part = part;
        this.record = record;
        this.channel = channel;
        this.lock = lock;
        this.resumedFrom = resumedFrom;
        this.note = note;
        this.existed = existed;
    }

    static Path partOf(Path target) {
        return target.resolveSibling(target.getFileName() + PART);
    }

    static Path recordOf(Path target) {
        return target.resolveSibling(target.getFileName() + RECORD);
    }

    /**
     * Opens and locks the part for {@code source}: continues one that holds the first bytes of this very file,
     * discards one of another file (saying why), refuses one that no record explains.
     *
     * @throws IllegalArgumentException when a part exists without a record (not ours to overwrite)
     * @throws IllegalStateException    when another fetch writes the part now
     */
    static PartFile open(Path target, SourceFile source) throws IOException {
        Path part = partOf(target);
        Path record = recordOf(target);
        boolean existed = Files.exists(part);
        Optional<SourceFile> recorded = read(record);
        if (existed && recorded.isEmpty() && Files.size(part) > 0) {
            throw new IllegalArgumentException("'" + part + "' exists and no '" + record.getFileName()
                    + "' beside it says what it holds: delete it or choose another file");
        }
        FileChannel channel = FileChannel.open(part, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE), ownerOnly(part));
        try {
            FileLock lock = lock(channel, part);
            long size = channel.size();
            long resumedFrom = 0;
            String note = "";
            if (recorded.isPresent() && size > 0) {
                SourceFile before = recorded.get();
                if (before.sameFile(source) && size <= source.bytes()) {
                    resumedFrom = size;
                    note = "resuming '" + part.getFileName() + "' at byte " + size + " of " + source.bytes()
                            + ": the file is unchanged (same size, time and id)";
                } else {
                    note = "discarded '" + part.getFileName() + "' (" + size + " bytes): it held "
                            + (before.sameFile(source) ? "more bytes than the file has"
                            : "another version of the file (" + before.difference(source) + ")");
                }
            }
            channel.truncate(resumedFrom);
            channel.position(resumedFrom);
            if (recorded.isEmpty() || !recorded.get().sameFile(source)) {
                write(record, source);
            }
            return new PartFile(part, record, channel, lock, resumedFrom, note, existed && resumedFrom > 0);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** A heap dump holds the application's secrets: the copy is its owner's only, as HotSpot makes the original. */
    private static FileAttribute<?>[] ownerOnly(Path file) {
        if (!file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[0];
        }
        return new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))};
    }

    private static FileLock lock(FileChannel channel, Path part) throws IOException {
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            throw new IllegalStateException("another fetch is writing '" + part + "' now");
        }
        return lock;
    }

    long resumedFrom() {
        return resumedFrom;
    }

    String note() {
        return note;
    }

    Path part() {
        return part;
    }

    /** Feeds the bytes already in the part (a resume) to the digest. */
    void hashPrefix(MessageDigest digest) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
        long position = 0;
        while (position < resumedFrom) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), resumedFrom - position));
            int n = channel.read(buffer, position);
            if (n < 0) {
                throw new IOException("'" + part + "' ended at byte " + position + " while it was read again");
            }
            digest.update(buffer.array(), 0, n);
            position += n;
        }
    }

    void append(byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    long size() throws IOException {
        return channel.size();
    }

    /** Makes the bytes durable and gives the part its final name; nothing existing is overwritten. */
    void finish(Path target) throws IOException {
        channel.force(true);
        close();
        moveWithoutReplacing(part, target);
        Files.deleteIfExists(record);
    }

    /** Deletes the part and its record: what they hold is of no use. */
    void discard() throws IOException {
        close();
        Files.deleteIfExists(part);
        Files.deleteIfExists(record);
    }

    /** Leaves the part for a resume, unless this fetch made it and wrote nothing into it. */
    void keep() throws IOException {
        long size = channel.isOpen() ? channel.size() : Files.size(part);
        close();
        if (size == 0 && !existed) {
            Files.deleteIfExists(part);
            Files.deleteIfExists(record);
        }
    }

    @Override
    public void close() throws IOException {
        if (channel.isOpen()) {
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }

    /** A hard link then the part's delete (fails when the target exists); a plain move where links do not work. */
    static void moveWithoutReplacing(Path from, Path to) throws IOException {
        try {
            Files.createLink(to, from);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalArgumentException("'" + to + "' appeared during the fetch; nothing is overwritten: the "
                    + "fetched file stays in '" + from + "'");
        } catch (UnsupportedOperationException | FileSystemException e) {
            try {
                Files.move(from, to);
            } catch (FileAlreadyExistsException exists) {
                throw new IllegalArgumentException("'" + to + "' appeared during the fetch; nothing is overwritten: "
                        + "the fetched file stays in '" + from + "'");
            }
            return;
        }
        Files.delete(from);
    }

    private static Optional<SourceFile> read(Path record) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(record)) {
            p.load(in);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            return Optional.of(new SourceFile(p.getProperty("path", ""), Long.parseLong(p.getProperty("bytes", "-1")),
                    Long.parseLong(p.getProperty("modifiedMillis", "-1")), p.getProperty("id", ""), "", ""));
        } catch (NumberFormatException e) {
            return Optional.of(new SourceFile("", -1, -1, "", "", "")); // damaged: matches no file
        }
    }

    private static void write(Path record, SourceFile source) throws IOException {
        Properties p = new Properties();
        p.setProperty("path", source.path());
        p.setProperty("bytes", Long.toString(source.bytes()));
        p.setProperty("modifiedMillis", Long.toString(source.modifiedMillis()));
        p.setProperty("id", source.id());
        Path temporary = record.resolveSibling(record.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(temporary)) {
            p.store(out, "oom-heapdump fetch: the file whose first bytes are in the .part beside this one");
        }
        Files.move(temporary, record, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
