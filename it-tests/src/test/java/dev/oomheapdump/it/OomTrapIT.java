package dev.oomheapdump.it;

import dev.oomheapdump.core.format.HprofFile;
import dev.oomheapdump.core.trigger.PidsCgroup;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OutOfMemoryErrors HotSpot's hook never sees, caught by the trap where they are made: a JVM started with
 * {@code -javaagent:oom-heapdump-agent.jar} and nothing else leaves one complete dump holding the evidence; an
 * application that catches and retries does not fill the disk.
 */
@ExtendWith(ChildOutputOnFailure.class)
class OomTrapIT {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "direct 1024 20, java/nio/DirectByteBuffer",
            "subclass, dev/oomheapdump/it/app/LeakedBlob",
            "threads, dev/oomheapdump/it/app/LeakedBlob"})
    void theAgentWithNoOptionsLeavesOneDumpHoldingTheEvidence(String command, String evidence) throws Exception {
        PidsCgroup cgroup = null;
        ChildJvm.Builder builder = ChildJvm.builder().heap("64m").agent("").noPort().workingDirectory(dir)
                .jvmArgs("-XX:MaxDirectMemorySize=32m").args(command.split(" "));
        if (command.equals("threads")) {
            PidsCgroup.Result made = PidsCgroup.create(OomMatrixIT.Kind.MAX_PIDS);
            Assumptions.assumeTrue(made.cgroup() != null, made::whyNot);
            cgroup = made.cgroup();
            builder.commandPrefix(cgroup.prefix().toArray(new String[0]));
        }
        try (ChildJvm child = builder.start()) {
            assertEquals(3, child.awaitExit(Duration.ofSeconds(120)), "the child died of its OOM");
            NativeHookOomIT.assertNoNoiseFromTheSuite(child);
            Path dumps = dir.resolve("heapdumps");
            List<Path> files = NativeHookOomIT.hprofFiles(dumps);
            // the armed hook holds the default name for a heap OOM still to come: the trap's dump is OoM-pid-N-2
            assertEquals(1, files.size(), "one dump: " + files);
            assertTrue(files.get(0).getFileName().toString().startsWith("OoM-pid-" + child.pid()), files.toString());
            assertTrue(HprofFile.check(files.get(0)).complete(), HprofFile.check(files.get(0)).toString());
            assertTrue(HprofFile.classNames(files.get(0)).contains(evidence), files.get(0) + " holds " + evidence);
            assertTrue(ChildJvm.files(dumps).stream().noneMatch(p -> p.getFileName().toString().contains(".inprogress")));
        } finally {
            if (cgroup != null) {
                cgroup.close();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"NATIVE_HOOK", "GC_MONITORING"})
    void anApplicationThatCatchesAndRetriesStaysWithinTheLimit(String implementation) throws Exception {
        try (ChildJvm child = ChildJvm.builder().heap("64m").agent("OOMImplementation=" + implementation + ",limit=3")
                .noPort().directory(dir).jvmArgs("-XX:MaxDirectMemorySize=16m").args("retry", "10").start()) {
            child.awaitLine("RETRIED 10", Duration.ofSeconds(120));
            // under NATIVE_HOOK the armed hook keeps the last slot for a heap OOM still to come
            int expected = implementation.equals("NATIVE_HOOK") ? 2 : 3;
            child.await(Duration.ofSeconds(60), expected + " complete dumps and nothing in progress").until(() ->
                    OomMatrixIT.completeDumps(dir) == expected
                            && ChildJvm.files(dir).stream().noneMatch(p -> p.toString().contains(".inprogress")));
            child.send("exit");
            assertEquals(0, child.awaitExit(Duration.ofSeconds(30)));
            NativeHookOomIT.assertNoNoiseFromTheSuite(child);
        }
        assertEquals(implementation.equals("NATIVE_HOOK") ? 2 : 3, NativeHookOomIT.hprofFiles(dir).size(),
                "never more than the limit: " + ChildJvm.files(dir));
        for (Path dump : NativeHookOomIT.hprofFiles(dir)) {
            assertTrue(HprofFile.classNames(dump).contains("java/nio/DirectByteBuffer"), dump.toString());
        }
    }
}
