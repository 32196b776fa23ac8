package dev.oomheapdump.core.trigger;

/**
 * When a reading of one source (the heap, direct memory, process memory) makes a dump of the OOM policy.
 *
 * <p>The first dump of a source comes when its use reaches {@code threshold} % of its maximum. Each next one
 * waits until the use has grown half way from the previous trigger to the maximum (70 → 85 → 92.5 %), so that
 * {@code limit} dumps spread towards the OOM instead of being spent on the same heap in three consecutive
 * collections. A pure function: no clock, no JVM.
 */
public final class Escalation {

    private Escalation() {
    }

    /**
     * The use at which the next dump of a source comes.
     *
     * @param max         the source's maximum, in bytes (positive)
     * @param threshold   the policy's threshold, 1–99 %
     * @param lastTrigger the use that triggered the source's previous dump, or -1 when there was none
     */
    public static long nextTrigger(long max, int threshold, long lastTrigger) {
        long first = firstTrigger(max, threshold);
        if (lastTrigger < 0) {
            return first;
        }
        return Math.max(first, lastTrigger + (max - lastTrigger) / 2);
    }

    /** True when {@code used} makes a dump now. */
    public static boolean triggers(long used, long max, int threshold, long lastTrigger) {
        return max > 0 && used >= nextTrigger(max, threshold, lastTrigger);
    }

    /** {@code threshold} % of {@code max}, rounded up, without overflow for any heap size. */
    static long firstTrigger(long max, int threshold) {
        return max / 100 * threshold + (max % 100 * threshold + 99) / 100;
    }
}
