package dev.oomheapdump.core.trigger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * "unable to create native thread": the VM makes that error with its constructor, so the trap sees it. The
 * child runs in a pids cgroup that allows a few dozen threads; the test is skipped, with the reason, where
 * no such cgroup can be made (not root, no pids controller).
 */
class OomTrapThreadLimitTest {

    @TempDir
    Path dir;

    @Test
    void unableToCreateNativeThreadCallsTheHandler() throws Exception {
        PidsCgroup.Result made = PidsCgroup.create(64);
        assumeTrue(made.cgroup() != null, made::whyNot);
        try (PidsCgroup cgroup = made.cgroup()) {
            ChildJvm.Result r = ChildJvm.run(dir, cgroup.prefix(), List.of("-XX:+UseSerialGC", "-Xss256k"),
                    ChildJvm.agentJar(dir, true), "print", "threads");
            assertEquals(0, r.exitCode(), r::toString);
            assertTrue(cgroup.refusals() > 0, "the limit refused a thread\n" + r);
            assertEquals(1, r.trapLines().size(), r::toString);
            String trap = r.trapLines().get(0);
            assertTrue(trap.startsWith("TRAP java.lang.OutOfMemoryError unable to create native thread"), r::toString);
            int caught = r.indexOf("APP caught java.lang.OutOfMemoryError");
            assertTrue(caught > r.indexOf("TRAP "), "handler before the catch block\n" + r);
            assertEquals(trap.substring("TRAP ".length()), r.out().get(caught).substring("APP caught ".length()), r::toString);
            // The JVM's own warning about the failed pthread_create is its, not ours.
            List<String> foreign = r.foreign().stream().filter(l -> !l.contains("[os,thread]")).collect(Collectors.toList());
            assertEquals(List.of(), foreign, r::toString);
        }
    }
}
