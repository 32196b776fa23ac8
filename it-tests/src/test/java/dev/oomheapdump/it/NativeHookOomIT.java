package dev.oomheapdump.it;

import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.ArtifactKind;
import dev.oomheapdump.core.ArtifactOrigin;
import dev.oomheapdump.core.store.ArtifactStore;
import dev.oomheapdump.core.format.HprofFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Under NATIVE_HOOK, a JVM that dies of heap OOM leaves exactly one complete dump with the leak in it. */
@ExtendWith(ChildOutputOnFailure.class)
class NativeHookOomIT {

    @TempDir
    Path dir;

    @Test
    void heapOomLeavesOneCompleteDumpWithTheLeakedClass() throws Exception {
        long pid;
        Path dump;
        try (ChildJvm child = ChildJvm.builder().heap("48m").agent("").noPort().directory(dir)
                .args("heap", "64", "0").start()) {
            pid = child.pid();
            dump = dir.resolve("OoM-pid-" + pid + ".hprof");
            assertEquals(3, child.awaitExit(Duration.ofSeconds(90)), child.output());
            assertTrue(child.lines().stream().anyMatch(l -> l.startsWith("OOM Java heap space")), child.output());
            child.awaitLineEvenIfDead("oom-heapdump: OOM dump written: ", Duration.ofSeconds(10));
            GzipDumpsIT.assertOneLinePerDump(child, List.of(dump));
            assertNoNoiseFromTheSuite(child);
        }
        assertEquals(List.of(dump), hprofFiles(dir), "exactly one .hprof, under the documented name");
        HprofFile.Check check = HprofFile.check(dump);
        assertTrue(check.complete(), check.toString());
        assertTrue(HprofFile.classNames(dump).contains("dev/oomheapdump/it/app/LeakedBlob"),
                "the leaked class is in the dump");
        assertTrue(ChildJvm.files(dir).stream().noneMatch(p -> p.getFileName().toString().contains(".inprogress")),
                "no temporary file is left");
    }

    @Test
    void aSecondRunOnTheSameDirectoryKeepsTheFirstDumpAndGetsItsOwnName() throws Exception {
        for (int run = 1; run <= 2; run++) {
            try (ChildJvm child = ChildJvm.builder().heap("32m").agent("path=service-oom").noPort().directory(dir)
                    .args("heap", "64", "0").start()) {
                assertEquals(3, child.awaitExit(Duration.ofSeconds(90)), child.output());
            }
        }
        assertEquals(List.of(dir.resolve("service-oom-2.hprof"), dir.resolve("service-oom.hprof")), hprofFiles(dir));
        for (Path dump : hprofFiles(dir)) {
            assertTrue(HprofFile.check(dump).complete(), dump + " is complete");
        }
        List<Artifact> listed = new ArtifactStore(dir).list();
        assertEquals(2, listed.size(), listed.toString());
        assertTrue(listed.stream().allMatch(a -> a.kind() == ArtifactKind.OOM_DUMP && a.isComplete()
                && a.origin() == ArtifactOrigin.EARLIER_RUN), listed.toString());
    }

    /**
     * Nothing of the suite's in the host's output during its OOM but the suite's own one-line messages: no stack
     * trace of a suite thread or through suite code, no error of JFR machinery a profile started.
     */
    static void assertNoNoiseFromTheSuite(ChildJvm child) {
        for (String line : child.lines()) {
            assertFalse(line.contains("Exception in thread \"oom-heapdump") || line.contains("at dev.oomheapdump.core")
                    || line.contains("at dev.oomheapdump.mbean") || line.contains("[jfr")
                    || line.contains("\"JFR Periodic Tasks\"")
                    // java.lang.instrument's, at a class load during an OOM, while an agent keeps a transformer
                    || line.contains("java.lang.instrument ASSERTION FAILED"),
                    "the suite made noise in the host's output: " + line + "\n" + child.output());
        }
    }

    static List<Path> hprofFiles(Path dir) {
        return ChildJvm.files(dir).stream().filter(p -> p.getFileName().toString().endsWith(".hprof"))
                .filter(p -> !p.getFileName().toString().startsWith(".")).collect(Collectors.toList());
    }

    static boolean isComplete(Path file) {
        return Files.exists(file) && HprofFile.check(file).complete();
    }
}
