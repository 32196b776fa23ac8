package dev.oomheapdump.it.proof;

import dev.oomheapdump.core.format.HprofFile;
import dev.oomheapdump.core.format.JfrFile;
import dev.oomheapdump.it.ChildJvm;
import dev.oomheapdump.it.ChildOutputOnFailure;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dump directory turns hostile while the JVM runs: it cannot be written, it is replaced by a regular
 * file, it vanishes. Each time requests fail with a clear {@link IllegalStateException} (what, where and why),
 * the JVM and the bean carry on, and once the directory is back the next request works. And an OOM after the
 * directory vanished must still leave its dump, listed by the next run: HotSpot's hook does not create folders,
 * and the index that tells the suite's files from others vanished with the directory.
 */
@ExtendWith(ChildOutputOnFailure.class)
class DirectoryFaultsIT {

    @TempDir
    Path base;

    @Test
    void aDirectoryThatCannotBeWrittenGivesClearErrorsAndWorksOnceWritableAgain() throws Exception {
        // root ignores permission bits: it gets a file system remounted read-only instead of chmod 500
        boolean mounted = Mounts.isRoot();
        if (mounted) {
            String refused = Mounts.tmpfs(base, "128m");
            Assumptions.assumeTrue(refused == null, () -> "running as root, where chmod cannot make a folder "
                    + "unwritable, and " + refused);
        }
        Path dir = base.resolve("dumps");
        try {
            try (ChildJvm child = Proof.start(Proof.app().heap("64m").agent("").directory(dir))) {
                Remote remote = Proof.remote(child);
                remote.createCpuProfile("before", 50);
                Map<String, Long> files = Remote.listing(dir);
                if (mounted) {
                    Mounts.remount(base, "ro");
                } else {
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-x------"));
                }

                assertClear(Remote.failure("snapshot", () -> remote.createHeapSnapshot("blocked")), dir);
                assertClear(Remote.failure("profile", () -> remote.createCpuProfile("blocked", 50)), dir);
                assertClear(Remote.failure("delete", () -> remote.invoke("deleteCpuProfile", "before")), dir);
                assertFalse(remote.busy());
                assertTrue(child.process().isAlive());
                assertEquals(files, Remote.listing(dir), "nothing changed on disk");
                assertEquals(List.of(dir.resolve("before.jfr").toString()), remote.cpuProfiles(),
                        "the profile that could not be deleted is still listed");

                if (mounted) {
                    Mounts.remount(base, "rw");
                } else {
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                }
                assertEquals(dir.resolve("blocked.hprof").toString(), remote.createHeapSnapshot("blocked"));
                assertEquals(dir.resolve("blocked.jfr").toString(), remote.createCpuProfile("blocked", 50));
                remote.invoke("deleteCpuProfile", "before");
                assertTrue(HprofFile.check(dir.resolve("blocked.hprof")).complete());
                assertTrue(JfrFile.check(dir.resolve("blocked.jfr")).complete());
                assertEquals(Set.of("blocked.hprof", "blocked.jfr", "blocked.html"), listedNames(remote));
            }
        } finally {
            if (mounted) {
                Mounts.unmount(base);
            }
        }
    }

    @Test
    void aDirectoryReplacedByAFileGivesClearErrorsAndWorksOnceBack() throws Exception {
        Path dir = base.resolve("dumps");
        try (ChildJvm child = Proof.start(Proof.app().heap("64m").agent("").directory(dir))) {
            Remote remote = Proof.remote(child);
            remote.createCpuProfile("before", 50);
            deleteTree(dir);
            Files.writeString(dir, "a file where the dump directory was");

            Throwable snapshot = Remote.failure("snapshot", () -> remote.createHeapSnapshot("blocked"));
            Throwable profile = Remote.failure("profile", () -> remote.createCpuProfile("blocked", 50));
            assertInstanceOf(IllegalStateException.class, snapshot, snapshot.toString());
            assertInstanceOf(IllegalStateException.class, profile, profile.toString());
            assertFalse(remote.busy());
            assertTrue(child.process().isAlive());
            assertEquals("a file where the dump directory was", Files.readString(dir), "the file is left alone");

            Files.delete(dir);
            Files.createDirectory(dir);
            assertEquals(dir.resolve("back.hprof").toString(), remote.createHeapSnapshot("back"));
            assertEquals(dir.resolve("back.jfr").toString(), remote.createCpuProfile("back", 50));
            assertEquals(Set.of("back.hprof", "back.jfr", "back.html"), listedNames(remote));

            // last, so that the recovery above is proven even while the messages are not clear
            assertClear(snapshot, dir);
            assertClear(profile, dir);
        }
    }

    @Test
    void aDirectoryThatVanishesIsNotListedAnyMoreAndTheNextRequestsWork() throws Exception {
        Path dir = base.resolve("dumps");
        try (ChildJvm child = Proof.start(Proof.app().heap("64m").agent("").directory(dir))) {
            Remote remote = Proof.remote(child);
            remote.createHeapSnapshot("gone");
            remote.createCpuProfile("gone", 50);
            deleteTree(dir);

            child.await(Duration.ofSeconds(10), "the listing drops the files that vanished")
                    .until(() -> remote.artifacts().isEmpty());
            assertEquals(List.of(), remote.heapSnapshots());
            assertEquals(List.of(), remote.cpuProfiles());
            assertFalse(remote.busy());

            String profile;
            try {
                profile = remote.createCpuProfile("after", 50);
            } catch (RuntimeException e) {
                assertClear(Remote.unwrap(e), dir);
                Files.createDirectories(dir);
                profile = remote.createCpuProfile("after", 50);
            }
            assertEquals(dir.resolve("after.jfr").toString(), profile);
            assertEquals(dir.resolve("after.hprof").toString(), remote.createHeapSnapshot("after"));
            assertTrue(HprofFile.check(dir.resolve("after.hprof")).complete());
            assertTrue(JfrFile.check(dir.resolve("after.jfr")).complete());
            remote.invoke("deleteHeapSnapshot", "gone");
            assertEquals(Set.of("after.hprof", "after.jfr", "after.html"), listedNames(remote));
        }
    }

    @Test
    void anOomAfterTheDirectoryVanishedStillLeavesItsDump() throws Exception {
        Path dir = base.resolve("dumps");
        Path dump;
        try (ChildJvm child = Proof.start(Proof.app().heap("64m").agent("").noPort().directory(dir))) {
            child.awaitLine("oom-heapdump: installed", Duration.ofSeconds(30));
            dump = dir.resolve("OoM-pid-" + child.pid() + ".hprof");
            deleteTree(dir);
            child.await(Duration.ofSeconds(5), "the suite makes its directory again: the armed hook writes "
                    + dump + " and HotSpot does not create folders (the OOM dump would be lost)")
                    .until(() -> Files.isDirectory(dir));
            child.send("fill 1000");
            assertEquals(3, child.awaitExit(Duration.ofSeconds(60)), child.output());
            assertTrue(Files.exists(dump) && HprofFile.check(dump).complete(), "the OOM dump was written: "
                    + Remote.listing(dir));
        }
        // the dump of the OOM that killed the JVM is the file the next run must list first of all
        try (ChildJvm next = Proof.start(Proof.app().heap("64m").agent("").directory(dir))) {
            List<Map<String, Object>> listed = Proof.remote(next).artifacts();
            assertTrue(listed.stream().anyMatch(a -> dump.toString().equals(a.get("path"))
                    && "OOM_DUMP".equals(a.get("kind")) && "COMPLETE".equals(a.get("state"))
                    && "EARLIER_RUN".equals(a.get("origin"))), "the next run lists " + dump + ": " + listed);
        }
    }

    /**
     * An {@link IllegalStateException} that says where (the directory or a file in it) and why (words beyond
     * the paths), not just a bare path.
     */
    static void assertClear(Throwable e, Path dir) {
        assertInstanceOf(IllegalStateException.class, e, "a disk problem is an IllegalStateException: " + e);
        String message = e.getMessage();
        assertNotNull(message, "a message: " + e);
        assertTrue(message.contains(dir.toString()), "the message names the directory: " + message);
        String withoutPaths = message.replaceAll("/\\S*", " ");
        long words = Pattern.compile("[A-Za-z]{3,}").matcher(withoutPaths).results().count();
        assertTrue(words >= 2, "the message says why, not just where: '" + message + "'");
    }

    private static Set<String> listedNames(Remote remote) {
        return remote.artifacts().stream().map(a -> Path.of((String) a.get("path")).getFileName().toString())
                .collect(Collectors.toSet());
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
