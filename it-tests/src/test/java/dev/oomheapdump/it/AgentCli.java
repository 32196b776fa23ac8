package dev.oomheapdump.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The agent jar's command line as people run it, {@code java [OPTIONS] -jar oom-heapdump-agent.jar COMMAND ...}, in a
 * process of its own: its exit code, standard output and standard error apart, every wait bounded.
 */
public final class AgentCli {

    /** What a finished run left. */
    public record Result(int exit, String out, String err) {

        public String all() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }

        public String lastLine() {
            return out.strip().lines().reduce((a, b) -> b).orElse("");
        }

        public List<String> lines() {
            return out.strip().lines().toList();
        }
    }

    /** A run still going (to be killed mid-way, or waited for; a sidecar until {@link #close}). */
    public static final class Running implements AutoCloseable {
        public final Process process;
        private final Path out;
        private final Path err;

        private Running(Process process, Path out, Path err) {
            this.process = process;
            this.out = out;
            this.err = err;
        }

        public Result await() throws IOException, InterruptedException {
            if (!process.waitFor(180, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("the command did not finish within 180 s:\n" + output());
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        }

        /** Its output so far, standard output then standard error. */
        public String output() {
            try {
                return Files.readString(out, StandardCharsets.UTF_8) + Files.readString(err, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(no output: " + e + ")";
            }
        }

        /** Kills it (if it still runs) and waits for its end. */
        @Override
        public void close() {
            process.destroyForcibly();
            try {
                process.waitFor(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private AgentCli() {
    }

    public static Path java() {
        return ChildJvm.javaHome().resolve("bin").resolve("java");
    }

    /** Runs {@code java JVM_OPTIONS -jar AGENT ARGS} to its end. */
    public static Result run(Path work, List<String> jvmOptions, Map<String, String> environment, String... args)
            throws IOException, InterruptedException {
        return start(work, jvmOptions, environment, args).await();
    }

    public static Running start(Path work, List<String> jvmOptions, Map<String, String> environment, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java().toString());
        cmd.addAll(jvmOptions);
        cmd.add("-jar");
        cmd.add(ChildJvm.agentJar().toString());
        cmd.addAll(List.of(args));
        return start(work, cmd, environment);
    }

    /** Runs one shell command line (for the README's examples, pasted as written) to its end. */
    public static Result shell(Path work, String line) throws IOException, InterruptedException {
        return start(work, List.of("bash", "-c", line), Map.of()).await();
    }

    private static Running start(Path work, List<String> cmd, Map<String, String> environment) throws IOException {
        Path out = Files.createTempFile(work, "cli-", ".out");
        Path err = Files.createTempFile(work, "cli-", ".err");
        ProcessBuilder builder = new ProcessBuilder(cmd).directory(work.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("AWS_PROFILE"); // the host's AWS settings never reach a test's store
        builder.environment().remove("AWS_SESSION_TOKEN");
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        return new Running(process, out, err);
    }
}
