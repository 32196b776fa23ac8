package dev.oomheapdump.core.job;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link AnalysisMain} in a separate JVM on this host: low priority ({@code nice}, and {@code ionice} idle
 * class where present), its heap sized from the dump, and none of the monitored JVM's agent options (the
 * {@code JAVA_TOOL_OPTIONS} that may carry this very agent are removed from its environment).
 */
final class OffProcess {

    /** The analysis peaks at about this share of the dump, heap and memory-mapped tables together (measured
     * 0.41–0.48 on dumps of 0.65 and 1.2 GB; a margin on top). */
    static final double PEAK_SHARE = 0.6;
    static final long MIN_HEAP = 96L << 20;
    static final long JVM_OVERHEAD = 96L << 20;

    private OffProcess() {
    }

    /** The analysis JVM's {@code -Xmx} for a dump of this size: a quarter of it, at least 96 MiB. */
    static long heapFor(long dumpBytes) {
        return Math.max(MIN_HEAP, dumpBytes / 4);
    }

    /** What the analysis may take at its peak, heap and mapped tables together. */
    static long peakFor(long dumpBytes) {
        return Math.max(heapFor(dumpBytes), (long) (dumpBytes * PEAK_SHARE)) + JVM_OVERHEAD;
    }

    /** The command line, without the environment. */
    static List<String> command(Path dump, Path json, Path text, long heap) throws IOException {
        List<String> command = new ArrayList<>();
        if (executable("/usr/bin/nice") || executable("/bin/nice")) {
            command.addAll(List.of("nice", "-n", "19"));
        }
        if (executable("/usr/bin/ionice") || executable("/bin/ionice")) {
            command.addAll(List.of("ionice", "-c", "3"));
        }
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + (heap >> 20) + "m");
        command.add("-XX:+UseSerialGC");
        command.add("-Djava.awt.headless=true");
        command.add("-cp");
        command.add(ownClassPath());
        command.add(AnalysisMain.class.getName());
        command.add(dump.toString());
        command.add(json.toString());
        command.add(text.toString());
        return command;
    }

    private static boolean executable(String path) {
        return Files.isExecutable(Path.of(path));
    }

    /** Where this class came from: the agent jar, or the build's classes folder. */
    private static String ownClassPath() throws IOException {
        try {
            return Paths.get(AnalysisMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException | RuntimeException e) {
            throw new IOException("Cannot tell where oom-heapdump's classes are, to start the analysis: " + e, e);
        }
    }

    /**
     * Runs the analysis and waits for it.
     *
     * @throws IllegalArgumentException when the dump is damaged or truncated (the process's own words)
     * @throws IOException              when the process fails otherwise, or does not end within {@code timeout}
     */
    static void run(Path dump, Path json, Path text, long heap, Duration timeout) throws IOException,
            InterruptedException {
        Path log = Files.createTempFile("oom-heapdump-analysis", ".log");
        Process process = null;
        try {
            ProcessBuilder builder = new ProcessBuilder(command(dump, json, text, heap)).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().remove("JAVA_TOOL_OPTIONS");
            builder.environment().remove("JDK_JAVA_OPTIONS");
            builder.environment().remove("_JAVA_OPTIONS");
            process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException("The analysis of " + dump + " did not end within " + timeout.toMinutes()
                        + " minutes; it was stopped");
            }
            int code = process.exitValue();
            if (code == 0) {
                return;
            }
            String said = lastLine(log);
            if (code == 2) {
                throw new IllegalArgumentException("Cannot analyze " + dump.getFileName() + ": " + said);
            }
            throw new IOException("The analysis of " + dump.getFileName() + " failed (exit " + code + "): " + said);
        } finally {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
            }
            Files.deleteIfExists(log);
        }
    }

    private static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank()) {
                    return lines.get(i).trim();
                }
            }
            return "(it said nothing)";
        } catch (IOException e) {
            return "(its output could not be read: " + e + ")";
        }
    }
}
