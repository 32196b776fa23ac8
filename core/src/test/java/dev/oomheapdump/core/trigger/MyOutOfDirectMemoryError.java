package dev.oomheapdump.core.trigger;

/** Stands in for a library's own subclass, like Netty's {@code io.netty.util.internal.OutOfDirectMemoryError}. */
final class MyOutOfDirectMemoryError extends OutOfMemoryError {
    private static final long serialVersionUID = 1L;

    MyOutOfDirectMemoryError(String message) {
        super(message);
    }
}
