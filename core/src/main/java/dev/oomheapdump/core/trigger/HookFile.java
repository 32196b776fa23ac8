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
        long lastProgress = Long.MIN_VALUE;
        long walkedSize = -1;
        long stableSince = System.nanoTime();
        int walks = 0;
        while (!stop.getAsBoolean()) {
            long progress = progress(file);
            if (progress != lastProgress) {
                lastProgress = progress;
                stableSince = System.nanoTime();
            } else if (progress >= 0 && progress != walkedSize) {
                walkedSize = progress;
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

    /**
     * True once the JVM's dump to {@code file} has begun: the file, or on JDK 22+ one of the segments
     * ({@code file.p0}, {@code file.p1}...) it writes first and merges into the file after the pause.
     */
    static boolean started(Path file) {
        return file.toFile().exists() || segmentBytes(file) > 0;
    }

    /** The file's size once it exists; before, minus one minus the bytes of its segments (so growth shows). */
    private static long progress(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1 - segmentBytes(file);
        }
    }

    private static long segmentBytes(Path file) {
        String prefix = file.getFileName() + ".p";
        java.io.File[] segments = file.toAbsolutePath().getParent().toFile().listFiles(
                (dir, name) -> name.startsWith(prefix) && name.length() > prefix.length());
        long bytes = 0;
        for (java.io.File segment : segments == null ? new java.io.File[0] : segments) {
            bytes += Math.max(1, segment.length());
        }
        return bytes;
    }
}
