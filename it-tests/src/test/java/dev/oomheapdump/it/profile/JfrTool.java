package dev.oomheapdump.it.profile;

import dev.oomheapdump.it.ChildJvm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JDK's own {@code jfr} tool, of the JDK that runs the tests, on a recording the suite wrote. */
final class JfrTool {

    private JfrTool() {
    }

    static String run(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(ChildJvm.javaHome().resolve("bin").resolve("jfr").toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "jfr " + args[0] + " ended");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), "jfr " + String.join(" ", args) + ":\n" + text);
        return text;
    }

    /** {@code jfr summary} reads every chunk. */
    static void summary(Path jfr) throws Exception {
        String text = run("summary", jfr.toString());
        assertTrue(text.contains("jdk.JVMInformation"), text);
    }

    /**
     * The recording says where it was made: {@code jfr view jvm-information} (JDK 21+) shows this JVM, not "No events
     * found"; on JDK 17, which has no {@code view}, the JVM information event is printed.
     */
    static void assertEnvironment(Path jfr) throws Exception {
        if (ChildJvm.javaFeature() >= 21) {
            String view = run("view", "jvm-information", jfr.toString());
            assertFalse(view.contains("No events found"), view);
            assertTrue(view.contains(System.getProperty("java.vm.version")) || view.contains("JVM"), view);
            String os = run("view", "system-information", jfr.toString());
            assertFalse(os.contains("No events found"), os);
        } else {
            String print = run("print", "--events", "jdk.JVMInformation,jdk.OSInformation,jdk.CPUInformation", jfr.toString());
            for (String event : List.of("jdk.JVMInformation", "jdk.OSInformation", "jdk.CPUInformation")) {
                assertTrue(print.contains(event), event + " in\n" + print);
            }
        }
    }
}
