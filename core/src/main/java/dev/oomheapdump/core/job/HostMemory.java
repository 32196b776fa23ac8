package dev.oomheapdump.core.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * The memory this host can give a new process now: the container's limit less what the container uses, where
 * the process runs in a memory cgroup with a limit (v2 or v1), and never more than the machine's available
 * memory ({@code MemAvailable}). Linux only; elsewhere unknown.
 */
public final class HostMemory {

    /**
     * What was read.
     *
     * @param available bytes a new process may take, or -1 when unknown
     * @param detail    where the figure comes from, for messages
     */
    public record Reading(long available, String detail) {
    }

    private HostMemory() {
    }

    public static Reading read() {
        return read(Path.of("/"));
    }

    /** Reads under another root (tests give a fake {@code /proc} and {@code /sys/fs/cgroup}). */
    static Reading read(Path root) {
        OptionalLong machine = memAvailable(root.resolve("proc/meminfo"));
        Limit cgroup = cgroupRoom(root);
        if (cgroup != null && (machine.isEmpty() || cgroup.room < machine.getAsLong())) {
            return new Reading(Math.max(0, cgroup.room), "container limit " + mib(cgroup.limit) + ", in use "
                    + mib(cgroup.usage));
        }
        if (machine.isPresent()) {
            return new Reading(machine.getAsLong(), "available memory of the machine");
        }
        return new Reading(-1, "unknown (no /proc/meminfo)");
    }

    private record Limit(long limit, long usage, long room) {
    }

    static OptionalLong memAvailable(Path meminfo) {
        try {
            for (String line : Files.readAllLines(meminfo)) {
                if (line.startsWith("MemAvailable:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return OptionalLong.empty();
    }

    /** The container's room, or null when there is no limit. */
    private static Limit cgroupRoom(Path root) {
        try {
            for (String line : Files.readAllLines(root.resolve("proc/self/cgroup"))) {
                String[] fields = line.split(":", 3);
                if (fields.length < 3) {
                    continue;
                }
                String path = fields[2].startsWith("/") ? fields[2].substring(1) : fields[2];
                if (fields[1].isEmpty()) {
                    Limit v2 = limit(root.resolve("sys/fs/cgroup").resolve(path), "memory.max", "memory.current");
                    if (v2 != null) {
                        return v2;
                    }
                } else if (List.of(fields[1].split(",")).contains("memory")) {
                    Limit v1 = limit(root.resolve("sys/fs/cgroup/memory").resolve(path), "memory.limit_in_bytes",
                            "memory.usage_in_bytes");
                    if (v1 != null) {
                        return v1;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // no cgroup information: the machine's figure stands
        }
        return null;
    }

    private static Limit limit(Path dir, String limitFile, String usageFile) throws IOException {
        Path limitPath = dir.resolve(limitFile);
        Path usagePath = dir.resolve(usageFile);
        if (!Files.isReadable(limitPath) || !Files.isReadable(usagePath)) {
            return null;
        }
        String text = Files.readString(limitPath).trim();
        if (text.equals("max")) {
            return null;
        }
        long limit = Long.parseLong(text);
        if (limit >= Long.MAX_VALUE / 2) {
            return null; // cgroup v1 writes a huge number for "no limit"
        }
        long usage = Long.parseLong(Files.readString(usagePath).trim());
        return new Limit(limit, usage, limit - usage);
    }

    static String mib(long bytes) {
        return (bytes >> 20) + " MiB";
    }
}
