package dev.oomheapdump.it.bench;

import dev.oomheapdump.it.ChildJvm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Collects the benchmarks' sections into {@code it-tests/target/bench/BENCHMARKS.md}, ready to be copied to the
 * root {@code BENCHMARKS.md}: a header with the command, the setting and the machine, then one section per
 * benchmark, in a fixed order. Every benchmark rewrites the whole file after writing its own section, so the
 * file is complete after the last one. Sections left by an earlier Maven run are not taken.
 */
final class BenchReport {

    private BenchReport() {
    }

    /** Writes one section, prints it, and rebuilds the report from the sections of this run. */
    static void section(int order, String id, String markdown) {
        Path sections = BenchSupport.outDir().resolve("sections");
        try {
            Files.createDirectories(sections);
            Files.writeString(sections.resolve(String.format("%02d-%s.md", order, id)), markdown);
            System.out.println("\n" + markdown);
            Path report = BenchSupport.outDir().resolve("BENCHMARKS.md");
            Files.writeString(report, assemble(sections));
            System.out.println("[bench] report: " + report);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String assemble(Path sections) throws IOException {
        long runStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        List<Path> parts = new ArrayList<>();
        try (Stream<Path> files = Files.list(sections)) {
            for (Path p : files.sorted().toList()) {
                if (Files.getLastModifiedTime(p).toMillis() >= runStart) {
                    parts.add(p);
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("# Benchmarks\n\n");
        sb.append("What oom-heapdump costs the application and how well it catches an OutOfMemoryError, measured on ")
                .append("whole child JVMs. Every figure is a ratio against a baseline measured in the same run, ")
                .append("with runs of baseline and candidate interleaved so that machine noise hits both; ")
                .append("\"median (min–max)\" over the runs. Absolute numbers are there for context only.\n\n");
        sb.append("- Command: `").append(BenchSupport.COMMAND).append(BenchSupport.quick() ? " -Dbench.quick=true" : "")
                .append("` (from the repository root)\n");
        sb.append("- Setting: ").append(BenchSupport.setting()).append("\n");
        sb.append("- Written: ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append("\n\n");
        sb.append(machine()).append("\n");
        for (Path p : parts) {
            sb.append(Files.readString(p)).append("\n");
        }
        return sb.toString();
    }

    /** nproc, memory, CPU, kernel, JDKs, disk. */
    static String machine() {
        List<List<String>> rows = new ArrayList<>();
        rows.add(BenchSupport.row("CPUs (nproc)", Integer.toString(Runtime.getRuntime().availableProcessors())
                + cpuModel().map(m -> ", " + m).orElse("")));
        rows.add(BenchSupport.row("memory", memTotal()));
        rows.add(BenchSupport.row("kernel", System.getProperty("os.name") + " " + System.getProperty("os.version")));
        rows.add(BenchSupport.row("JDK " + ChildJvm.javaFeature() + " (runs the benchmarks)",
                BenchSupport.describeJdk(ChildJvm.javaHome())));
        rows.add(BenchSupport.row("JDK 25", BenchSupport.jdk25().map(BenchSupport::describeJdk).orElse("not found")));
        rows.add(BenchSupport.row("disk (bench folder)", disk()));
        rows.add(BenchSupport.row("load average (1/5/15 min) when written", BenchSupport.loadAverage()));
        return "## Machine\n\n" + BenchSupport.table(List.of("", ""), rows);
    }

    private static Optional<String> cpuModel() {
        try (Stream<String> lines = Files.lines(Paths.get("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst();
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
    }

    private static String memTotal() {
        try (Stream<String> lines = Files.lines(Paths.get("/proc/meminfo"))) {
            return lines.filter(l -> l.startsWith("MemTotal:")).map(l -> {
                long kib = Long.parseLong(l.replaceAll("\\D", ""));
                return BenchSupport.fmt(kib / 1024.0 / 1024.0, 1) + " GiB";
            }).findFirst().orElse("n/a");
        } catch (IOException | UncheckedIOException e) {
            return "n/a";
        }
    }

    /** Device, type, size and free space of the file system holding the bench folder, from {@code df}. */
    private static String disk() {
        try {
            Path dir = BenchSupport.outDir();
            Files.createDirectories(dir);
            BenchSupport.Exec df = BenchSupport.exec(Duration.ofSeconds(10), "df", "-h", "-T", dir.toString());
            String[] lines = df.output().trim().split("\n");
            String[] w = lines[lines.length - 1].trim().split("\\s+");
            String name = Paths.get(w[0]).getFileName().toString();
            String rotational = "";
            Path rota = Paths.get("/sys/block", name, "queue", "rotational");
            if (name.startsWith("vd")) {
                rotational = ", virtio virtual disk";
            } else if (Files.exists(rota)) {
                rotational = Files.readString(rota).trim().equals("1") ? ", rotational" : ", non-rotational";
            }
            return name + " (" + w[1] + ", " + w[2] + ", " + w[4] + " free" + rotational + ")";
        } catch (IOException | InterruptedException | RuntimeException e) {
            return "n/a";
        }
    }
}
