package dev.oomheapdump.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's demo, as a user runs it: {@code java -jar oom-heapdump-agent.jar demo}; it ends with what filled
 * the heap of the OOM dump: the demo's leaking list.
 */
@ExtendWith(ChildOutputOnFailure.class)
class DemoIT {

    @TempDir
    Path dir;

    @Test
    void theDemoEndsWithEveryFileCompleteAndNoNoiseFromTheSuite() throws Exception {
        try (ChildJvm demo = ChildJvm.builder().classPath(ChildJvm.agentJar().toString())
                .mainClass("dev.oomheapdump.mbean.cli.Cli").args("demo", "--dir", dir.toString()).start()) {
            assertEquals(0, demo.awaitExit(Duration.ofMinutes(3)), demo.output());
            assertTrue(demo.lines().contains("== OK: the OOM dump, the heap snapshot, the CPU profile and its flame graph are complete"),
                    demo.output());
            String top = demo.lines().stream().filter(l -> l.startsWith("   top suspect: ")).findFirst().orElse("");
            assertTrue(top.matches("   top suspect: \\S+ retains [0-9.]+ MiB, [0-9.]+% of the reachable heap"), demo.output());
            String heldBy = demo.lines().stream().filter(l -> l.startsWith("   held by: ")).findFirst().orElse("");
            assertTrue(heldBy.contains("DemoApp.main") && heldBy.contains("java.util.ArrayList.elementData"),
                    "the demo's leaking list: " + demo.output());
            NativeHookOomIT.assertNoNoiseFromTheSuite(demo);
        }
    }
}
