package dev.oomheapdump.core.job;

import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.OomPolicy;
import dev.oomheapdump.core.ShipTarget;
import dev.oomheapdump.core.store.ArtifactStore;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The uploader as a process: its command line (the agent jar's {@code ship} command with this JVM's java, low
 * priority, a session of its own, a small heap), its environment, and its log in the directory, which is where its
 * words on each file are read ({@code not shipped FILE: reason}), by the JVM that started it or, once that JVM is
 * gone, by anyone ({@link #notShippedBecause}).
 */
public final class UploaderProcess {

    /** The uploader's main class: the agent jar's command line. */
    static final String MAIN = "dev.oomheapdump.mbean.cli.Cli";
    /** The uploaders' logs in the directory: {@code LOG_PREFIX<pid of the JVM>-<n>.log}, hidden. */
    public static final String LOG_PREFIX = ".oom-heapdump-ship-";
    /** The log of the last uploader that failed, kept for people. */
    static final String FAILED_LOG = ".oom-heapdump-ship-failed.log";
    /** How the ship command starts its line on a file it did not ship. */
    private static final String NOT_SHIPPED = "not shipped ";

    private UploaderProcess() {
    }

    /** The log of this JVM's {@code n}th uploader. */
    static Path log(Path directory, int n) {
        return directory.resolve(LOG_PREFIX + ProcessHandle.current().pid() + "-" + n + ".log");
    }

    /** The uploader runs with the JVM's environment but none of its JVM options (an agent of the host's, a heap). */
    static void clean(Map<String, String> environment) {
        environment.remove("JAVA_TOOL_OPTIONS");
        environment.remove("JDK_JAVA_OPTIONS");
        environment.remove("_JAVA_OPTIONS");
    }

    /** The uploader's command line. */
    static List<String> command(OomPolicy p, ArtifactStore.Maker maker, List<Artifact> files) throws IOException {
        List<String> command = new ArrayList<>();
        if (executable("setsid")) {
            command.add("setsid"); // a session of its own: a signal to the JVM's process group does not reach it
        }
        if (executable("nice")) {
            command.addAll(List.of("nice", "-n", "19"));
        }
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-Djava.awt.headless=true");
        command.add("-cp");
        command.add(ownClassPath());
        command.add(MAIN);
        command.add("ship");
        command.add("--to");
        command.add(p.ship());
        if (!p.shipEndpoint().isEmpty()) {
            command.add("--endpoint");
            command.add(p.shipEndpoint());
        }
        command.addAll(List.of("--host", ShipTarget.localHost(), "--started", ShipTarget.startedText(maker.startMillis()),
                "--pid", Long.toString(maker.pid())));
        for (Artifact file : files) {
            command.add(file.path().toString());
        }
        return command;
    }

    private static boolean executable(String name) {
        return Files.isExecutable(Path.of("/usr/bin", name)) || Files.isExecutable(Path.of("/bin", name));
    }

    /** The agent jar (or the build's classes folder): the uploader's class path. */
    private static String ownClassPath() throws IOException {
        try {
            return Paths.get(UploaderProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
        } catch (URISyntaxException | RuntimeException e) {
            throw new IOException("Cannot tell where oom-heapdump's classes are, to start the uploader: " + e, e);
        }
    }

    /** The uploader's words on a file: its {@code not shipped FILE: reason} line, else its last line. */
    static String reason(List<String> lines, String file) {
        return saidOn(lines, file).orElseGet(() -> lines.stream().filter(l -> !l.isBlank()).reduce((a, b) -> b)
                .map(String::trim).orElse("(it said nothing)"));
    }

    /**
     * An uploader's reason for not shipping {@code file}, from the logs in its folder: what tells after the JVM that
     * started the uploader is gone (the demo, a person).
     */
    public static Optional<String> notShippedBecause(Path file) {
        try (DirectoryStream<Path> logs = Files.newDirectoryStream(file.toAbsolutePath().getParent(),
                LOG_PREFIX + "*.log")) {
            for (Path log : logs) {
                Optional<String> said = saidOn(readLines(log), file.toString());
                if (said.isPresent()) {
                    return said;
                }
            }
        } catch (IOException | RuntimeException e) {
            // no folder, no logs: nothing said
        }
        return Optional.empty();
    }

    /** The reason in an uploader's {@code not shipped FILE: reason} line on a file. */
    private static Optional<String> saidOn(List<String> lines, String file) {
        String prefix = NOT_SHIPPED + file + ": ";
        return lines.stream().filter(l -> l.startsWith(prefix)).findFirst().map(l -> l.substring(prefix.length()).trim());
    }

    /** Logs of uploaders whose JVM exited before them (nobody read them) are deleted after a day. */
    static void deleteOldLogs(Path directory) {
        long dayAgo = System.currentTimeMillis() - 86_400_000L;
        try (DirectoryStream<Path> logs = Files.newDirectoryStream(directory, LOG_PREFIX + "*.log")) {
            for (Path log : logs) {
                if (!log.getFileName().toString().equals(FAILED_LOG)
                        && Files.getLastModifiedTime(log).toMillis() < dayAgo) {
                    deleteQuietly(log);
                }
            }
        } catch (IOException | RuntimeException e) {
            // left for the next start
        }
    }

    static List<String> readLines(Path log) {
        try {
            return Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // a hidden log left behind
        }
    }
}
