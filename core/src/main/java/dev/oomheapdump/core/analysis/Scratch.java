package dev.oomheapdump.core.analysis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The temporary files of one analysis: a directory beside the dump (or in {@code java.io.tmpdir} when the
 * dump's directory is not writable, or in a directory given by the caller) holding the memory-mapped
 * per-object tables ({@link BigInts}, {@link BigLongs}).
 *
 * <p>Every file is unlinked right after it is opened where the operating system allows it (POSIX): the
 * open channel and the mappings keep the data, and nothing is left behind even when the JVM is killed.
 * Elsewhere the files are deleted on {@link #close()}, and a shutdown hook deletes what an unclosed
 * analysis left.
 */
final class Scratch implements AutoCloseable {

    private static final Set<Scratch> OPEN = Collections.synchronizedSet(new LinkedHashSet<>());

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            List<Scratch> left;
            synchronized (OPEN) {
                left = new ArrayList<>(OPEN);
            }
            left.forEach(Scratch::deleteFiles);
        }, "oom-heapdump analysis scratch cleanup"));
    }

    private final Path dir;
    private final List<FileChannel> channels = new ArrayList<>();
    private final List<Path> undeleted = new ArrayList<>();
    private final List<MappedTable> tables = new ArrayList<>();
    private int counter;
    private boolean closed;

    private Scratch(Path dir) {
        this.dir = dir;
    }

    /**
     * A new scratch directory in {@code where} when not null, else beside {@code dump} when that directory is
     * writable, else in {@code java.io.tmpdir}.
     */
    static Scratch create(Path dump, Path where) throws IOException {
        Path dir;
        if (where != null) {
            dir = Files.createTempDirectory(where, "oom-heapdump-analysis-");
        } else {
            Path parent = dump.toAbsolutePath().getParent();
            Path made = null;
            if (parent != null && Files.isWritable(parent)) {
                try {
                    made = Files.createTempDirectory(parent, ".oom-heapdump-analysis-");
                } catch (IOException | SecurityException e) {
                    made = null;
                }
            }
            dir = made != null ? made : Files.createTempDirectory("oom-heapdump-analysis-");
        }
        Scratch s = new Scratch(dir);
        OPEN.add(s);
        return s;
    }

    Path directory() {
        return dir;
    }

    /** A zero-filled int table of {@code length} entries (may grow past it). */
    synchronized BigInts ints(String name, long length) {
        BigInts t = new BigInts(open(name), length);
        tables.add(t);
        return t;
    }

    /** A zero-filled long table of {@code length} entries (may grow past it). */
    synchronized BigLongs longs(String name, long length) {
        BigLongs t = new BigLongs(open(name), length);
        tables.add(t);
        return t;
    }

    private FileChannel open(String name) {
        if (closed) {
            throw new IllegalStateException("scratch space already closed");
        }
        Path file = dir.resolve(name + "-" + (counter++) + ".bin");
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, StandardOpenOption.SPARSE);
            channels.add(ch);
            try {
                Files.delete(file);
            } catch (IOException e) {
                undeleted.add(file);
            }
            return ch;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary file in " + dir, e);
        }
    }

    /** Unmaps every table, closes and deletes every file and the directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (MappedTable t : tables) {
            t.release();
        }
        for (FileChannel ch : channels) {
            try {
                ch.close();
            } catch (IOException e) {
                // deleting follows
            }
        }
        deleteFiles();
        OPEN.remove(this);
    }

    private synchronized void deleteFiles() {
        for (Path p : undeleted) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                p.toFile().deleteOnExit();
            }
        }
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            dir.toFile().deleteOnExit();
        }
    }
}
