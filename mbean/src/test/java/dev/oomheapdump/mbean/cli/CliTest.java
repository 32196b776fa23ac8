package dev.oomheapdump.mbean.cli;

import dev.oomheapdump.core.job.HeapDumper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line's exit codes and messages: 0 done, 2 bad usage or input named, 1 anything else. */
class CliTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Cli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void badUsageExitsTwoNamingWhatIsWrong() {
        assertEquals(2, run("frobnicate"));
        assertTrue(err().contains("unknown command 'frobnicate'"), err());
        assertEquals(2, run("analyze"));
        assertTrue(err().contains("usage: analyze FILE"), err());
        assertEquals(2, run("analyze", dir.resolve("missing.hprof").toString()));
        assertTrue(err().contains("missing.hprof' is not a file"), err());
        assertEquals(2, run("analyze", "x.hprof", "--top", "many"));
        assertTrue(err().contains("--top must be a whole number from 1 to 100000, not 'many'"), err());
        assertEquals(2, run("diff", "only-one.hprof"));
        assertTrue(err().contains("usage: diff OLD NEW"), err());
        assertEquals(2, run("analyze", "x.hprof", "--colour"));
        assertTrue(err().contains("unknown option '--colour'"), err());
    }

    @Test
    void attachChecksItsArgumentsAndOptionsBeforeAttachingToAnything() {
        assertEquals(2, run("attach"));
        assertTrue(err().contains("usage: attach PID [OPTIONS]"), err());
        err.reset();
        assertEquals(2, run("attach", "twelve"));
        assertEquals("oom-heapdump: 'twelve' is not a process id; " + AttachCommand.USAGE + "\n", err());
        err.reset();
        String own = Long.toString(ProcessHandle.current().pid());
        assertEquals(2, run("attach", own, "threshold=150"));
        assertEquals("oom-heapdump: bad option: Option 'threshold' must be from 1 to 99, not 150; nothing attached\n",
                err(), "checked before the process is even looked at");
        err.reset();
        assertEquals(2, run("attach", own, "colour=red"));
        assertTrue(err().startsWith("oom-heapdump: bad option: Unknown option 'colour'"), err());
        err.reset();
        assertEquals(2, run("attach", own));
        assertEquals("oom-heapdump: process " + own + " is this command itself\n", err());
        assertEquals("", out());
    }

    @Test
    void thePolicyInForceIsComparedWithWhatWasAskedAsTheAgentNormalizesIt() {
        Path target = dir.resolve("target-cwd");
        String inForce = "heapdumpOnOOM=true,OOMImplementation=GC_MONITORING,path=x,addTimestamp=false,port=9010,limit=3,"
                + "threshold=80,directory=" + target.resolve("heapdumps") + ",maxBytes=1g";
        assertEquals(List.of(), AttachCommand.differences(Map.of("OOMImplementation", "gc_monitoring", "maxBytes",
                "1024m", "directory", "heapdumps", "port", "9010"), inForce, target));
        assertEquals(List.of("threshold is 80, not 70"), AttachCommand.differences(Map.of("threshold", "70"), inForce,
                target));
        List<String> fixed = AttachCommand.differences(Map.of("port", "9011"), inForce, target);
        assertEquals(1, fixed.size());
        assertTrue(fixed.get(0).startsWith("Option 'port' is fixed when the agent starts (it is 9010)"), fixed.get(0));
        assertEquals(1, AttachCommand.differences(Map.of("directory", "elsewhere"), inForce, target).size());
    }

    @Test
    void failuresAreOneReadableLineWithTheExitCodeOfTheirKind() throws Exception {
        int closed = closedPort();
        Failures.Failure refused = Failures.of(new java.lang.reflect.InvocationTargetException(connect("127.0.0.1:" + closed)));
        assertEquals(1, refused.exitCode());
        assertEquals("cannot reach the JMX connector: connection refused by 127.0.0.1 (nothing listens on that port)",
                refused.line());
        Throwable wrapped = new java.io.IOException("cannot fetch 'x' from 127.0.0.1:" + closed + ": "
                + connect("127.0.0.1:" + closed).getMessage(), connect("127.0.0.1:" + closed));
        assertEquals("cannot fetch 'x' from 127.0.0.1:" + closed + ": connection refused by 127.0.0.1 (nothing listens "
                + "on that port)", Failures.of(wrapped).line());
        Failures.Failure unknown = Failures.of(connect("nosuchhost.invalid:9010"));
        assertEquals(2, unknown.exitCode(), "an unknown host is bad input");
        assertEquals("cannot reach the JMX connector: unknown host 'nosuchhost.invalid'", unknown.line());
        Exception unknownCause = connect("nosuchhost.invalid:9010");
        assertEquals("cannot fetch from nosuchhost.invalid:9010: unknown host 'nosuchhost.invalid'", Failures.of(
                new java.io.IOException("cannot fetch from nosuchhost.invalid:9010: " + unknownCause.getMessage(),
                        unknownCause)).line(), "the host in the context is not taken for the quoted cause");

        Failures.Failure remote = Failures.of(new javax.management.RuntimeMBeanException(
                new IllegalArgumentException("'x.hprof' is not a file oom-heapdump made in /d")));
        assertEquals(new Failures.Failure(2, "'x.hprof' is not a file oom-heapdump made in /d"), remote);
        assertEquals("authentication failed: wrong user or password", Failures.of(new java.lang.reflect.UndeclaredThrowableException(
                new SecurityException("Authentication failed! Invalid username or password"))).line());
        assertEquals("access denied: this user may not do that (read-only?)", Failures.of(new SecurityException(
                "Access denied! Invalid access level for requested MBeanServer operation.")).line());
        assertEquals("no such file or directory: out/x.hprof", Failures.of(new java.io.UncheckedIOException(
                new java.nio.file.NoSuchFileException("out/x.hprof"))).line());
        Failures.Failure bare = Failures.of(new NullPointerException());
        assertEquals(1, bare.exitCode());
        assertTrue(bare.line().startsWith("unexpected NullPointerException at dev.oomheapdump.mbean.cli.CliTest"), bare.line());
        String classNameOnly = Failures.of(new IllegalStateException("java.io.IOException")).line();
        assertTrue(classNameOnly.startsWith("unexpected IllegalStateException at ") && classNameOnly.endsWith(
                "; please report it"), "a class name alone is no message: " + classNameOnly);
        assertEquals("two lines", Failures.of(new IllegalStateException("two\n\tlines")).line(),
                "one line, whatever the message held");
    }

    private static int closedPort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    /** The real failure of a JMX client connecting to a target. */
    private static Exception connect(String target) {
        try {
            javax.management.remote.JMXConnectorFactory.connect(new javax.management.remote.JMXServiceURL(
                    dev.oomheapdump.mbean.JmxAddress.of(target))).close();
        } catch (Exception e) {
            return e;
        }
        throw new AssertionError("connected to " + target);
    }

    @Test
    void aDumpIsExplainedAsTextAndAsJson() throws Exception {
        Path dump = dir.resolve("here.hprof");
        new HeapDumper().dump(dump, true);
        assertEquals(0, run("analyze", dump.toString(), "--top", "3"));
        assertTrue(out().contains("Leak suspects") && out().contains("Classes by retained size"), out());
        out.reset();
        assertEquals(0, run("analyze", dump.toString(), "--json"));
        String json = out().trim();
        assertTrue(json.startsWith("{\"file\":") && json.endsWith("}") && json.contains("\"histogram\":["), json);
        out.reset();
        assertEquals(0, run("diff", dump.toString(), dump.toString(), "--json"));
        assertTrue(out().trim().startsWith("{\"classes\":["), out());
    }

    @Test
    void aDamagedDumpExitsTwoNamingTheOffsetAndPrintsNoStackTrace() throws Exception {
        Path dump = dir.resolve("whole.hprof");
        new HeapDumper().dump(dump, true);
        Path cut = dir.resolve("cut.hprof");
        byte[] bytes = Files.readAllBytes(dump);
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 3));
        assertEquals(2, run("analyze", cut.toString()));
        assertTrue(err().startsWith("oom-heapdump: " + cut + ": ") && err().contains("byte offset"), err());
        assertFalse(err().contains("\tat "), err());
    }

    @Test
    void theProgressBarIsQuietOffATerminalAndForShortWork() {
        ByteArrayOutputStream bar = new ByteArrayOutputStream();
        try (ProgressBar quiet = new ProgressBar(new PrintStream(bar), false)) {
            quiet.update("reading", 0.5);
        }
        try (ProgressBar fast = new ProgressBar(new PrintStream(bar), true)) {
            fast.update("reading", 0.5); // within the first two seconds
        }
        assertEquals("", bar.toString());
        assertEquals("[###############               ]  50%  dominator tree  3 s",
                ProgressBar.line("dominator tree", 0.5, 3).trim());
    }
}
