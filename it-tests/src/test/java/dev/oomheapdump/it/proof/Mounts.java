package dev.oomheapdump.it.proof;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Small file systems for the disk tests: a size-limited tmpfs (a disk that fills up) that can be remounted
 * read-only (a folder root cannot write to). Mounting needs root or CAP_SYS_ADMIN; callers skip with the
 * reason {@link #tmpfs} returns when it is refused.
 */
final class Mounts {

    private Mounts() {
    }

    /** True when this process runs as uid 0, which ignores permission bits: a file it creates is owned by 0. */
    static boolean isRoot() throws IOException {
        Path probe = Files.createTempFile("proof-uid-", ".txt");
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(probe, "unix:uid"));
        } catch (UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name"));
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    /**
     * Mounts a tmpfs of {@code size} (e.g. {@code 20m}) on {@code point}.
     *
     * @return null when mounted, else why not
     */
    static String tmpfs(Path point, String size) throws IOException, InterruptedException {
        if (!System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return "tmpfs needs Linux, this is " + System.getProperty("os.name");
        }
        Result result = run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", point.toString());
        return result.exitCode == 0 ? null : "'mount -t tmpfs' was refused (needs root or CAP_SYS_ADMIN): exit "
                + result.exitCode + ", " + result.output.trim();
    }

    /** What runs on a small disk: given the folder to use on it. */
    interface OnDisk {
        void run(Path dir) throws Exception;
    }

    /**
     * Runs {@code body} with a folder {@code dumps} on a fresh tmpfs of {@code size} mounted on {@code point}, and
     * unmounts it after; skips the test, saying why, where no tmpfs can be mounted.
     */
    static void onSmallDisk(Path point, String size, OnDisk body) throws Exception {
        String refused = tmpfs(point, size);
        org.junit.jupiter.api.Assumptions.assumeTrue(refused == null, () -> "no small disk: " + refused);
        try {
            body.run(point.resolve("dumps"));
        } finally {
            unmount(point);
        }
    }

    static void remount(Path point, String mode) throws IOException, InterruptedException {
        Result result = run("mount", "-o", "remount," + mode, point.toString());
        assertEquals(0, result.exitCode, "mount -o remount," + mode + " " + point + ": " + result.output);
    }

    static void unmount(Path point) throws IOException, InterruptedException {
        Result result = run("umount", point.toString());
        if (result.exitCode != 0) {
            result = run("umount", "-l", point.toString());
        }
        assertEquals(0, result.exitCode, "umount " + point + ": " + result.output);
    }

    private static final class Result {
        final int exitCode;
        final String output;

        Result(int exitCode, String output) {
            this.exitCode = exitCode;
            this.output = output;
        }
    }

    private static Result run(String... command) throws IOException, InterruptedException {
        Path output = Files.createTempFile("proof-mount-", ".txt");
        try {
            Process process;
            try {
                process = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true)
                        .redirectOutput(output.toFile()).start();
            } catch (IOException e) {
                return new Result(127, command[0] + " cannot run: " + e.getMessage());
            }
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(124, String.join(" ", command) + " did not finish within 30 s");
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
