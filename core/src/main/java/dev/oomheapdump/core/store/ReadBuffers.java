package dev.oomheapdump.core.store;

/**
 * Where a read over JMX puts its bytes. Eight MiB arrays allocated for every read of a fetch are humongous garbage to
 * G1, which collects them only at its next pause: a gigabyte fetched could leave hundreds of megabytes of them in the
 * heap and grow the process by as much. A caller that knows when the bytes it returned have been sent (a remote call
 * is sent by its own thread before that thread serves another) can hand the same array out again.
 */
public interface ReadBuffers {

    /** Always a new array: for callers that cannot know when the bytes are gone. */
    ReadBuffers NEW = new ReadBuffers() {
        @Override
        public byte[] reusable(int length) {
            return null;
        }

        @Override
        public void keep(byte[] array) {
        }
    };

    /** An array of exactly {@code length} bytes that nothing else uses now, or null: the reader allocates one. */
    byte[] reusable(int length);

    /** A new array the reader just filled: the caller may keep it to hand out again. */
    void keep(byte[] array);
}
