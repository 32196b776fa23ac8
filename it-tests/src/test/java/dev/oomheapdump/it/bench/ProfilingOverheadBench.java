package dev.oomheapdump.it.bench;

import dev.oomheapdump.it.ChildJvm;
import dev.oomheapdump.it.ChildOutputOnFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.oomheapdump.it.bench.BenchSupport.Stats;
import static dev.oomheapdump.it.bench.BenchSupport.ask;
import static dev.oomheapdump.it.bench.BenchSupport.fmt;
import static dev.oomheapdump.it.bench.BenchSupport.row;
import static dev.oomheapdump.it.bench.BenchSupport.word;

/**
 * 5. What a CPU profile costs the application while it records: throughput of {@link AllocWorkload} in windows
 * during {@code createCpuProfile} (JFR, over remote JMX) against windows without, in the same JVM. Windows
 * are balanced (base, profile, profile, base; mirrored in every other run). The first profile of a JVM, which
 * starts JFR, is made before the windows and reported on its own.
 */
@ExtendWith(ChildOutputOnFailure.class)
class ProfilingOverheadBench {

    record Run(double wallRatio, double cpuRatio, double coldExtraMillis) {
    }

    @Test
    void profilingOverhead() throws Exception {
        boolean quick = BenchSupport.quick();
        Duration warmup = Duration.ofMillis(quick ? 1500 : 2500);
        Duration window = Duration.ofMillis(quick ? 1500 : 3000);
        Path dir = BenchSupport.freshWorkDir("profile");
        String loadBefore = BenchSupport.loadAverage();
        List<Run> runs = new ArrayList<>();
        for (int i = 0; i < BenchSupport.runs(); i++) {
            Run run = runOnce(dir, warmup, window, i % 2 == 1);
            runs.add(run);
            System.out.printf("[bench] profile run %d: wall ratio %.3f, per-CPU ratio %.3f, first profile +%.0f ms%n",
                    i + 1, run.wallRatio, run.cpuRatio, run.coldExtraMillis);
        }
        BenchSupport.deleteTree(dir);
        Stats wall = Stats.of(runs.stream().map(Run::wallRatio).toList());
        Stats cpu = Stats.of(runs.stream().map(Run::cpuRatio).toList());
        StringBuilder sb = new StringBuilder("## 5. Profiling overhead\n\n");
        sb.append("`AllocWorkload` (as in 1.), G1, JDK ").append(ChildJvm.javaFeature()).append(", agent with a JMX port. ")
                .append("In each JVM, after ").append(fmt(warmup.toMillis() / 1000.0, 1)).append(" s of warm-up and one ")
                .append("1 s profile to start JFR, four windows of ").append(fmt(window.toMillis() / 1000.0, 1))
                .append(" s: without, with `createCpuProfile(name, ").append(window.toMillis()).append(")` over remote ")
                .append("JMX, with, without (mirrored in every other run). Ratio = ops in the profiled windows / ops in ")
                .append("the others; per CPU-second divides by the process's CPU time, JFR's threads included. The ")
                .append("window spans the whole JMX call: JFR start, recording, stop and file write.\n\n");
        sb.append(BenchSupport.table(List.of("runs", "throughput ratio (wall clock)", "ops per CPU-second ratio",
                        "goal ≥ 0.98", "first profile in a JVM: time beyond its 1 s"),
                List.of(row(Integer.toString(runs.size()), wall.format(3), cpu.format(3),
                        cpu.median() >= 0.98 ? "met (per CPU-second)" : "not met (per CPU-second)",
                        Stats.of(runs.stream().map(Run::coldExtraMillis).toList()).format(0) + " ms"))));
        sb.append("\nLoad average (1/5/15 min) before / after: ").append(loadBefore).append(" → ")
                .append(BenchSupport.loadAverage()).append("\n");
        BenchReport.section(5, "profile", sb.toString());
    }

    private Run runOnce(Path dir, Duration warmup, Duration window, boolean profileFirst) throws Exception {
        try (ChildJvm child = ChildJvm.builder().heap("512m").gc("G1").agent("").directory(dir)
                .mainClass(AllocWorkload.class.getName()).args("524288").start()) {
            child.awaitLine("READY", Duration.ofSeconds(60));
            MBeanServerConnection connection = child.connect();
            ObjectName bean = new ObjectName(ChildJvm.OBJECT_NAME);
            BenchSupport.sleep(warmup);
            long start = System.nanoTime();
            profile(connection, bean, "cold", 1000);
            double coldExtra = (System.nanoTime() - start) / 1e6 - 1000;
            boolean[] profiled = profileFirst ? new boolean[]{true, false, false, true} : new boolean[]{false, true, true, false};
            double[] ops = new double[2];
            double[] nanos = new double[2];
            double[] cpu = new double[2];
            for (int w = 0; w < profiled.length; w++) {
                String c0 = ask(child, "count", "COUNT", Duration.ofSeconds(30));
                if (profiled[w]) {
                    profile(connection, bean, "window-" + w, window.toMillis());
                } else {
                    BenchSupport.sleep(window);
                }
                String c1 = ask(child, "count", "COUNT", Duration.ofSeconds(30));
                int k = profiled[w] ? 1 : 0;
                ops[k] += word(c1, 1) - word(c0, 1);
                nanos[k] += word(c1, 2) - word(c0, 2);
                cpu[k] += word(c1, 3) - word(c0, 3);
            }
            connection.invoke(bean, "deleteAllCpuProfiles", new Object[0], new String[0]);
            child.send("exit");
            child.awaitExit(Duration.ofSeconds(30));
            return new Run((ops[1] / nanos[1]) / (ops[0] / nanos[0]), (ops[1] / cpu[1]) / (ops[0] / cpu[0]), coldExtra);
        }
    }

    private static void profile(MBeanServerConnection connection, ObjectName bean, String name, long millis)
            throws Exception {
        String path = (String) connection.invoke(bean, "createCpuProfile", new Object[]{name, millis},
                new String[]{String.class.getName(), long.class.getName()});
        if (!Files.isRegularFile(Paths.get(path)) || Files.size(Paths.get(path)) == 0) {
            throw new IllegalStateException("the CPU profile " + path + " is missing or empty");
        }
    }
}
