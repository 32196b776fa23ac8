package dev.oomheapdump.core.trigger;

/**
 * The one owner of the {@code limit} rule: at most {@code limit} dumps of the OOM policy per JVM, whatever
 * made them — the JVM's hook, the GC monitor, the memory pollers, the OOM trap. Attempts count, failed ones
 * too. Thread-safe; the hook's dump is counted even when it comes late, because it was already written.
 */
public final class OomLimit {

    private int count;

    /** Dumps counted so far. */
    public synchronized int count() {
        return count;
    }

    /**
     * Takes the next slot when there is one.
     *
     * @return the attempt's number (1 for the first), or 0 when the limit is reached
     */
    public synchronized int tryTake(int limit) {
        if (count >= limit) {
            return 0;
        }
        return ++count;
    }

    /** Counts a dump that happened without asking (the JVM's hook fired while it was armed). */
    public synchronized int countUnasked() {
        return ++count;
    }

    /** True while another dump may still be made. */
    public synchronized boolean hasRoom(int limit) {
        return count < limit;
    }
}
