package dev.oomheapdump.it.bench;

import dev.oomheapdump.it.ChildJvm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * What every benchmark shares: the setting (quick or full, how many runs), where they write, running a
 * command with a bounded wait, talking to a child over its standard input, and small statistics.
 *
 * <p>Benchmarks are not tests: they assert nothing about timings. They fail only on real errors (a child
 * that crashed or hung, a file that is missing or incomplete).
 */
final class BenchSupport {

    /** The command the README documents; printed into the report so that a reader can run it again. */
    static final String COMMAND = "mvn -B -Pbench -pl it-tests -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false";

    private BenchSupport() {
    }

    /** {@code -Dbench.quick=true}: small heaps, short windows, fewer runs; for development, not for the record. */
    static boolean quick() {
        return Boolean.getBoolean("bench.quick");
    }

    /** Runs per measurement: {@code -Dbench.runs=N}, else 3 in the quick setting and 5 in the full one. */
    static int runs() {
        return Integer.getInteger("bench.runs", quick() ? 3 : 5);
    }

    static String setting() {
        return (quick() ? "quick" : "full") + " setting, " + runs() + " runs";
    }

    /** {@code it-tests/target/bench}: the report and, while a benchmark runs, its child JVMs' files. */
    static Path outDir() {
        Path workDir = Paths.get(System.getProperty("oomheapdump.workDir", "target/it-work")).toAbsolutePath();
        return workDir.getParent().resolve("bench");
    }

    /** A fresh, empty work folder for one benchmark (deleted and made again). */
    static Path freshWorkDir(String name) {
        Path dir = outDir().resolve("work").resolve(name);
        deleteTree(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes the regular files (hidden ones too) in a folder, keeping the folder. */
    static void deleteFiles(Path dir) {
        for (Path p : ChildJvm.files(dir)) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Fails before writing big files when the disk has less room than that. */
    static void requireFreeSpace(Path dir, long bytes) throws IOException {
        long usable = Files.getFileStore(dir).getUsableSpace();
        if (usable < bytes) {
            throw new IOException("Only " + usable / (1 << 20) + " MiB free in " + dir + ", the benchmark needs "
                    + bytes / (1 << 20) + " MiB");
        }
    }

    // ---- JDKs ----------------------------------------------------------------------------------------------

    /**
     * A second JDK of feature release 25: {@code -Dbench.jdk25=DIR}, else {@code $JDK25_HOME}, else a sibling of
     * the JDK that runs the benchmarks whose {@code release} file says 25. Empty when none is found.
     */
    static Optional<Path> jdk25() {
        String configured = System.getProperty("bench.jdk25", System.getenv("JDK25_HOME"));
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Paths.get(configured));
        }
        Path home = ChildJvm.javaHome();
        if (ChildJvm.javaFeature() == 25) {
            return Optional.of(home);
        }
        Path parent = home.getParent();
        if (home.getFileName().toString().equals("jre")) {
            parent = home.getParent().getParent();
        }
        try (Stream<Path> siblings = Files.list(parent)) {
            return siblings.filter(p -> Files.isExecutable(p.resolve("bin").resolve("java")))
                    .filter(p -> releaseVersion(p).startsWith("25")).sorted().findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** JAVA_VERSION from a JDK's {@code release} file, empty when unreadable. */
    static String releaseVersion(Path jdk) {
        try {
            return Files.readAllLines(jdk.resolve("release")).stream().filter(l -> l.startsWith("JAVA_VERSION="))
                    .map(l -> l.substring("JAVA_VERSION=".length()).replace("\"", "")).findFirst().orElse("");
        } catch (IOException e) {
            return "";
        }
    }

    /** "17.0.15 (Debian)": version and implementor from a JDK's {@code release} file. */
    static String describeJdk(Path jdk) {
        try {
            List<String> lines = Files.readAllLines(jdk.resolve("release"));
            String runtime = value(lines, "JAVA_RUNTIME_VERSION");
            String implementor = value(lines, "IMPLEMENTOR");
            return (runtime.isEmpty() ? value(lines, "JAVA_VERSION") : runtime)
                    + (implementor.isEmpty() ? "" : " (" + implementor + ")");
        } catch (IOException e) {
            return jdk.getFileName().toString();
        }
    }

    private static String value(List<String> lines, String key) {
        return lines.stream().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1).replace("\"", ""))
                .findFirst().orElse("");
    }

    // ---- processes -----------------------------------------------------------------------------------------

    record Exec(int exit, String output, long nanos) {
    }

    /** Runs a command (stderr into stdout), waiting at most {@code timeout}; fails when it does not end. */
    static Exec exec(Duration timeout, String... command) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[][] out = new byte[1][];
        Thread reader = new Thread(() -> {
            try {
                out[0] = process.getInputStream().readAllBytes();
            } catch (IOException e) {
                out[0] = new byte[0];
            }
        }, "bench-exec-output");
        reader.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IOException("Timed out after " + timeout + ": " + String.join(" ", command));
        }
        long nanos = System.nanoTime() - start;
        reader.join(10_000);
        return new Exec(process.exitValue(), out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8), nanos);
    }

    /**
     * Sends a command to a child and waits for the first new output line that starts with {@code prefix};
     * fails fast, with the child's output, when the child dies.
     */
    static String ask(ChildJvm child, String command, String prefix, Duration atMost) {
        int before = child.lines().size();
        child.send(command);
        return awaitLineAfter(child, before, prefix, atMost);
    }

    /** Waits for an output line starting with {@code prefix} at index {@code from} or later. */
    static String awaitLineAfter(ChildJvm child, int from, String prefix, Duration atMost) {
        Predicate<String> wanted = l -> l.startsWith(prefix);
        String[] found = new String[1];
        child.await(atMost, "the child prints '" + prefix + "'").pollInterval(Duration.ofMillis(5)).until(() -> {
            List<String> lines = child.lines();
            for (int i = from; i < lines.size(); i++) {
                if (wanted.test(lines.get(i))) {
                    found[0] = lines.get(i);
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    /** The whitespace-separated word {@code index} of a line, as a long. */
    static long word(String line, int index) {
        return Long.parseLong(line.trim().split("\\s+")[index]);
    }

    static void sleep(Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis());
    }

    // ---- statistics and formatting -------------------------------------------------------------------------

    /** Median, min and max of a sample. */
    record Stats(double median, double min, double max, int n) {

        static Stats of(List<Double> values) {
            if (values.isEmpty()) {
                return new Stats(Double.NaN, Double.NaN, Double.NaN, 0);
            }
            double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            int n = v.length;
            double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
            return new Stats(median, v[0], v[n - 1], n);
        }

        /** "0.995 (0.981–1.004)" with the given decimals. */
        String format(int decimals) {
            if (n == 0) {
                return "n/a";
            }
            return fmt(median, decimals) + " (" + fmt(min, decimals) + "–" + fmt(max, decimals) + ")";
        }
    }

    /** The statistics of one measure over a series. */
    static <T> Stats stat(List<T> items, java.util.function.ToDoubleFunction<T> measure) {
        return Stats.of(items.stream().map(measure::applyAsDouble).toList());
    }

    /** The statistics of a measure's per-round ratio between a series and its baseline (the same rounds). */
    static <T> Stats ratios(List<T> items, List<T> baseline, java.util.function.ToDoubleFunction<T> measure) {
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            ratios.add(measure.applyAsDouble(items.get(i)) / measure.applyAsDouble(baseline.get(i)));
        }
        return Stats.of(ratios);
    }

    static String fmt(double value, int decimals) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /** A Markdown table from a header row and data rows. */
    static String table(List<String> header, List<List<String>> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| ").append(String.join(" | ", header)).append(" |\n");
        sb.append("|").append("---|".repeat(header.size())).append("\n");
        for (List<String> row : rows) {
            sb.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        return sb.toString();
    }

    static List<String> row(String... cells) {
        return new ArrayList<>(Arrays.asList(cells));
    }

    /** The 1, 5 and 15 minute load averages, to show what else ran on the machine. */
    static String loadAverage() {
        try {
            String[] words = Files.readString(Paths.get("/proc/loadavg")).trim().split("\\s+");
            return words[0] + " / " + words[1] + " / " + words[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }
}
