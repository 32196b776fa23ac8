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
 * Scripted jmxterm 1.0.4 sessions ({@code java -jar jmxterm.jar -l 127.0.0.1:PORT -n -v brief -i script}).
 *
 * <p>What works with 1.0.4: {@code -v silent} hides every error (a refused {@code set} prints nothing at
 * all), so sessions run with {@code -v brief}, where errors come as {@code #RuntimeMBeanException:
 * java.lang.IllegalArgumentException: message} lines on standard error; both streams go to one file to keep
 * their order. {@code -n} is needed for a script. {@code run op ""} passes an empty string. To tell which
 * output belongs to which command, every command is preceded by {@code bean NAME}, which prints a marker
 * line in brief mode. {@code -u}/{@code -p} log in, {@code -s} reaches an SSL registry (with
 * {@code -Djavax.net.ssl.trustStore} on the jmxterm JVM).
 */
final class Jmxterm {

    static final String MARKER = "#bean is set to " + Remote.BEAN;

    private Jmxterm() {
    }

    static Path jar() {
        Path jar = Paths.get(System.getProperty("oomheapdump.jmxtermJar", "target/tools/jmxterm.jar")).toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), "the build copies jmxterm to " + jar);
        return jar;
    }

    /** The output of a session, one chunk per command, in order. */
    static final class Transcript {
        private final List<String> commands;
        private final List<String> chunks;
        private final String all;
        private final int exitCode;

        Transcript(List<String> commands, List<String> chunks, String all, int exitCode) {
            this.commands = commands;
            this.chunks = chunks;
            this.all = all;
            this.exitCode = exitCode;
        }

        /** What the {@code index}-th command printed (standard output and error, in order). */
        String output(int index) {
            return chunks.get(index);
        }

        String command(int index) {
            return commands.get(index);
        }

        /** What the first command equal to {@code command} printed. */
        String output(String command) {
            int index = commands.indexOf(command);
            assertTrue(index >= 0, "no command '" + command + "' in " + commands);
            return chunks.get(index);
        }

        /** The values printed by a command, without jmxterm's own '#' lines and blank lines. */
        List<String> values(String command) {
            int index = commands.indexOf(command);
            assertTrue(index >= 0, "no command '" + command + "' in " + commands);
            return values(index);
        }

        List<String> values(int index) {
            List<String> values = new ArrayList<>();
            for (String line : chunks.get(index).split("\n")) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    values.add(line);
                }
            }
            return values;
        }

        String all() {
            return all;
        }

        int exitCode() {
            return exitCode;
        }
    }

    /** A running jmxterm process, for a long call made from a second client. */
    static final class Running implements AutoCloseable {
        final Process process;
        final Path output;
        final List<String> commands;

        Running(Process process, Path output, List<String> commands) {
            this.process = process;
            this.output = output;
            this.commands = commands;
        }

        Transcript await(Duration atMost) throws IOException, InterruptedException {
            String all = awaitOutput(atMost);
            return transcript(commands, all, process.exitValue());
        }

        /** Everything jmxterm printed, for sessions that are refused before any command runs. */
        String awaitOutput(Duration atMost) throws IOException, InterruptedException {
            if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                fail("jmxterm did not finish within " + atMost + ":\n" + Files.readString(output));
            }
            return Files.readString(output, StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    /**
     * Runs the commands against the bean in one jmxterm process and returns their output.
     *
     * @param options extra jmxterm options ({@code -u user -p password -s})
     * @param jvmArgs options for jmxterm's JVM ({@code -Djavax.net.ssl.trustStore=...})
     */
    static Transcript run(Path workDir, int port, List<String> options, List<String> jvmArgs, List<String> commands)
            throws IOException, InterruptedException {
        try (Running running = start(workDir, port, options, jvmArgs, commands)) {
            return running.await(Duration.ofSeconds(90));
        }
    }

    static Transcript run(Path workDir, int port, List<String> commands) throws IOException, InterruptedException {
        return run(workDir, port, List.of(), List.of(), commands);
    }

    static Running start(Path workDir, int port, List<String> options, List<String> jvmArgs, List<String> commands)
            throws IOException {
        Files.createDirectories(workDir);
        Path script = Files.createTempFile(workDir, "jmxterm-", ".txt");
        StringBuilder text = new StringBuilder();
        for (String command : commands) {
            text.append("bean ").append(Remote.BEAN).append('\n').append(command).append('\n');
        }
        Files.writeString(script, text, StandardCharsets.UTF_8);
        Path output = workDir.resolve(script.getFileName() + ".out");
        List<String> cmd = new ArrayList<>();
        cmd.add(ChildJvm.javaHome().resolve("bin").resolve("java").toString());
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-jar", jar().toString(), "-l", "127.0.0.1:" + port, "-n", "-v", "brief",
                "-i", script.toString()));
        cmd.addAll(options);
        Process process = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        return new Running(process, output, List.copyOf(commands));
    }

    private static Transcript transcript(List<String> commands, String all, int exitCode) {
        List<String> chunks = new ArrayList<>();
        StringBuilder current = null;
        for (String line : all.split("\n", -1)) {
            if (line.equals(MARKER)) {
                if (current != null) {
                    chunks.add(current.toString());
                }
                current = new StringBuilder();
            } else if (current != null) {
                current.append(line).append('\n');
            }
        }
        if (current != null) {
            chunks.add(current.toString());
        }
        if (chunks.size() != commands.size()) {
            fail("jmxterm ran " + chunks.size() + " of " + commands.size() + " commands (exit " + exitCode + "):\n"
                    + all);
        }
        return new Transcript(commands, chunks, all, exitCode);
    }

    /** jmxterm's rendering of a byte[] ({@code [ 74, 65, -1 ]}) as bytes. */
    static byte[] bytes(String rendered) {
        String inner = rendered.trim();
        assertTrue(inner.startsWith("[") && inner.endsWith("]"), "a byte array: " + shorten(inner));
        inner = inner.substring(1, inner.length() - 1).trim();
        if (inner.isEmpty()) {
            return new byte[0];
        }
        String[] parts = inner.split(",");
        byte[] bytes = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            bytes[i] = Byte.parseByte(parts[i].trim());
        }
        return bytes;
    }

    static String shorten(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }
}
