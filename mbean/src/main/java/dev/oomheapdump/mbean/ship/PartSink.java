package dev.oomheapdump.mbean.ship;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Cuts a stream into parts of a fixed size and hands each full part on; memory is the caller's buffers, taken one at a
 * time from {@link Parts#take} (which blocks while every buffer is in flight: the bound on memory).
 */
final class PartSink extends OutputStream {

    /** Where full parts go. */
    interface Parts {
        /** A free buffer of the part size; blocks while all are in flight. */
        byte[] take() throws IOException;

        /** A full part (or the last one); the buffer comes back to the pool when it was sent. */
        void put(byte[] buffer, int length, boolean last) throws IOException;
    }

    private final Parts parts;
    private byte[] buffer;
    private int length;
    private long total;

    PartSink(Parts parts) {
        this.parts = parts;
    }

    long total() {
        return total;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (buffer == null) {
                buffer = parts.take();
                length = 0;
            }
            int n = Math.min(len, buffer.length - length);
            System.arraycopy(b, off, buffer, length, n);
            length += n;
            total += n;
            off += n;
            len -= n;
            if (length == buffer.length) {
                byte[] full = buffer;
                buffer = null;
                parts.put(full, full.length, false);
            }
        }
    }

    /** Hands on what is left as the last part (possibly empty). */
    void finish() throws IOException {
        if (buffer == null) {
            buffer = parts.take();
            length = 0;
        }
        byte[] last = buffer;
        buffer = null;
        parts.put(last, length, true);
    }
}
