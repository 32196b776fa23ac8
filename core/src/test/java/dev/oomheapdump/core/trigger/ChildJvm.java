package dev.oomheapdump.core.trigger;

import org.objectweb.asm.ClassReader;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;

/**
 * Runs {@link TrapApp} in a child JVM (the same {@code java.home} as the test, so the suite covers every JDK
 * the build runs on) with {@link TrapAgent} as {@code -javaagent}. The agent jar is made here: a manifest
 * only; the classes come from the child's class path (core's classes, the test classes and ASM).
 */
final class ChildJvm {

    private static final long TIMEOUT_SECONDS = 120;

    private ChildJvm() {
    }

    /** What a child printed, and how it ended. */
    record Result(int exitCode, List<String> out, List<String> err) {

        /** Output lines that are neither the application's ({@code APP}) nor the handler's ({@code TRAP}). */
        List<String> foreign() {
            List<String> lines = new ArrayList<>();
            out.stream().filter(l -> !l.startsWith("APP ") && !l.startsWith("TRAP ")).forEach(lines::add);
            lines.addAll(err);
            return lines;
        }

        List<String> trapLines() {
            return out.stream().filter(l -> l.startsWith("TRAP ")).collect(Collectors.toList());
        }

        int indexOf(String prefix) {
            for (int i = 0; i < out.size(); i++) {
                if (out.get(i).startsWith(prefix)) {
                    return i;
                }
            }
            return -1;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + String.join("\n", out) + "\n--- stderr\n" + String.join("\n", err);
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A jar with a manifest only, naming {@link TrapAgent} and saying whether it may retransform. */
    static Path agentJar(Path dir, boolean canRetransform) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Premain-Class", TrapAgent.class.getName());
        main.putValue("Can-Retransform-Classes", Boolean.toString(canRetransform));
        Path jar = dir.resolve(canRetransform ? "trap-agent.jar" : "trap-agent-no-retransform.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(out, manifest)) {
            return jar;
        }
    }

    /** Core's classes, the test classes and the ASM jar, wherever this build keeps them. */
    static String classPath() {
        return String.join(java.io.File.pathSeparator,
                location(OomTrap.class), location(TrapAgent.class), location(ClassReader.class));
    }

    private static String location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs {@code prefix... java flags... -javaagent:agentJar=agentArgs -cp ... TrapApp scenario} and waits
     * for it, at most two minutes.
     */
    static Result run(Path dir, List<String> prefix, List<String> flags, Path agentJar, String agentArgs,
                      String scenario) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(prefix);
        command.add(java());
        command.addAll(flags);
        command.add("-javaagent:" + agentJar + "=" + agentArgs);
        command.add("-cp");
        command.add(classPath());
        command.add(TrapApp.class.getName());
        command.add(scenario);
        Path out = Files.createTempFile(dir, scenario, ".out");
        Path err = Files.createTempFile(dir, scenario, ".err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("child did not end within " + TIMEOUT_SECONDS + " s: " + command
                        + "\n" + read(out) + "\n" + read(err));
            }
        } finally {
            process.destroyForcibly();
        }
        return new Result(process.exitValue(), read(out), read(err));
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
