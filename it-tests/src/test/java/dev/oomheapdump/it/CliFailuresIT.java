package dev.oomheapdump.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command of the agent jar fails the same way, whatever failed under it (RMI, DNS, a remote bean, the file
 * system): exactly one line on its output, {@code oom-heapdump: } and words that name the problem, no exception class
 * name or stack trace, and exit code 2 for bad usage or input, 1 for anything else.
 */
@ExtendWith(ChildOutputOnFailure.class)
class CliFailuresIT {

    @TempDir
    static Path dir;

    /** A JVM with the agent and a port, for the failures that need one. */
    private static ChildJvm agent;

    @BeforeAll
    static void startAJvmWithTheAgent() throws Exception {
        agent = ChildJvm.builder().directory(dir.resolve("dumps")).start();
        agent.awaitLine("JMX listening on", Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyFailureIsOneReadableLineWithTheExitCodeOfItsKind() throws Exception {
        String out = dir.resolve("fetched.hprof").toString();
        String closed = "127.0.0.1:" + ChildJvm.freePort();
        String live = "127.0.0.1:" + agent.port();
        String missing = dir.resolve("missing").toString();
        return Stream.of(
                fails(1, "connection refused", "fetch", closed, "x.hprof", out),
                fails(2, "unknown host 'nosuchhost.invalid'", "fetch", "nosuchhost.invalid:9010", "x.hprof", out),
                fails(2, "never-made.hprof", "fetch", live, "never-made.hprof", out),
                fails(2, missing, "list", missing),
                fails(2, missing, "check", missing),
                fails(2, missing, "analyze", missing),
                fails(2, missing, "diff", missing, missing),
                fails(2, "'twelve' is not a process id", "attach", "twelve"),
                fails(2, "'directory' is the demo's own (use --dir)", "demo", "--options", "directory=/tmp"),
                fails(2, "Option 'ship' must be s3://bucket or s3://bucket/prefix, not 'dumps'", "demo", "--options",
                        "ship=dumps"),
                fails(2, "unknown command 'frobnicate'", "frobnicate"));
    }

    private static DynamicTest fails(int exitCode, String named, String... args) {
        return DynamicTest.dynamicTest(String.join(" ", args), () -> {
            try (ChildJvm cli = AttachIT.cli(args)) {
                assertEquals(exitCode, cli.awaitExit(Duration.ofSeconds(60)), cli.output());
                List<String> lines = cli.lines();
                assertEquals(1, lines.size(), "exactly one line: " + cli.output());
                String line = lines.get(0);
                assertTrue(line.startsWith("oom-heapdump: ") && line.contains(named), "names '" + named + "': " + line);
                assertFalse(line.matches(".*\\b(java|javax|sun|com\\.sun|jdk)\\.[\\w.$]*[A-Z]\\w*\\b.*"),
                        "no class name: " + line);
                assertFalse(line.contains("nested exception") || line.contains("Root exception"), line);
            }
        });
    }
}
