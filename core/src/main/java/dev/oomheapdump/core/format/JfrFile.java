package dev.oomheapdump.core.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Walks the chunks of a JFR recording: each chunk starts with {@code FLR\0}, a version and its own size.
 * A file is complete when its chunks, each with a finished size, tile the file up to its last byte.
 */
public final class JfrFile {

    private static final int HEADER_BYTES = 68;

    private JfrFile() {
    }

    /** The result of the walk; {@code reason} is empty when complete. */
    public record Check(boolean complete, long bytes, int chunks, String reason) {
    }

    public static Check check(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            long position = 0;
            int chunks = 0;
            ByteBuffer header = ByteBuffer.allocate(16);
            while (position < size) {
                header.clear();
                while (header.hasRemaining() && channel.read(header, position + header.position()) > 0) {
                    // read the 16 bytes of magic, version and chunk size
                }
                if (header.hasRemaining()) {
                    return new Check(false, size, chunks, "ends inside the header of chunk " + (chunks + 1));
                }
                header.flip();
                if (header.get() != 'F' || header.get() != 'L' || header.get() != 'R' || header.get() != 0) {
                    return new Check(false, size, chunks, "no JFR chunk magic at byte " + position);
                }
                header.getShort();
                header.getShort();
                long chunkSize = header.getLong();
                if (chunkSize < HEADER_BYTES) {
                    return new Check(false, size, chunks, "chunk " + (chunks + 1) + " was never finished");
                }
                if (position + chunkSize > size) {
                    return new Check(false, size, chunks, "chunk " + (chunks + 1) + " needs " + chunkSize
                            + " bytes but the file ends first");
                }
                position += chunkSize;
                chunks++;
            }
            if (chunks == 0) {
                return new Check(false, size, 0, "empty file");
            }
            return new Check(true, size, chunks, "");
        } catch (IOException e) {
            return new Check(false, 0, 0, "cannot read: " + e);
        }
    }
}
