package dev.oomheapdump.core.analysis;

import java.io.IOException;

/**
 * An HPROF file that cannot be analyzed: truncated, damaged, or not an HPROF file at all.
 *
 * <p>The message names the byte offset where reading stopped and what was expected there, for example
 * {@code "the file ends at byte offset 1048576 inside an INSTANCE_DUMP sub-record (expected 24 more bytes)"}.
 * For a gzip-compressed dump the offset counts bytes of the uncompressed stream.
 */
public final class HprofFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    private final long offset;

    HprofFormatException(long offset, String message) {
        super(message);
        this.offset = offset;
    }

    /** The byte offset (in the uncompressed HPROF stream) where reading stopped. */
    public long offset() {
        return offset;
    }
}
