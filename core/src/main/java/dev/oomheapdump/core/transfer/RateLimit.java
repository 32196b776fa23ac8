package dev.oomheapdump.core.transfer;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Paces reads to an average rate (curl's {@code --limit-rate}): every read gets a slot after the bytes granted before
 * it, shared by all reading threads. Unlimited when the rate is 0.
 */
final class RateLimit {

    private final long bytesPerSecond;
    private long nextNanos = System.nanoTime();

    RateLimit(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    boolean limited() {
        return bytesPerSecond > 0;
    }

    /** Waits for the slot of {@code bytes} bytes; returns early when {@code stop} says so. */
    void acquire(long bytes, BooleanSupplier stop) throws InterruptedException {
        if (!limited()) {
            return;
        }
        long start;
        synchronized (this) {
            long now = System.nanoTime();
            nextNanos = Math.max(nextNanos, now);
            start = nextNanos;
            nextNanos += (long) (bytes * 1e9 / bytesPerSecond);
        }
        long wait;
        while ((wait = start - System.nanoTime()) > 0 && !stop.getAsBoolean()) {
            TimeUnit.NANOSECONDS.sleep(Math.min(wait, 100_000_000L));
        }
    }

    /** The read size that keeps the pacing smooth: about a quarter of a second's worth, 64 KiB at least. */
    int chunk(int largest) {
        return limited() ? (int) Math.max(64 << 10, Math.min(largest, bytesPerSecond / 4)) : largest;
    }
}
