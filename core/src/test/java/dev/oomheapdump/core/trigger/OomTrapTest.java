package dev.oomheapdump.core.trigger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OOM trap in real child JVMs on the JDK that runs the build. Every test also checks that the child
 * printed nothing but the application's and the handler's own lines: no stack trace, no JVM warning.
 */
class OomTrapTest {

    @TempDir
    Path dir;

    private ChildJvm.Result run(String agentArgs, String scenario, String... flags) throws Exception {
        ChildJvm.Result result = ChildJvm.run(dir, List.of(), List.of(flags), ChildJvm.agentJar(dir, true),
                agentArgs, scenario);
        assertEquals(0, result.exitCode(), result::toString);
        assertEquals(List.of(), result.foreign(), result::toString);
        return result;
    }

    @Test
    void directBufferOomCallsTheHandlerBeforeTheApplicationCatchesIt() throws Exception {
        ChildJvm.Result r = run("print", "direct", "-XX:MaxDirectMemorySize=16m");
        assertEquals(1, r.trapLines().size(), r::toString);
        assertTrue(r.trapLines().get(0).startsWith("TRAP java.lang.OutOfMemoryError ")
                && r.trapLines().get(0).contains("direct buffer memory"), r::toString);
        int trap = r.indexOf("TRAP java.lang.OutOfMemoryError");
        int caught = r.indexOf("APP caught java.lang.OutOfMemoryError");
        assertTrue(trap >= 0 && caught > trap, "handler before the catch block\n" + r);
        assertEquals(r.trapLines().get(0).substring("TRAP ".length()), r.out().get(caught).substring("APP caught ".length()),
                "the application gets the error the handler saw\n" + r);
    }

    @Test
    void handlerCanDumpTheHeapOnTheFailingThread() throws Exception {
        Path dump = dir.resolve("direct.hprof");
        ChildJvm.Result r = run("dump:" + dump, "direct", "-XX:MaxDirectMemorySize=16m");
        assertTrue(r.out().contains("TRAP dumped"), r::toString);
        assertTrue(r.indexOf("TRAP dumped") < r.indexOf("APP caught"), r::toString);
        try (InputStream in = Files.newInputStream(dump)) {
            assertEquals("JAVA PROFILE 1.0.2", new String(in.readNBytes(18), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void librarySubclassReachesTheHandlerAsItself() throws Exception {
        ChildJvm.Result r = run("print", "subclass");
        assertEquals(List.of("TRAP " + MyOutOfDirectMemoryError.class.getName()
                + " failed to allocate 16777216 byte(s) of direct memory"), r.trapLines(), r::toString);
    }

    @Test
    void oomThrownByJdkCodeCallsTheHandler() throws Exception {
        ChildJvm.Result r = run("print", "repeat");
        assertEquals(1, r.trapLines().size(), r::toString);
        assertTrue(r.indexOf("TRAP java.lang.OutOfMemoryError") < r.indexOf("APP caught java.lang.OutOfMemoryError"),
                r::toString);
    }

    @Test
    void generatedBytecodePassesTheVerifier() throws Exception {
        // bootstrap classes are not verified by default; a bad frame would surface here as install-failed
        ChildJvm.Result r = run("print", "subclass", "-XX:+UnlockDiagnosticVMOptions", "-XX:+BytecodeVerificationLocal");
        assertEquals(List.of("TRAP " + MyOutOfDirectMemoryError.class.getName()
                + " failed to allocate 16777216 byte(s) of direct memory"), r.trapLines(), r::toString);
    }

    @Test
    void heapOomIsLeftToTheJvmHook() throws Exception {
        ChildJvm.Result r = run("print", "heap", "-Xmx32m");
        assertTrue(r.out().contains("APP caught java.lang.OutOfMemoryError Java heap space"), r::toString);
        assertEquals(List.of(), r.trapLines(), "the preallocated heap OOM runs no constructor\n" + r);
    }

    @Test
    void otherErrorsDoNotCallTheHandler() throws Exception {
        ChildJvm.Result r = run("print", "plain-error");
        assertEquals(List.of("APP caught java.lang.InternalError not an OOM"), r.out(), r::toString);
    }

    @Test
    void handlerThatThrowsAnOomItselfDoesNotRecurse() throws Exception {
        ChildJvm.Result r = run("reenter-new", "subclass");
        assertEquals(1, r.trapLines().size(), r::toString);
        assertTrue(r.out().contains("APP caught " + MyOutOfDirectMemoryError.class.getName()
                + " failed to allocate 16777216 byte(s) of direct memory"), "the original error\n" + r);
    }

    @Test
    void handlerThatRunsOutOfDirectMemoryItselfDoesNotRecurse() throws Exception {
        ChildJvm.Result r = run("reenter-direct", "direct", "-XX:MaxDirectMemorySize=16m");
        assertEquals(1, r.trapLines().size(), r::toString);
        assertEquals(r.trapLines().get(0).substring("TRAP ".length()),
                r.out().get(r.indexOf("APP caught")).substring("APP caught ".length()), "the original error\n" + r);
    }

    @Test
    void exceptionFromTheHandlerNeverReachesTheApplication() throws Exception {
        ChildJvm.Result r = run("throw", "subclass");
        assertEquals(1, r.trapLines().size(), r::toString);
        assertTrue(r.out().contains("APP caught " + MyOutOfDirectMemoryError.class.getName()
                + " failed to allocate 16777216 byte(s) of direct memory"), r::toString);
    }

    @Test
    void closeStopsTheCalls() throws Exception {
        ChildJvm.Result r = run("print", "close");
        assertEquals(List.of("TRAP " + MyOutOfDirectMemoryError.class.getName() + " before close"), r.trapLines(),
                r::toString);
        assertEquals(3, r.out().stream().filter(l -> l.startsWith("APP caught")).count(), r::toString);
    }

    @Test
    void secondInstallIsRefusedWhileOneIsActiveAndWorksAfterClose() throws Exception {
        ChildJvm.Result r = run("print", "reinstall");
        assertTrue(r.out().contains("APP while-installed=false reason="
                + "OOM trap not installed: another OOM trap is installed in this JVM"), r::toString);
        assertEquals(List.of("TRAP second after reinstall"), r.trapLines(), r::toString);
    }

    @Test
    void anotherThreadsOomPassesWhileTheHandlerRuns() throws Exception {
        ChildJvm.Result r = run("slow", "concurrent");
        assertEquals(List.of("TRAP java.lang.OutOfMemoryError first", "TRAP handler-done first",
                "TRAP java.lang.OutOfMemoryError third", "TRAP handler-done third"), r.trapLines(), r::toString);
        assertTrue(r.indexOf("APP caught java.lang.OutOfMemoryError second")
                < r.indexOf("TRAP handler-done first"), "the second thread did not wait\n" + r);
    }

    @Test
    void agentWithoutRetransformRightsGetsNoTrapAndAReason() throws Exception {
        ChildJvm.Result r = ChildJvm.run(dir, List.of(), List.of(), ChildJvm.agentJar(dir, false), "print", "subclass");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(List.of("TRAP install-failed OOM trap not installed: this agent cannot retransform classes"
                + " (its manifest needs Can-Retransform-Classes: true)"), r.trapLines(), r::toString);
        assertTrue(r.out().contains("APP caught " + MyOutOfDirectMemoryError.class.getName()
                + " failed to allocate 16777216 byte(s) of direct memory"), r::toString);
    }

    @Test
    void installIsQuickAndCostsNothingOutsideOutOfMemoryError() throws Exception {
        ChildJvm.Result r = run("none", "bench");
        String line = r.out().get(r.indexOf("APP bench"));
        System.out.println(line);
        double installMs = Double.parseDouble(line.replaceAll(".* install-ms=([0-9.]+) .*", "$1"));
        assertTrue(installMs < 2000, "install took " + installMs + " ms");
    }

}
