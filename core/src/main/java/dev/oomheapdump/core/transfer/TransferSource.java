package dev.oomheapdump.core.transfer;

import java.io.IOException;

/**
 * One file that a {@link Fetch} reads: on a JVM's host, behind whatever transport. Implementations must allow
 * {@link #read} from several threads at once.
 */
public interface TransferSource {

    /**
     * The file as it is now.
     *
     * @throws IllegalArgumentException when the file is not there (not listed)
     * @throws IOException              when the source cannot be reached
     */
    SourceFile describe() throws IOException;

    /**
     * Up to {@code length} bytes from {@code offset}; fewer only at the end of the file.
     *
     * @throws IllegalStateException when the file is no longer complete or no longer the same file
     * @throws IOException           when the source cannot be reached
     */
    byte[] read(long offset, int length) throws IOException;

    /**
     * The SHA-256 of the whole file, lowercase hex, computed where the file is.
     *
     * @throws UnsupportedOperationException when the source cannot compute it (the fetch is then not verified)
     * @throws IOException                   when the source cannot be reached
     */
    String sha256() throws IOException;

    /** The largest {@link #read} the source serves. */
    int maxRead();
}
