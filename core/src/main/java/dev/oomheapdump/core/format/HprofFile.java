package dev.oomheapdump.core.format;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Reads the record structure of an HPROF heap dump to tell a complete file from a truncated one.
 *
 * <p>The walk reads the header ({@code JAVA PROFILE 1.0.x}, identifier size, timestamp) and then only the
 * 9-byte header of each record (tag, time, length), skipping the bodies. A file is complete when the walk
 * lands exactly on the end of the file and the last record is {@code HEAP_DUMP_END}; anything else (a
 * record running past the end, a file ending inside a record header, no end marker) is truncated. A dump
 * written with {@code -XX:HeapDumpGzipLevel} is walked through gunzip.
 */
public final class HprofFile {

    static final int TAG_UTF8 = 0x01;
    static final int TAG_LOAD_CLASS = 0x02;
    static final int TAG_HEAP_DUMP = 0x0C;
    static final int TAG_HEAP_DUMP_SEGMENT = 0x1C;
    static final int TAG_HEAP_DUMP_END = 0x2C;

    private HprofFile() {
    }

    /**
     * What the walk found.
     *
     * @param complete  true when every record is there, up to the end marker
     * @param bytes     the file's size on disk
     * @param records   how many records were walked
     * @param idSize    the identifier size from the header (4 or 8), 0 when unreadable
     * @param reason    why it is not complete, empty when it is
     */
    public record Check(boolean complete, long bytes, long records, int idSize, String reason) {
    }

    /** Walks the file; never throws for a damaged file, only reports it. */
    public static Check check(Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            return new Check(false, 0, 0, 0, "cannot read: " + e);
        }
        try (Reader reader = Reader.open(file)) {
            return walk(reader, size, null);
        } catch (IOException e) {
            return new Check(false, size, 0, 0, "cannot read: " + e);
        }
    }

    /**
     * The names of the classes the dump loaded ({@code LOAD_CLASS} records), in the JVM's internal form
     * ({@code java/lang/String}). Tests use it to find a leaked class in a dump.
     *
     * @throws IOException when the file cannot be read or is not a complete HPROF file
     */
    public static Set<String> classNames(Path file) throws IOException {
        Map<Long, String> strings = new HashMap<>();
        Set<String> names = new LinkedHashSet<>();
        long size = Files.size(file);
        try (Reader reader = Reader.open(file)) {
            Check check = walk(reader, size, (tag, length, idSize, r) -> {
                if (tag == TAG_UTF8) {
                    long id = r.readId(idSize);
                    byte[] chars = r.readBytes((int) (length - idSize));
                    strings.put(id, new String(chars, StandardCharsets.UTF_8));
                    return true;
                }
                if (tag == TAG_LOAD_CLASS) {
                    r.readInt();
                    r.readId(idSize);
                    r.readInt();
                    String name = strings.get(r.readId(idSize));
                    if (name != null) {
                        names.add(name);
                    }
                    return true;
                }
                return false;
            });
            if (!check.complete()) {
                throw new IOException(file + " is not a complete HPROF file: " + check.reason());
            }
        }
        return names;
    }

    @FunctionalInterface
    interface RecordVisitor {
        /** Reads the record body and returns true, or returns false to have it skipped. */
        boolean visit(int tag, long length, int idSize, Reader reader) throws IOException;
    }

    static Check walk(Reader reader, long fileSize, RecordVisitor visitor) throws IOException {
        byte[] magic = new byte[19];
        try {
            reader.readFully(magic, 0, 13);
        } catch (EOFException e) {
            return new Check(false, fileSize, 0, 0, "shorter than an HPROF header");
        }
        String prefix = new String(magic, 0, 13, StandardCharsets.ISO_8859_1);
        if (!prefix.equals("JAVA PROFILE ")) {
            return new Check(false, fileSize, 0, 0, "not an HPROF file (no 'JAVA PROFILE' header)");
        }
        int n = 13;
        int b;
        while ((b = reader.read()) > 0) {
            if (n >= magic.length) {
                return new Check(false, fileSize, 0, 0, "not an HPROF file (header too long)");
            }
            magic[n++] = (byte) b;
        }
        if (b < 0) {
            return new Check(false, fileSize, 0, 0, "ends inside the header");
        }
        int idSize;
        try {
            idSize = reader.readInt();
            reader.readLong();
        } catch (EOFException e) {
            return new Check(false, fileSize, 0, 0, "ends inside the header");
        }
        if (idSize != 4 && idSize != 8) {
            return new Check(false, fileSize, 0, idSize, "identifier size " + idSize + " is neither 4 nor 8");
        }
        long records = 0;
        int lastTag = -1;
        boolean heapDumpSeen = false;
        while (true) {
            int tag = reader.read();
            if (tag < 0) {
                break;
            }
            long length;
            try {
                reader.readInt();
                length = Integer.toUnsignedLong(reader.readInt());
            } catch (EOFException e) {
                return new Check(false, fileSize, records, idSize,
                        "ends inside the header of record " + (records + 1) + " (tag 0x" + Integer.toHexString(tag) + ")");
            }
            boolean read = visitor != null && visitor.visit(tag, length, idSize, reader);
            if (!read && !reader.skip(length)) {
                return new Check(false, fileSize, records, idSize, "record " + (records + 1) + " (tag 0x"
                        + Integer.toHexString(tag) + ") needs " + length + " bytes but the file ends first");
            }
            records++;
            lastTag = tag;
            heapDumpSeen |= tag == TAG_HEAP_DUMP || tag == TAG_HEAP_DUMP_SEGMENT;
        }
        if (!heapDumpSeen) {
            return new Check(false, fileSize, records, idSize, "no heap dump records");
        }
        if (lastTag != TAG_HEAP_DUMP_END && lastTag != TAG_HEAP_DUMP) {
            return new Check(false, fileSize, records, idSize, "no HEAP_DUMP_END record after " + records + " records");
        }
        return new Check(true, fileSize, records, idSize, "");
    }

    /** A buffered reader over a file channel that skips by repositioning, or over gunzip when compressed. */
    abstract static class Reader implements AutoCloseable {

        static Reader open(Path file) throws IOException {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            ByteBuffer head = ByteBuffer.allocate(2);
            channel.read(head, 0);
            if (head.position() == 2 && (head.get(0) & 0xff) == 0x1f && (head.get(1) & 0xff) == 0x8b) {
                channel.close();
                return new StreamReader(new GZIPInputStream(Files.newInputStream(file), 1 << 16));
            }
            return new ChannelReader(channel);
        }

        abstract int read() throws IOException;

        abstract void readFully(byte[] b, int off, int len) throws IOException;

        /** Skips n bytes; false when the input ends first. */
        abstract boolean skip(long n) throws IOException;

        @Override
        public abstract void close() throws IOException;

        int readInt() throws IOException {
            byte[] b = readBytes(4);
            return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
        }

        long readLong() throws IOException {
            return (Integer.toUnsignedLong(readInt()) << 32) | Integer.toUnsignedLong(readInt());
        }

        long readId(int idSize) throws IOException {
            return idSize == 4 ? Integer.toUnsignedLong(readInt()) : readLong();
        }

        byte[] readBytes(int n) throws IOException {
            byte[] b = new byte[n];
            readFully(b, 0, n);
            return b;
        }
    }

    private static final class ChannelReader extends Reader {
        private final FileChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        private long position;

        ChannelReader(FileChannel channel) {
            this.channel = channel;
            buffer.flip();
        }

        private boolean fill() throws IOException {
            buffer.clear();
            int n = channel.read(buffer, position);
            buffer.flip();
            if (n > 0) {
                position += n;
            }
            return n > 0;
        }

        @Override
        int read() throws IOException {
            if (!buffer.hasRemaining() && !fill()) {
                return -1;
            }
            return buffer.get() & 0xff;
        }

        @Override
        void readFully(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (!buffer.hasRemaining() && !fill()) {
                    throw new EOFException();
                }
                int n = Math.min(len, buffer.remaining());
                buffer.get(b, off, n);
                off += n;
                len -= n;
            }
        }

        @Override
        boolean skip(long n) throws IOException {
            if (n <= buffer.remaining()) {
                buffer.position(buffer.position() + (int) n);
                return true;
            }
            long target = position + (n - buffer.remaining());
            buffer.position(buffer.limit());
            if (target > channel.size()) {
                return false;
            }
            position = target;
            return true;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    private static final class StreamReader extends Reader {
        private final InputStream in;

        StreamReader(InputStream in) {
            this.in = new BufferedInputStream(in, 1 << 16);
        }

        @Override
        int read() throws IOException {
            return in.read();
        }

        @Override
        void readFully(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int n = in.read(b, off, len);
                if (n < 0) {
                    throw new EOFException();
                }
                off += n;
                len -= n;
            }
        }

        @Override
        boolean skip(long n) throws IOException {
            while (n > 0) {
                long skipped = in.skip(n);
                if (skipped <= 0) {
                    if (in.read() < 0) {
                        return false;
                    }
                    skipped = 1;
                }
                n -= skipped;
            }
            return true;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
