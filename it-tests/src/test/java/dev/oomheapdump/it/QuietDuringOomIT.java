package dev.oomheapdump.it;

import dev.oomheapdump.mbean.OomHeapdumpMXBean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nothing of the suite's in the host's output while its heap is exhausted, even after a CPU profile started JFR
 * in it: on JDK 17 JFR's periodic thread otherwise logs {@code [error][jfr,system] Error in Periodic task} or
 * dies with a line on standard error. Nor when the JVM dies with its heap full: {@code java.lang.instrument} prints
 * assertion failures at every class load that meets the OOM while an agent keeps a class-file transformer.
 */
@ExtendWith(ChildOutputOnFailure.class)
class QuietDuringOomIT {

    @TempDir
    Path dir;

    @Test
    void aProfileThenAnExhaustedHeapLeaveTheHostsOutputClean() throws Exception {
        try (ChildJvm child = ChildJvm.builder().heap("48m").agent("heapdumpOnOOM=false").directory(dir).start()) {
            OomHeapdumpMXBean bean = child.proxy(OomHeapdumpMXBean.class);
            bean.createCpuProfile("before-the-oom", 500);
            child.send("full 3000");
            child.awaitLine("FULL DONE", Duration.ofSeconds(60));
            child.send("exit");
            assertEquals(0, child.awaitExit(Duration.ofSeconds(30)));
            NativeHookOomIT.assertNoNoiseFromTheSuite(child);
        }
    }

    @Test
    void aJvmThatDiesWithItsHeapFullLeavesItsDumpAndNoNoise() throws Exception {
        try (ChildJvm child = ChildJvm.builder().heap("48m").agent("").noPort().directory(dir).args("die", "64")
                .start()) {
            assertEquals(1, child.awaitExit(Duration.ofSeconds(90)), child.output());
            NativeHookOomIT.assertNoNoiseFromTheSuite(child);
            Path dump = dir.resolve("OoM-pid-" + child.pid() + ".hprof");
            assertTrue(NativeHookOomIT.isComplete(dump), "the JVM's hook wrote a whole dump: " + dump);
        }
    }
}
