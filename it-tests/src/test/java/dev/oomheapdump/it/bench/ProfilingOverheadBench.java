package dev.oomheapdump.it.bench;

import dev.oomheapdump.it.ChildJvm;
import dev.oomheapdump.it.ChildOutputOnFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.management.Attribute;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static dev.oomheapdump.it.bench.BenchSupport.Stats;
import static dev.oomheapdump.it.bench.BenchSupport.ask;
import static dev.oomheapdump.it.bench.BenchSupport.fmt;
import static dev.oomheapdump.it.bench.BenchSupport.row;
import static dev.oomheapdump.it.bench.BenchSupport.word;

/**
 * 5. What a profile costs the application while it records, per engine and event, and what making its views costs.
 *
 * <p>Overhead: throughput of {@link AllocWorkload} in windows during {@code createProfile(name, event, window)}
 * (over remote JMX) against windows without, in the same JVM, for async-profiler (cpu, alloc, lock, wall) and JDK
 * Flight Recorder ({@code Profiler=jfr}: cpu, alloc, lock), at the engines' default intervals. During these windows
 * {@code ProfileFormats} is {@code jfr}, so no flame graph is made inside them; one more configuration (async-profiler,
 * cpu, the default {@code jfr,html}) shows what the default costs with the view made in the target. Per configuration
 * the windows are balanced (base, profile, profile, base; mirrored in every other run); one JVM per run takes every
 * configuration, the engines' order alternating and the events' order rotating from run to run. Before each
 * configuration's windows one 1 s profile of it warms it up; the first of each engine in a JVM is reported.
 *
 * <p>Conversion: see {@link ProfileConversion}.
 *
 * <p>{@code -Dbench.profile.parts=overhead,conversion} (the default: both) runs one part while developing.
 */
@ExtendWith(ChildOutputOnFailure.class)
class ProfilingOverheadBench {

    static final String ASYNC = "ASYNC_PROFILER";
    static final String JFR = "JFR";

    /** One configuration: the engine expected ({@code ProfilerEngine}), the event, and {@code ProfileFormats}. */
    record Config(String engine, String event, String formats) {

        String profilerAttribute() {
            return engine.equals(JFR) ? "jfr" : "auto";
        }

        String engineLabel() {
            return engine.equals(JFR) ? "JDK Flight Recorder (`Profiler=jfr`)" : "async-profiler";
        }

        boolean viewsInWindow() {
            return !formats.equals("jfr");
        }

        String key() {
            return engine + " " + event + " " + formats;
        }
    }

    /** One configuration in one JVM. */
    record Measured(double wallRatio, double cpuRatio, double callExtraMillis, double samplesPerSecond, long jfrBytes) {
    }

    static final List<Config> ASYNC_CONFIGS = List.of(new Config(ASYNC, "cpu", "jfr"), new Config(ASYNC, "alloc", "jfr"),
            new Config(ASYNC, "lock", "jfr"), new Config(ASYNC, "wall", "jfr"), new Config(ASYNC, "cpu", "jfr,html"));
    static final List<Config> JFR_CONFIGS = List.of(new Config(JFR, "cpu", "jfr"), new Config(JFR, "alloc", "jfr"),
            new Config(JFR, "lock", "jfr"));

    private static Set<String> parts() {
        return Set.of(System.getProperty("bench.profile.parts", "overhead,conversion").split(","));
    }

    @Test
    void profilingOverhead() throws Exception {
        StringBuilder sb = new StringBuilder("## 5. Profiling overhead\n\n");
        if (parts().contains("overhead")) {
            sb.append(overhead());
        }
        if (parts().contains("conversion")) {
            sb.append(new ProfileConversion().measure());
        }
        BenchReport.section(5, "profile", sb.toString());
    }

    // ---- overhead -------------------------------------------------------------------------------------------

    private String overhead() throws Exception {
        boolean quick = BenchSupport.quick();
        Duration warmup = Duration.ofMillis(quick ? 1500 : 2500);
        Duration window = Duration.ofMillis(quick ? 1500 : 3000);
        Path dir = BenchSupport.freshWorkDir("profile");
        String loadBefore = BenchSupport.loadAverage();
        Map<String, List<Measured>> results = new LinkedHashMap<>();
        Map<String, List<Double>> firstProfile = new LinkedHashMap<>();
        Set<String> cpuSamplers = new TreeSet<>();
        List<String> runLoads = new ArrayList<>();
        for (Config c : all()) {
            results.put(c.key(), new ArrayList<>());
        }
        firstProfile.put(ASYNC, new ArrayList<>());
        firstProfile.put(JFR, new ArrayList<>());
        for (int i = 0; i < BenchSupport.runs(); i++) {
            List<Config> order = new ArrayList<>();
            List<List<Config>> groups = i % 2 == 0 ? List.of(ASYNC_CONFIGS, JFR_CONFIGS) : List.of(JFR_CONFIGS, ASYNC_CONFIGS);
            for (List<Config> group : groups) {
                for (int k = 0; k < group.size(); k++) {
                    order.add(group.get((k + i) % group.size()));
                }
            }
            runLoads.add(BenchSupport.loadAverage().split(" ")[0]);
            runOnce(i, dir, warmup, window, order, results, firstProfile, cpuSamplers);
        }
        BenchSupport.deleteTree(dir);
        return overheadReport(warmup, window, results, firstProfile, cpuSamplers, runLoads, loadBefore);
    }

    private static List<Config> all() {
        List<Config> all = new ArrayList<>(ASYNC_CONFIGS);
        all.addAll(JFR_CONFIGS);
        return all;
    }

    private void runOnce(int run, Path dir, Duration warmup, Duration window, List<Config> order,
                         Map<String, List<Measured>> results, Map<String, List<Double>> firstProfile,
                         Set<String> cpuSamplers) throws Exception {
        boolean profileFirst = run % 2 == 1;
        try (ChildJvm child = ChildJvm.builder().heap("512m").gc("G1").agent("").directory(dir)
                .mainClass(AllocWorkload.class.getName()).args("524288").start()) {
            child.awaitLine("READY", Duration.ofSeconds(60));
            MBeanServerConnection connection = child.connect();
            ObjectName bean = new ObjectName(ChildJvm.OBJECT_NAME);
            BenchSupport.sleep(warmup);
            Set<String> enginesStarted = new TreeSet<>();
            int seq = 0;
            for (Config c : order) {
                connection.setAttribute(bean, new Attribute("Profiler", c.profilerAttribute()));
                connection.setAttribute(bean, new Attribute("ProfileFormats", c.formats()));
                long start = System.nanoTime();
                profile(connection, bean, "warm-" + seq++, c.event(), 1000);
                double extra = (System.nanoTime() - start) / 1e6 - 1000;
                if (enginesStarted.add(c.engine())) {
                    firstProfile.get(c.engine()).add(extra);
                }
                String engine = (String) connection.getAttribute(bean, "ProfilerEngine");
                if (!engine.equals(c.engine())) {
                    throw new IllegalStateException("expected " + c.engine() + " to record " + c + ", ProfilerEngine is "
                            + engine + "\n" + child.output());
                }
                boolean[] profiled = profileFirst ? new boolean[]{true, false, false, true} : new boolean[]{false, true, true, false};
                double[] ops = new double[2];
                double[] nanos = new double[2];
                double[] cpu = new double[2];
                List<Double> callExtra = new ArrayList<>();
                long samples = 0;
                long bytes = 0;
                for (int w = 0; w < profiled.length; w++) {
                    String c0 = ask(child, "count", "COUNT", Duration.ofSeconds(30));
                    Path jfr = null;
                    long callStart = System.nanoTime();
                    if (profiled[w]) {
                        jfr = profile(connection, bean, "window-" + seq++, c.event(), window.toMillis());
                        callExtra.add((System.nanoTime() - callStart) / 1e6 - window.toMillis());
                    } else {
                        BenchSupport.sleep(window);
                    }
                    String c1 = ask(child, "count", "COUNT", Duration.ofSeconds(30));
                    int k = profiled[w] ? 1 : 0;
                    ops[k] += word(c1, 1) - word(c0, 1);
                    nanos[k] += word(c1, 2) - word(c0, 2);
                    cpu[k] += word(c1, 3) - word(c0, 3);
                    if (jfr != null) {
                        Recordings.Content content = Recordings.read(jfr);
                        samples += content.sampleCount();
                        bytes += Files.size(jfr);
                        if (c.engine().equals(ASYNC) && c.event().equals("cpu")) {
                            cpuSamplers.add(content.settings().getOrDefault("engine", "?"));
                        }
                    }
                }
                connection.invoke(bean, "deleteAllCpuProfiles", new Object[0], new String[0]);
                Measured m = new Measured((ops[1] / nanos[1]) / (ops[0] / nanos[0]), (ops[1] / cpu[1]) / (ops[0] / cpu[0]),
                        Stats.of(callExtra).median(), samples / (2 * window.toMillis() / 1000.0), bytes / 2);
                results.get(c.key()).add(m);
                System.out.printf("[bench] profile run %d %s %s (%s): wall ratio %.3f, per-CPU ratio %.3f, call +%.0f ms, "
                                + "%.0f samples/s%n", run + 1, c.engine(), c.event(), c.formats(), m.wallRatio, m.cpuRatio,
                        m.callExtraMillis, m.samplesPerSecond);
            }
            child.send("exit");
            child.awaitExit(Duration.ofSeconds(30));
        }
    }

    /** Records a profile over JMX; returns its {@code .jfr}, checked to be there and not empty. */
    static Path profile(MBeanServerConnection connection, ObjectName bean, String name, String event, long millis)
            throws Exception {
        String path = (String) connection.invoke(bean, "createProfile", new Object[]{name, event, millis},
                new String[]{String.class.getName(), String.class.getName(), long.class.getName()});
        Path jfr = Paths.get(path);
        if (!Files.isRegularFile(jfr) || Files.size(jfr) == 0) {
            throw new IllegalStateException("the " + event + " profile " + path + " is missing or empty");
        }
        return jfr;
    }

    private String overheadReport(Duration warmup, Duration window, Map<String, List<Measured>> results,
                                  Map<String, List<Double>> firstProfile, Set<String> cpuSamplers, List<String> runLoads,
                                  String loadBefore) {
        StringBuilder sb = new StringBuilder();
        sb.append("**What recording costs the application.** `AllocWorkload` (as in 1.: one busy thread, young ")
                .append("collections many times a second), G1, -Xmx512m, JDK ").append(ChildJvm.javaFeature())
                .append(", agent with a JMX port. One JVM per run takes every configuration below in turn, the ")
                .append("engines' order alternating and the events' order rotating from run to run. After ")
                .append(fmt(warmup.toMillis() / 1000.0, 1)).append(" s of warm-up, per configuration: `Profiler` and ")
                .append("`ProfileFormats` set over JMX, one 1 s profile to warm it up (not measured), then four ")
                .append("windows of ").append(fmt(window.toMillis() / 1000.0, 1)).append(" s: without, with ")
                .append("`createProfile(name, event, ").append(window.toMillis()).append(")` over remote JMX, with, ")
                .append("without (mirrored in every other run). Ratio = ops in the profiled windows / ops in the ")
                .append("others, per run; per CPU-second divides by the CPU time of the whole process, the profiler's ")
                .append("own threads included. A profiled window spans the whole JMX call: start, recording, stop and ")
                .append("file write. **`ProfileFormats` is `jfr` in these windows**, so no view is made inside them: the ")
                .append("flame graph is a cost paid once per profile after it, measured on its own below; the row ")
                .append("\"cpu, `jfr,html` (the default)\" shows the two together, the flame graph made in the target ")
                .append("inside the window. Intervals are the agent's defaults: async-profiler cpu every 10 ms of ")
                .append("CPU time, sampled here by ").append(String.join(", ", cpuSamplers)).append("; alloc one sample ")
                .append("per 2 MiB allocated; lock contended monitors and `java.util.concurrent` locks of 10 µs or ")
                .append("more; wall every thread, running or not; JFR cpu `jdk.ExecutionSample` and ")
                .append("`jdk.NativeMethodSample` every 20 ms, alloc `jdk.ObjectAllocationSample` throttled to 150/s, ")
                .append("lock `jdk.JavaMonitorEnter` of 1 ms or more. The workload takes no contended lock, so the ")
                .append("lock rows measure what lock profiling costs while it finds nothing.\n\n");
        List<List<String>> rows = new ArrayList<>();
        for (Config c : all()) {
            List<Measured> ms = results.get(c.key());
            Stats wall = Stats.of(ms.stream().map(Measured::wallRatio).toList());
            Stats cpu = Stats.of(ms.stream().map(Measured::cpuRatio).toList());
            boolean goal = !c.viewsInWindow() && (c.event().equals("cpu") || c.event().equals("alloc"));
            String judged = goal ? (cpu.median() >= 0.98 ? "met" : "not met") + " (per CPU-second; wall clock "
                    + (wall.median() >= 0.98 ? "≥" : "<") + " 0.98)" : "no goal";
            rows.add(row(c.engineLabel(), c.event() + (c.viewsInWindow() ? ", `" + c.formats() + "` (the default: the "
                            + "flame graph made inside the window)" : ""), Integer.toString(ms.size()), wall.format(3),
                    cpu.format(3), judged,
                    Stats.of(ms.stream().map(Measured::callExtraMillis).toList()).format(0) + " ms",
                    Stats.of(ms.stream().map(Measured::samplesPerSecond).toList()).format(0),
                    Stats.of(ms.stream().map(m -> m.jfrBytes() / 1024.0).toList()).format(0)));
        }
        sb.append(BenchSupport.table(List.of("engine", "event", "runs", "throughput ratio (wall clock)",
                "ops per CPU-second ratio", "goal ≥ 0.98 (cpu, alloc)", "profile call beyond its " + window.toMillis()
                        + " ms", "samples per second recorded", ".jfr KiB"), rows));
        sb.append("\nFirst profile of each engine in a JVM (1 s, before the windows), time beyond its 1 s: async-profiler ")
                .append(Stats.of(firstProfile.get(ASYNC)).format(0)).append(" ms (its library written out and loaded), ")
                .append("JDK Flight Recorder ").append(Stats.of(firstProfile.get(JFR)).format(0))
                .append(" ms (JFR started).\n\n");
        sb.append("Load average (1/5/15 min) before / after the overhead part: ").append(loadBefore).append(" → ")
                .append(BenchSupport.loadAverage()).append("; 1 min load average at the start of each run: ")
                .append(String.join(", ", runLoads)).append(" (2 CPUs; the benchmark itself accounts for about 1–1.5: more means other work shared the CPUs)")
                .append("\n\n");
        return sb.toString();
    }
}
