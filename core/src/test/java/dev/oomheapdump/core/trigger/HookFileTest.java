package dev.oomheapdump.core.trigger;

import dev.oomheapdump.core.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HookFileTest {

    @TempDir
    Path dir;

    @Test
    void aGrowingFileIsWalkedOnlyOnceItHoldsStill() throws Exception {
        byte[] dump = Files.readAllBytes(Fixtures.heapDump());
        Path file = dir.resolve("hook.hprof");
        Files.write(file, new byte[0]);
        CompletableFuture<Integer> walks = CompletableFuture.supplyAsync(() -> {
            try {
                return HookFile.awaitWhole(file, () -> false, Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        // the "JVM" writes in ten steps, each landing before the next look
        int step = dump.length / 10 + 1;
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.APPEND)) {
            for (int at = 0; at < dump.length; at += step) {
                out.write(dump, at, Math.min(step, dump.length - at));
                out.flush();
                Thread.sleep(HookFile.LOOK_MS / 2);
            }
        }
        int count = walks.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(count <= 2, "walked " + count + " times while it grew in ten steps");
        assertEquals(dump.length, Files.size(file));
    }

    @Test
    void aFileThatStopsShortIsGivenUpAfterTheStall() throws Exception {
        Path file = Fixtures.truncatedCopy(Fixtures.heapDump(), 5000, dir.resolve("cut.hprof"));
        long start = System.nanoTime();
        int count = HookFile.awaitWhole(file, () -> false, Duration.ofMillis(600));
        assertEquals(1, count, "a file that holds still is walked once, not on every look");
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(600).toNanos());
    }

    @Test
    void aDumpHasBegunOnceItsFileOrAJdk22SegmentExists() throws Exception {
        Path file = dir.resolve("hook.hprof");
        assertTrue(!HookFile.started(file));
        Files.write(dir.resolve("hook.hprof.p0"), new byte[]{1, 2, 3});
        assertTrue(HookFile.started(file), "JDK 22+ writes segments before it merges them into the file");
        Files.write(dir.resolve("other.hprof.p0"), new byte[]{1});
        assertTrue(!HookFile.started(dir.resolve("other-2.hprof")), "another dump's segments do not count");
    }
}
