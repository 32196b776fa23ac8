package dev.oomheapdump.it.app;

/**
 * A library's own OutOfMemoryError, as Netty has {@code io.netty.util.internal.OutOfDirectMemoryError}: thrown
 * by Java code, so HotSpot's hook never sees it.
 */
public final class OutOfDirectMemoryError extends OutOfMemoryError {

    private static final long serialVersionUID = 1L;

    public OutOfDirectMemoryError(String message) {
        super(message);
    }
}
