package dev.oomheapdump.it.ship;

import dev.oomheapdump.it.ChildJvm;

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
 * The agent jar's {@code ship} command in a process of its own, as the agent and a sidecar run it: exit code,
 * standard output and standard error apart, parts of 5 MiB (S3's minimum) so that small files go up in several.
 */
final class ShipRun {

    /** A finished run. */
    record Result(int exit, String out, String err) {
        String all() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }

        List<String> lines() {
            return out.strip().lines().toList();
        }
    }

    /** A run that goes on (the sidecar), killed by {@link #close}. */
    static final class Running implements AutoCloseable {
        final Process process;
        private final Path out;
        private final Path err;

        private Running(Process process, Path out, Path err) {
            this.process = process;
            this.out = out;
            this.err = err;
        }

        String output() {
            try {
                return Files.readString(out, StandardCharsets.UTF_8) + Files.readString(err, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(no output: " + e + ")";
            }
        }

        Result await() throws IOException, InterruptedException {
            if (!process.waitFor(180, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("ship did not finish within 180 s:\n" + output());
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        }

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

    private ShipRun() {
    }

    static Result run(Path work, Map<String, String> env, String... args) throws IOException, InterruptedException {
        return start(work, env, List.of(), args).await();
    }

    static Running start(Path work, Map<String, String> env, List<String> jvmOptions, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ChildJvm.javaHome().resolve("bin").resolve("java").toString());
        cmd.add("-Doomheapdump.ship.partMiB=5");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(ChildJvm.agentJar().toString());
        cmd.add("dev.oomheapdump.mbean.cli.Cli");
        cmd.add("ship");
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(work, "ship-", ".out");
        Path err = Files.createTempFile(work, "ship-", ".err");
        ProcessBuilder builder = new ProcessBuilder(cmd).directory(work.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("AWS_PROFILE");
        builder.environment().remove("AWS_SESSION_TOKEN");
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        return new Running(process, out, err);
    }
}
