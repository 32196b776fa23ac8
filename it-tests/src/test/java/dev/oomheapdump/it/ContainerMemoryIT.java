package dev.oomheapdump.it;

import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.ArtifactKind;
import dev.oomheapdump.core.store.ArtifactStore;
import dev.oomheapdump.core.format.HprofFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JVM whose -Xmx (1 GiB) is larger than its container's memory limit (256 MiB) is killed by the kernel
 * long before its heap nears its maximum: no OutOfMemoryError, no hook. GC_MONITORING must still leave a
 * complete dump before the kill. Needs root and a writable memory cgroup (v1 or v2); skipped otherwise,
 * saying why.
 */
@ExtendWith(ChildOutputOnFailure.class)
class ContainerMemoryIT {

    static final long LIMIT = 256L << 20;

    @TempDir
    Path dir;

    private Path cgroup;

    @AfterEach
    void removeCgroup() throws IOException {
        if (cgroup != null && Files.isDirectory(cgroup)) {
            Files.delete(cgroup);
        }
    }

    @Test
    void gcMonitoringDumpsBeforeTheKernelKillsTheProcess() throws Exception {
        cgroup = makeCgroup();
        Path procs = cgroup.resolve("cgroup.procs");
        long pid;
        try (ChildJvm child = ChildJvm.builder().heap("1g").agent("OOMImplementation=GC_MONITORING").noPort()
                .directory(dir).commandPrefix("sh", "-c", "echo $$ > " + procs + " && exec \"$@\"", "sh")
                .args("heap", "64", "20").start()) {
            pid = child.pid();
            int exit = child.awaitExit(Duration.ofSeconds(120));
            assertEquals(137, exit, "the kernel killed the child (SIGKILL), no OutOfMemoryError:\n" + child.output());
            assertFalse(child.lines().stream().anyMatch(l -> l.startsWith("OOM ")), "the JVM never saw an OutOfMemoryError");
        }
        // The next run's look at the directory comes first: it renames a dump that was complete when the kill
        // came between its last byte and its rename, as the next JVM on this directory would.
        List<Artifact> listed = new ArtifactStore(dir).list();
        List<Path> complete = NativeHookOomIT.hprofFiles(dir).stream().filter(NativeHookOomIT::isComplete)
                .collect(Collectors.toList());
        assertFalse(complete.isEmpty(), "a complete dump was written before the kill: " + ChildJvm.files(dir));
        for (Path dump : complete) {
            assertTrue(HprofFile.classNames(dump).contains("dev/oomheapdump/it/app/LeakedBlob"), dump + " holds the leak");
        }
        // A dump the kill cut short is never listed as good.
        for (Artifact a : listed) {
            assertEquals(ArtifactKind.OOM_DUMP, a.kind());
            assertEquals(a.isComplete(), complete.contains(a.path()), a.toString());
            assertTrue(a.path().getFileName().toString().startsWith("OoM-pid-" + pid)
                    || a.path().getFileName().toString().startsWith(".OoM-pid-" + pid), a.toString());
        }
    }

    @Test
    void theJvmsOwnHookLeavesNothingThereWhichIsWhyTheMonitorWatchesTheProcess() throws Exception {
        cgroup = makeCgroup();
        Path procs = cgroup.resolve("cgroup.procs");
        try (ChildJvm child = ChildJvm.builder().heap("1g").agent("OOMImplementation=NATIVE_HOOK").noPort()
                .directory(dir).commandPrefix("sh", "-c", "echo $$ > " + procs + " && exec \"$@\"", "sh")
                .args("heap", "64", "20").start()) {
            assertEquals(137, child.awaitExit(Duration.ofSeconds(120)), "the kernel killed the child");
        }
        assertEquals(List.of(), NativeHookOomIT.hprofFiles(dir), "no OutOfMemoryError, so no hook dump");
    }

    /** A fresh memory cgroup limited to {@link #LIMIT}, v1 or v2, or the test is skipped with the reason. */
    private static Path makeCgroup() throws IOException {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "needs root to make a memory cgroup (running as " + System.getProperty("user.name") + ")");
        String name = "oom-heapdump-it-" + UUID.randomUUID().toString().substring(0, 8);
        Path v1 = Paths.get("/sys/fs/cgroup/memory");
        Path v2 = Paths.get("/sys/fs/cgroup");
        try {
            if (Files.isWritable(v1.resolve("memory.limit_in_bytes")) || Files.isDirectory(v1)) {
                Path group = Files.createDirectory(v1.resolve(name));
                Files.writeString(group.resolve("memory.limit_in_bytes"), Long.toString(LIMIT));
                if (Files.exists(group.resolve("memory.memsw.limit_in_bytes"))) {
                    try {
                        Files.writeString(group.resolve("memory.memsw.limit_in_bytes"), Long.toString(LIMIT));
                    } catch (IOException e) {
                        // no swap accounting: the memory limit alone applies
                    }
                }
                return group;
            }
            if (Files.exists(v2.resolve("cgroup.controllers"))
                    && Files.readString(v2.resolve("cgroup.controllers")).contains("memory")) {
                Path group = Files.createDirectory(v2.resolve(name));
                Files.writeString(group.resolve("memory.max"), Long.toString(LIMIT));
                Files.writeString(group.resolve("memory.swap.max"), "0");
                return group;
            }
        } catch (IOException e) {
            Assumptions.abort("cannot make a memory cgroup here: " + e);
        }
        Assumptions.abort("no writable memory cgroup (neither /sys/fs/cgroup/memory nor cgroup v2 with the memory controller)");
        return null;
    }
}
