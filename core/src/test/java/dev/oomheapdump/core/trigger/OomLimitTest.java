package dev.oomheapdump.core.trigger;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OomLimitTest {

    @Test
    void slotsAreNumberedAndEndAtTheLimit() {
        OomLimit limit = new OomLimit();
        assertEquals(1, limit.tryTake(2));
        assertTrue(limit.hasRoom(2));
        assertEquals(2, limit.tryTake(2));
        assertFalse(limit.hasRoom(2));
        assertEquals(0, limit.tryTake(2));
        assertEquals(2, limit.count());
        assertEquals(3, limit.tryTake(5), "a raised limit gives more room");
    }

    @Test
    void anUnaskedDumpCountsAndTakesRoom() {
        OomLimit limit = new OomLimit();
        limit.countUnasked();
        assertEquals(2, limit.tryTake(2));
        assertEquals(0, limit.tryTake(2));
    }

    @Test
    void manyThreadsRacingNeverTakeMoreThanTheLimit() throws Exception {
        OomLimit limit = new OomLimit();
        AtomicInteger taken = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 1000; i++) {
                    if (limit.tryTake(3) > 0) {
                        taken.incrementAndGet();
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        go.countDown();
        for (Thread thread : threads) {
            thread.join(10_000);
        }
        assertEquals(3, taken.get());
        assertEquals(3, limit.count());
    }
}
