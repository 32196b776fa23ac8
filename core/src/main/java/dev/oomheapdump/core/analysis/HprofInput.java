package dev.oomheapdump.core.analysis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.GZIPInputStream;

/**
 * A big-endian reader of an HPROF stream that knows its offset, for plain files (memory-mapped in windows of
 * {@link #WINDOW} bytes read in place, skipping by moving the window) and gzip files (detected by their magic
 * bytes, not by the name; inflated into a buffer of {@link #BUFFER} bytes).
 * Every read that runs past the end throws {@link HprofFormatException} naming the offset and what was
 * being read.
 */
final class HprofInput implements AutoCloseable {

    private static final int BUFFER = 1 << 20;
    /**
     * Bytes of a plain file mapped at once: large enough that moving the window costs nothing next to reading
     * it, small enough to add little to the resident size (a window is unmapped when the next is mapped).
     */
    static final int WINDOW = 16 << 20;

    /** The bytes from {@code position() - pos}: a mapped window of the file, or the gzip buffer. */
    ByteBuffer buf;
    /** The gzip buffer, null for a plain file. */
    private final byte[] array;
    private Mapping window;
    int pos;
    int lim;
    private long base;
    private final FileChannel channel;
    private final InputStream stream;
    private final long size;
    final boolean gzip;
    int idSize = 8;
    /** Start of the (sub-)record being read, for messages; -1 when none. */
    long recordStart = -1;
    private Counting counting;
    private long compressedSize;

    private HprofInput(FileChannel channel, InputStream stream, long size) {
        this.channel = channel;
        this.stream = stream;
        this.size = size;
        this.gzip = stream != null;
        this.array = gzip ? new byte[BUFFER] : null;
        this.buf = gzip ? ByteBuffer.wrap(array) : ByteBuffer.allocate(0);
    }

    /** A reader of {@code to - from} bytes of {@code bytes}, the first at byte offset {@code offset} of a file. */
    static HprofInput slice(ByteBuffer bytes, int from, int to, long offset) {
        HprofInput in = new HprofInput(null, null, -1);
        in.buf = bytes;
        in.pos = from;
        in.lim = to;
        in.base = offset - from;
        return in;
    }

    static HprofInput open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            ByteBuffer head = ByteBuffer.allocate(2);
            while (head.hasRemaining() && channel.read(head, head.position()) > 0) {
                // reads the first two bytes
            }
            if (head.position() == 2 && (head.get(0) & 0xff) == 0x1f && (head.get(1) & 0xff) == 0x8b) {
                channel.close();
                long compressed = Files.size(file);
                Counting counting = new Counting(Files.newInputStream(file));
                HprofInput in = new HprofInput(null, new GZIPInputStream(counting, 1 << 16), -1);
                in.counting = counting;
                in.compressedSize = compressed;
                return in;
            }
            return new HprofInput(channel, null, channel.size());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Bytes of the file on disk for a plain file, -1 for gzip (the uncompressed size is unknown). */
    long size() {
        return size;
    }

    /** How far through the file reading is, 0 to 1 (compressed bytes for gzip). */
    double fraction() {
        if (counting != null) {
            return compressedSize == 0 ? 1 : Math.min(1, counting.count / (double) compressedSize);
        }
        return size <= 0 ? 1 : Math.min(1, position() / (double) size);
    }

    long position() {
        return base + pos;
    }

    /** The most bytes {@link #available} can make available at once. */
    int capacity() {
        return gzip ? BUFFER : WINDOW;
    }

    /** Makes n bytes (n at most {@link #capacity()}) available from {@code pos}; false at the end of the input. */
    boolean available(int n) throws IOException {
        if (lim - pos >= n) {
            return true;
        }
        if (channel != null) {
            return move(n);
        }
        if (array == null) {
            return false;
        }
        if (pos > 0) {
            System.arraycopy(array, pos, array, 0, lim - pos);
            base += pos;
            lim -= pos;
            pos = 0;
        }
        while (lim < n) {
            int r = fill(lim, array.length - lim);
            if (r <= 0) {
                return false;
            }
            lim += r;
        }
        return true;
    }

    /** Maps the window that starts at the current position; false when fewer than n bytes are left. */
    private boolean move(int n) throws IOException {
        long at = base + pos;
        if (base + lim == size && lim > 0) {
            return false;
        }
        if (window != null) {
            window.close();
            window = null;
        }
        base = at;
        pos = 0;
        lim = (int) Math.min(WINDOW, size - at);
        if (lim <= 0) {
            lim = 0;
            buf = ByteBuffer.allocate(0);
            return n <= 0;
        }
        window = Mapping.map(channel, FileChannel.MapMode.READ_ONLY, at, lim);
        buf = window.buffer;
        return lim >= n;
    }

    private int fill(int off, int len) throws IOException {
        int total = 0;
        while (total < len) {
            int r;
            try {
                r = stream.read(array, off + total, len - total);
            } catch (IOException e) {
                long at = base + off + total;
                throw new HprofFormatException(at, "the gzip stream is damaged or truncated at uncompressed byte offset "
                        + at + " (" + e.getMessage() + ")");
            }
            if (r < 0) {
                break;
            }
            total += r;
            if (total >= 1 << 16) {
                break;
            }
        }
        return total == 0 ? -1 : total;
    }

    void need(int n, String what) throws IOException {
        if (!available(n)) {
            throw truncated(n, what);
        }
    }

    HprofFormatException truncated(long needed, String what) {
        long end = base + lim;
        return new HprofFormatException(end, "the " + (gzip ? "uncompressed stream" : "file") + " ends at byte offset "
                + end + " inside " + where(what) + " (expected " + (needed - (lim - pos)) + " more bytes)");
    }

    String where(String what) {
        return recordStart < 0 ? what : what + " starting at byte offset " + recordStart;
    }

    int u1(String what) throws IOException {
        need(1, what);
        return buf.get(pos++) & 0xff;
    }

    int u2(String what) throws IOException {
        need(2, what);
        int v = buf.getShort(pos) & 0xffff;
        pos += 2;
        return v;
    }

    int i4(String what) throws IOException {
        need(4, what);
        int v = buf.getInt(pos);
        pos += 4;
        return v;
    }

    long id(String what) throws IOException {
        need(idSize, what);
        long v = idSize == 8 ? buf.getLong(pos) : Integer.toUnsignedLong(buf.getInt(pos));
        pos += idSize;
        return v;
    }

    /** Reads an id already known to be in the buffer. */
    long idAt(int at) {
        return idSize == 8 ? buf.getLong(at) : Integer.toUnsignedLong(buf.getInt(at));
    }

    byte[] bytes(int n, String what) throws IOException {
        byte[] out = new byte[n];
        int done = 0;
        while (done < n) {
            int chunk = Math.min(n - done, capacity());
            need(chunk, what);
            buf.get(pos, out, done, chunk);
            pos += chunk;
            done += chunk;
        }
        return out;
    }

    void skip(long n, String what) throws IOException {
        if (lim - pos >= n) {
            pos += (int) n;
            return;
        }
        if (channel != null) {
            long target = base + pos + n;
            if (target > size) {
                throw new HprofFormatException(size, "the file ends at byte offset " + size + " inside " + where(what)
                        + " (expected " + (target - size) + " more bytes)");
            }
            base = target;
            pos = 0;
            lim = 0;
            return;
        }
        long left = n;
        while (left > 0) {
            int chunk = (int) Math.min(left, capacity());
            need(chunk, what);
            pos += chunk;
            left -= chunk;
        }
    }

    static int getInt(byte[] b, int i) {
        return ((b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
    }

    static long getLong(byte[] b, int i) {
        return ((long) getInt(b, i) << 32) | Integer.toUnsignedLong(getInt(b, i + 4));
    }

    private static final class Counting extends java.io.FilterInputStream {
        long count;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            if (window != null) {
                window.close();
                window = null;
            }
            buf = ByteBuffer.allocate(0);
            channel.close();
        } else if (stream != null) {
            stream.close();
        }
    }
}
