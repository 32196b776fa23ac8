package dev.oomheapdump.core.job;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The memory a new process may take, read from fake {@code /proc} and {@code /sys/fs/cgroup} trees. */
class HostMemoryTest {

    @TempDir
    Path root;

    private void write(String path, String text) throws Exception {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    @Test
    void withoutACgroupLimitTheMachinesAvailableMemoryCounts() throws Exception {
        write("proc/meminfo", "MemTotal:       24000000 kB\nMemFree:         1000 kB\nMemAvailable:   8000000 kB\n");
        write("proc/self/cgroup", "0::/user.slice\n");
        write("sys/fs/cgroup/user.slice/memory.max", "max\n");
        write("sys/fs/cgroup/user.slice/memory.current", "123\n");
        HostMemory.Reading reading = HostMemory.read(root);
        assertEquals(8000000L * 1024, reading.available());
        assertTrue(reading.detail().contains("machine"), reading.detail());
    }

    @Test
    void aCgroupV2LimitLessItsUsageCountsWhenItIsTheSmaller() throws Exception {
        write("proc/meminfo", "MemAvailable:   8000000 kB\n");
        write("proc/self/cgroup", "0::/kubepods/pod1/c1\n");
        write("sys/fs/cgroup/kubepods/pod1/c1/memory.max", Long.toString(512L << 20));
        write("sys/fs/cgroup/kubepods/pod1/c1/memory.current", Long.toString(400L << 20));
        HostMemory.Reading reading = HostMemory.read(root);
        assertEquals(112L << 20, reading.available());
        assertEquals("container limit 512 MiB, in use 400 MiB", reading.detail());
    }

    @Test
    void aCgroupV1LimitCountsAndItsNoLimitNumberDoesNot() throws Exception {
        write("proc/meminfo", "MemAvailable:   8000000 kB\n");
        write("proc/self/cgroup", "12:pids:/x\n4:memory:/docker/abc\n1:name=systemd:/x\n");
        write("sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes", Long.toString(1L << 30));
        write("sys/fs/cgroup/memory/docker/abc/memory.usage_in_bytes", Long.toString(1L << 29));
        assertEquals(1L << 29, HostMemory.read(root).available());
        write("sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes", "9223372036854771712");
        assertEquals(8000000L * 1024, HostMemory.read(root).available(), "v1's huge number means no limit");
    }

    @Test
    void nothingReadableIsUnknown() {
        assertEquals(-1, HostMemory.read(root).available());
    }
}
