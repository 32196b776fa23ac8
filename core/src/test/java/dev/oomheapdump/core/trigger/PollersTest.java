package dev.oomheapdump.core.trigger;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PollersTest {

    @Test
    void vmRssIsReadFromAProcStatusText() {
        String status = "Name:\tjava\nVmPeak:\t 9999 kB\nVmRSS:\t  123456 kB\nRssAnon:\t 1 kB\n";
        assertEquals(123456L * 1024, ProcessMemoryMonitor.vmRssBytes(status));
        assertEquals(-1, ProcessMemoryMonitor.vmRssBytes("Name:\tjava\nVmSize:\t 1 kB\n"), "no VmRSS line");
        assertEquals(-1, ProcessMemoryMonitor.vmRssBytes("VmRSS:\t kB\nVmSwap:\t 5 kB\n"), "no digits on its line");
    }

    @Test
    void thisProcessHasAResidentSizeOnLinux() {
        long rss = ProcessMemoryMonitor.residentBytes();
        assertTrue(rss > 1 << 20, "a JVM is resident with more than 1 MiB: " + rss);
    }

    @Test
    void aPollerHandsOnEveryReadableFigureAndStopsWhenClosed() {
        AtomicLong figure = new AtomicLong(-1);
        List<Long> seen = new CopyOnWriteArrayList<>();
        MemoryPoller poller = new MemoryPoller("test", "test memory", 100, figure::get, (p, used) -> {
            seen.add(used);
            return 70;
        });
        try {
            figure.set(42);
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains(42L));
            assertTrue(seen.stream().allMatch(v -> v == 42L), "unreadable figures (-1) are not handed on: " + seen);
        } finally {
            poller.close();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("oom-heapdump-test-memory")));
    }

    @Test
    void aPollerSurvivesAReaderThatFails() {
        AtomicLong calls = new AtomicLong();
        List<Long> seen = new CopyOnWriteArrayList<>();
        MemoryPoller poller = new MemoryPoller("flaky", "flaky memory", 100, () -> {
            if (calls.incrementAndGet() % 2 == 1) {
                throw new OutOfMemoryError("simulated");
            }
            return 7;
        }, (p, used) -> {
            seen.add(used);
            return 70;
        });
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() >= 2);
        } finally {
            poller.close();
        }
    }

    @Test
    void aPollerLooksTenTimesASecondOnlyPastHalfTheNextLevel() {
        AtomicLong figure = new AtomicLong(10);
        List<Long> seen = new CopyOnWriteArrayList<>();
        MemoryPoller poller = new MemoryPoller("pace", "pace memory", 1000, figure::get, (p, used) -> {
            seen.add(used);
            return 700; // the next dump at 700: the fast pace from 350 on
        });
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains(10L));
            assertTrue(!poller.near(), "far below the level: the slow pace");
            figure.set(400);
            await().atMost(Duration.ofSeconds(5)).until(poller::near);
            int before = seen.size();
            await().atMost(Duration.ofSeconds(2)).until(() -> seen.size() >= before + 5);
        } finally {
            poller.close();
        }
    }
}
