package dev.oomheapdump.it.proof;

import dev.oomheapdump.it.ChildJvm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs {@link PlainJmxClient} in its own JVM with single-file source launching: the source is copied alone
 * into an empty folder (under its package's path, as JDK 22+ wants), which is the working directory; no class
 * path is given and {@code CLASSPATH} is removed, so nothing of this project can be loaded.
 */
final class PlainClient {

    private PlainClient() {
    }

    /** What the client printed. */
    static final class Result {
        final int exitCode;
        final List<String> lines;

        Result(int exitCode, List<String> lines) {
            this.exitCode = exitCode;
            this.lines = lines;
        }

        /** The value printed by a step that must have worked. */
        String ok(String step) {
            String prefix = "OK " + step + " => ";
            return lines.stream().filter(l -> l.startsWith(prefix)).findFirst()
                    .map(l -> l.substring(prefix.length()))
                    .orElseGet(() -> fail("step '" + step + "' worked:\n" + String.join("\n", lines)));
        }

        /** The exception chain printed by a step that must have failed. */
        String err(String step) {
            String prefix = "ERR " + step + " => ";
            return lines.stream().filter(l -> l.startsWith(prefix)).findFirst()
                    .map(l -> l.substring(prefix.length()))
                    .orElseGet(() -> fail("step '" + step + "' failed:\n" + String.join("\n", lines)));
        }

        String all() {
            return "exit " + exitCode + "\n" + String.join("\n", lines);
        }
    }

    static Path source() {
        Path testClasses = Paths.get(System.getProperty("oomheapdump.testClasses", "target/test-classes"));
        Path module = testClasses.toAbsolutePath().getParent().getParent();
        Path source = module.resolve("src/test/java/dev/oomheapdump/it/proof/PlainJmxClient.java");
        assertTrue(Files.isRegularFile(source), "the client's source is at " + source);
        return source;
    }

    static Result run(Path work, String url, List<String> jvmArgs, String... steps) throws IOException,
            InterruptedException {
        Path folder = Files.createTempDirectory(work, "plain-client-");
        // JDK 22+ launches a source file only from a folder tree that matches its package
        Path packageFolder = Files.createDirectories(folder.resolve("dev/oomheapdump/it/proof"));
        Path source = Files.copy(source(), packageFolder.resolve("PlainJmxClient.java"));
        List<String> cmd = new ArrayList<>();
        cmd.add(ChildJvm.javaHome().resolve("bin").resolve("java").toString());
        cmd.addAll(jvmArgs);
        cmd.add(folder.relativize(source).toString());
        cmd.add(url);
        cmd.addAll(List.of(steps));
        Path output = folder.resolve("output.txt");
        ProcessBuilder builder = new ProcessBuilder(cmd).directory(folder.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().remove("CLASSPATH");
        builder.environment().remove("JDK_JAVA_OPTIONS");
        Process process = builder.start();
        if (!process.waitFor(Duration.ofSeconds(120).toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            fail("the plain client did not finish within 120 s:\n" + Files.readString(output));
        }
        return new Result(process.exitValue(), Files.readAllLines(output, StandardCharsets.UTF_8));
    }
}
