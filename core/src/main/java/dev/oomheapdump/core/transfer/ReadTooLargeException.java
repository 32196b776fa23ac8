package dev.oomheapdump.core.transfer;

/**
 * A source refused a read because of its size, not its place: the JVM's heap cannot spare that many bytes at once
 * right now. A {@link Fetch} reads the same bytes again in smaller parts, one at a time.
 */
public class ReadTooLargeException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /**
     * The words by which a JVM running the agent says so (a bean throws only JDK exceptions, so a client recognizes
     * the refusal by its message).
     */
    public static final String MARKER = "cannot be read in parts of";

    public ReadTooLargeException(String message) {
        super(message);
    }
}
