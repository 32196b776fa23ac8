package dev.oomheapdump.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code java -jar oom-heapdump-agent.jar attach PID [OPTIONS]} against real JVMs that run without the agent: it
 * says what happened in the target and exits accordingly, 0 only when the MBean answers with the options asked.
 */
@ExtendWith(ChildOutputOnFailure.class)
class AttachIT {

    @TempDir
    Path dir;

    /** A JVM without the agent, waiting for commands. */
    private static ChildJvm target() throws IOException {
        ChildJvm child = ChildJvm.builder().agent(null).start();
        child.awaitLine("READY", Duration.ofSeconds(30));
        return child;
    }

    /** The command line in a JVM of its own (without the agent: its output is the command's alone). */
    static ChildJvm cli(String... args) throws IOException {
        return ChildJvm.builder().agent(null).classPath(ChildJvm.agentJar().toString())
                .mainClass("dev.oomheapdump.mbean.cli.Cli").args(args).start();
    }

    private static List<String> run(int exitCode, String... args) throws IOException {
        try (ChildJvm cli = cli(args)) {
            assertEquals(exitCode, cli.awaitExit(Duration.ofSeconds(90)), cli.output());
            return cli.lines();
        }
    }

    private static List<String> suiteLines(ChildJvm target) {
        return target.lines().stream().filter(l -> l.startsWith("oom-heapdump: ")).toList();
    }

    @Test
    void aBadOptionExitsTwoNamingItAndAttachesNothing() throws Exception {
        try (ChildJvm target = target()) {
            List<String> lines = run(2, "attach", Long.toString(target.pid()), "threshold=150," + "directory=" + dir);
            assertEquals(List.of("oom-heapdump: bad option: Option 'threshold' must be from 1 to 99, not 150; nothing "
                    + "attached"), lines);
            List<String> installed = run(0, "attach", Long.toString(target.pid()), "directory=" + dir);
            assertTrue(installed.get(0).startsWith("agent in JVM " + target.pid() + ": installed, "), installed.toString()
                    + ": the first load was the good one");
        }
    }

    @Test
    void aProcessThatDoesNotExistIsOneReadableLine() throws Exception {
        long pid = 999_999;
        while (ProcessHandle.of(pid).isPresent()) {
            pid++;
        }
        assertEquals(List.of("oom-heapdump: no process " + pid + " runs on this host (jps lists the JVMs)"),
                run(2, "attach", Long.toString(pid)));
    }

    @Test
    void successPrintsWhatTheAgentSaidAndThePolicyInForce() throws Exception {
        try (ChildJvm target = target()) {
            String pid = Long.toString(target.pid());
            List<String> lines = run(0, "attach", pid, "OOMImplementation=gc_monitoring,threshold=80,maxBytes=1024m,"
                    + "directory=" + dir);
            assertEquals(2, lines.size(), lines.toString());
            assertEquals("agent in JVM " + pid + ": installed, GC_MONITORING, dumps in " + dir + ", MBean "
                    + ChildJvm.OBJECT_NAME, lines.get(0));
            assertTrue(lines.get(1).startsWith("policy in force: heapdumpOnOOM=true,OOMImplementation=GC_MONITORING,")
                    && lines.get(1).contains(",threshold=80,directory=" + dir + ",maxBytes=1g"), lines.get(1));
            assertEquals(List.of("oom-heapdump: installed, GC_MONITORING, dumps in " + dir + ", MBean "
                    + ChildJvm.OBJECT_NAME), suiteLines(target), "the target's own line");

            List<String> again = run(0, "attach", pid, "threshold=60,directory=" + dir);
            assertTrue(again.get(0).startsWith("agent in JVM " + pid + ": already installed; policy now ")
                    && again.get(0).contains(",threshold=60,"), again.toString());
            assertTrue(again.get(1).contains(",threshold=60,"), again.toString());
        }
    }

    @Test
    void aFixedOptionChangedOnReattachExitsOneWithTheAgentsReason() throws Exception {
        try (ChildJvm target = target()) {
            String pid = Long.toString(target.pid());
            run(0, "attach", pid, "directory=" + dir);
            List<String> refused = run(1, "attach", pid, "threshold=60,directory=" + dir.resolve("other"));
            assertEquals(List.of("oom-heapdump: agent in JVM " + pid + ": already installed; policy unchanged: Option "
                    + "'directory' is fixed when the agent starts (it is " + dir + "); only heapdumpOnOOM, "
                    + "OOMImplementation, path, addTimestamp, limit, threshold, analyze, gzip, maxDumps, maxBytes, "
                    + "minFreeDisk, profileFormats, profiler, ship, shipEndpoint can change at runtime"), refused);
            List<String> policy = run(0, "attach", pid, "");
            assertTrue(policy.get(1).contains(",threshold=70,"), "nothing changed: " + policy);
        }
    }

    @Test
    void aTakenPortExitsOneWithTheAgentsReason() throws Exception {
        try (ChildJvm target = target();
             ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            String pid = Long.toString(target.pid());
            List<String> lines = run(1, "attach", pid, "port=" + taken.getLocalPort() + ",directory=" + dir);
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(lines.get(0).startsWith("oom-heapdump: agent in JVM " + pid + ": JMX NOT listening on 127.0.0.1:"
                    + taken.getLocalPort() + ": ") && lines.get(0).endsWith("; the MBean is still registered locally "
                    + "(jconsole <pid>)"), lines.get(0));
        }
    }

    @Test
    void aDirectoryThatCannotBeMadeExitsOneWithTheAgentsReason() throws Exception {
        Path blocked = Files.writeString(dir.resolve("blocked"), "a file where the directory should be");
        try (ChildJvm target = target()) {
            String pid = Long.toString(target.pid());
            List<String> lines = run(1, "attach", pid, "directory=" + blocked);
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(lines.get(0).startsWith("oom-heapdump: agent in JVM " + pid + ": not installed: ")
                    && lines.get(0).contains(blocked.toString()), lines.get(0));
            assertFalse(lines.get(0).matches(".*\\b(java|javax|sun)\\.[\\w.]+(Exception|Error)\\b.*"), lines.get(0));
        }
    }
}
