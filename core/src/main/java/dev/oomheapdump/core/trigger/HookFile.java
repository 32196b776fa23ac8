package dev.oomheapdump.core.trigger;

import dev.oomheapdump.core.format.HprofFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a file the JVM's hook writes in place to be whole, walking it only when it held still. */
final class HookFile {

    static final long LOOK_MS = 200;

    private HookFile() {
    }

    /**
     * Returns once the file is a complete HPROF file, or it stopped growing for {@code stall} without being
     * complete, or {@code stop} says so. One {@code stat} per look; a walk only when the size held still since
     * the previous look and was not walked at that size already.
     *
     * @return the number of walks made (for tests)
     */
    static int awaitWhole(Path file, BooleanSupplier stop, Duration stall) throws InterruptedException {
        long lastSize = -1;
        long walkedSize = -1;
        long stableSince = System.nanoTime();
        int walks = 0;
        while (!stop.getAsBoolean()) {
            long size = size(file);
            if (size != lastSize) {
                lastSize = size;
                stableSince = System.nanoTime();
            } else if (size != walkedSize) {
                walkedSize = size;
                walks++;
                if (HprofFile.check(file).complete()) {
                    return walks;
                }
            } else if (System.nanoTime() - stableSince > stall.toNanos()) {
                return walks;
            }
            Thread.sleep(LOOK_MS);
        }
        return walks;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }
}
