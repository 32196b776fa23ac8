package dev.oomheapdump.core.trigger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A throw-away cgroup whose {@code pids.max} bounds the threads of one child process, so "unable to create
 * native thread" can be provoked without touching the rest of the machine ({@code RLIMIT_NPROC} does not
 * bind root, and is per user, not per process). cgroup v1's pids hierarchy, or cgroup v2 where the root
 * delegates the pids controller. Needs write access to the cgroup file system; otherwise {@link #create}
 * says why not. Shared with the it-tests through core's test jar.
 */
public final class PidsCgroup implements AutoCloseable {

    private final Path dir;

    private PidsCgroup(Path dir) {
        this.dir = dir;
    }

    /** A new cgroup limited to {@code maxPids} tasks, or the reason it cannot be made here. */
    public static Result create(int maxPids) {
        Optional<Path> root = pidsRoot();
        if (root.isEmpty()) {
            return new Result(null, "no cgroup file system with the pids controller is mounted");
        }
        Path dir = root.get().resolve("oom-heapdump-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            Files.createDirectory(dir);
            Files.writeString(dir.resolve("pids.max"), Integer.toString(maxPids));
            return new Result(new PidsCgroup(dir), null);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(dir);
            } catch (IOException ignored) {
                // nothing was made
            }
            return new Result(null, "cannot make a pids cgroup under " + root.get() + ": " + e);
        }
    }

    public record Result(PidsCgroup cgroup, String whyNot) {
    }

    /** A command prefix that moves the shell into this cgroup, then execs the rest of the command line. */
    public List<String> prefix() {
        return List.of("/bin/sh", "-c", "echo $$ > \"$0\" && exec \"$@\"", dir.resolve("cgroup.procs").toString());
    }

    /** How often a fork or thread creation was refused by the limit. */
    public long refusals() throws IOException {
        Path events = dir.resolve("pids.events");
        if (!Files.exists(events)) {
            return -1;
        }
        String text = Files.readString(events).trim();   // "max 12"
        return Long.parseLong(text.substring(text.lastIndexOf(' ') + 1));
    }

    /** Removes the cgroup once its tasks are gone (the kernel refuses while a task is still exiting). */
    @Override
    public void close() throws IOException, InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (IOException busy) {
                if (attempt == 50) {
                    throw busy;
                }
                Thread.sleep(100);
            }
        }
    }

    private static Optional<Path> pidsRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                // id parent major:minor root mountpoint options - fstype source superoptions
                String[] halves = line.split(" - ", 2);
                if (halves.length < 2) {
                    continue;
                }
                Path mount = Path.of(halves[0].split(" ")[4]);
                String[] tail = halves[1].split(" ");
                if (tail[0].equals("cgroup") && tail.length > 2 && List.of(tail[2].split(",")).contains("pids")) {
                    return Optional.of(mount);
                }
                if (tail[0].equals("cgroup2") && Files.isReadable(mount.resolve("cgroup.subtree_control"))
                        && List.of(Files.readString(mount.resolve("cgroup.subtree_control")).trim().split(" "))
                        .contains("pids")) {
                    return Optional.of(mount);
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
