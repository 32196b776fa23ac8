package dev.oomheapdump.it.bench;

import dev.oomheapdump.it.ChildJvm;
import dev.oomheapdump.it.ChildOutputOnFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.oomheapdump.it.bench.BenchSupport.Stats;
import static dev.oomheapdump.it.bench.BenchSupport.ask;
import static dev.oomheapdump.it.bench.BenchSupport.fmt;
import static dev.oomheapdump.it.bench.BenchSupport.row;
import static dev.oomheapdump.it.bench.BenchSupport.word;

/**
 * 1. What the agent costs an application that does not need it yet: throughput of {@link AllocWorkload} under
 * G1 and Parallel with the agent (NATIVE_HOOK; GC_MONITORING; both with a JMX port) against no agent, the time
 * from process start to {@code main}'s first line, and the heap the agent keeps after a full GC.
 *
 * <p>One round starts one JVM of each configuration per collector, in an order that rotates from round to
 * round; each candidate is compared with the baseline of its own round and collector.
 */
@ExtendWith(ChildOutputOnFailure.class)
class IdleOverheadBench {

    private static final List<String> GCS = List.of("G1", "Parallel");
    /** Configuration name to agent options (null: no agent). */
    private static final Map<String, String> CONFIGS = new LinkedHashMap<>();

    static {
        CONFIGS.put("none", null);
        CONFIGS.put("NATIVE_HOOK", "");
        CONFIGS.put("GC_MONITORING", "OOMImplementation=GC_MONITORING");
    }

    private static final String HEAP = "512m";
    private static final int LIVE_SLOTS = 512 * 1024;

    record Run(double opsPerSecond, double opsPerCpuSecond, long startupMillis, long usedAfterGc, double agentCpuShare) {
    }

    @Test
    void idleOverhead() throws Exception {
        boolean quick = BenchSupport.quick();
        Duration warmup = Duration.ofMillis(quick ? 1500 : 2000);
        Duration window = Duration.ofMillis(quick ? 1000 : 1500);
        int windows = quick ? 2 : 3;
        int runs = BenchSupport.runs();
        Path dir = BenchSupport.freshWorkDir("idle");
        String loadBefore = BenchSupport.loadAverage();

        // gc -> config -> runs, index = round
        Map<String, Map<String, List<Run>>> results = new LinkedHashMap<>();
        Map<String, String> histograms = new LinkedHashMap<>();
        List<String> configs = new ArrayList<>(CONFIGS.keySet());
        for (int round = 0; round < runs; round++) {
            for (String gc : GCS) {
                for (int k = 0; k < configs.size(); k++) {
                    String config = configs.get((k + round) % configs.size());
                    boolean histogram = round == 0 && CONFIGS.get(config) != null && gc.equals("G1");
                    Run run = runOnce(gc, CONFIGS.get(config), dir, warmup, window, windows, histogram ? histograms : null, config);
                    results.computeIfAbsent(gc, g -> new LinkedHashMap<>()).computeIfAbsent(config, c -> new ArrayList<>())
                            .add(run);
                    System.out.printf("[bench] idle round %d %s %s: %.0f ops/s, %.0f ops/CPU-s, start-up %d ms, used after GC %d KiB%n",
                            round + 1, gc, config, run.opsPerSecond, run.opsPerCpuSecond, run.startupMillis,
                            run.usedAfterGc / 1024);
                }
            }
        }
        BenchSupport.deleteTree(dir);
        BenchReport.section(1, "idle", report(results, histograms, warmup, window, windows, loadBefore));
    }

    private Run runOnce(String gc, String agentOptions, Path dir, Duration warmup, Duration window, int windows,
                        Map<String, String> histograms, String config) throws Exception {
        ChildJvm.Builder builder = ChildJvm.builder().heap(HEAP).gc(gc).agent(agentOptions)
                .mainClass(AllocWorkload.class.getName()).args(Integer.toString(LIVE_SLOTS));
        if (agentOptions != null) {
            builder.directory(dir.resolve("dumps"));
        }
        long launched = System.currentTimeMillis();
        try (ChildJvm child = builder.start()) {
            String main = child.awaitLine("MAIN ", Duration.ofSeconds(60));
            long startup = word(main, 1) - launched;
            child.awaitLine("READY", Duration.ofSeconds(60));
            BenchSupport.sleep(warmup);
            double agentCpu0 = agentOptions == null ? 0 : agentThreadsCpuMillis(child.pid());
            long[][] counts = new long[windows + 1][];
            for (int w = 0; w <= windows; w++) {
                if (w > 0) {
                    BenchSupport.sleep(window);
                }
                String c = ask(child, "count", "COUNT", Duration.ofSeconds(30));
                counts[w] = new long[]{word(c, 1), word(c, 2), word(c, 3)};
            }
            double agentCpu1 = agentOptions == null ? 0 : agentThreadsCpuMillis(child.pid());
            double best = 0;
            double bestPerCpu = 0;
            for (int w = 1; w <= windows; w++) {
                long ops = counts[w][0] - counts[w - 1][0];
                best = Math.max(best, ops * 1e9 / (counts[w][1] - counts[w - 1][1]));
                bestPerCpu = Math.max(bestPerCpu, ops * 1e9 / Math.max(1, counts[w][2] - counts[w - 1][2]));
            }
            double processCpuMillis = (counts[windows][2] - counts[0][2]) / 1e6;
            long used = word(ask(child, "settle", "USED", Duration.ofSeconds(60)), 1);
            if (histograms != null) {
                histograms.put(config, ownClasses(child.pid()));
            }
            child.send("exit");
            int exit = child.awaitExit(Duration.ofSeconds(30));
            if (exit != 0) {
                throw new IllegalStateException("child exited with " + exit + "\n" + child.output());
            }
            return new Run(best, bestPerCpu, startup, used, (agentCpu1 - agentCpu0) / processCpuMillis);
        }
    }

    private static final Pattern THREAD = Pattern.compile("^\"(.+?)\" .*?cpu=([0-9.]+)ms");

    /**
     * CPU time of the threads the agent starts or wakes, from {@code jcmd Thread.print}: its own
     * ({@code oom-heapdump-*}), the JMX connector's ({@code RMI *}, {@code JMX *}) and the JDK's
     * {@code Notification Thread}, which runs GC listeners.
     */
    static double agentThreadsCpuMillis(long pid) throws Exception {
        Path jcmd = ChildJvm.javaHome().resolve("bin").resolve("jcmd");
        BenchSupport.Exec exec = BenchSupport.exec(Duration.ofSeconds(60), jcmd.toString(), Long.toString(pid),
                "Thread.print");
        if (exec.exit() != 0) {
            throw new IllegalStateException("jcmd Thread.print failed:\n" + exec.output());
        }
        double millis = 0;
        for (String line : exec.output().split("\n")) {
            Matcher m = THREAD.matcher(line);
            if (m.find()) {
                String name = m.group(1);
                if (name.startsWith("oom-heapdump") || name.startsWith("RMI ") || name.startsWith("JMX ")
                        || name.equals("Notification Thread")) {
                    millis += Double.parseDouble(m.group(2));
                }
            }
        }
        return millis;
    }

    /** Instances and bytes of dev.oomheapdump classes in {@code jcmd GC.class_histogram}. */
    private static String ownClasses(long pid) throws Exception {
        Path jcmd = ChildJvm.javaHome().resolve("bin").resolve("jcmd");
        BenchSupport.Exec exec = BenchSupport.exec(Duration.ofSeconds(60), jcmd.toString(), Long.toString(pid),
                "GC.class_histogram");
        if (exec.exit() != 0) {
            throw new IllegalStateException("jcmd GC.class_histogram failed:\n" + exec.output());
        }
        long instances = 0;
        long bytes = 0;
        int classes = 0;
        for (String line : exec.output().split("\n")) {
            String[] w = line.trim().split("\\s+");
            if (w.length >= 4 && w[3].startsWith("dev.oomheapdump.") && !w[3].startsWith("dev.oomheapdump.it.")) {
                instances += Long.parseLong(w[1]);
                bytes += Long.parseLong(w[2]);
                classes++;
            }
        }
        return instances + " objects of " + classes + " classes, " + fmt(bytes / 1024.0, 1) + " KiB";
    }

    private static String report(Map<String, Map<String, List<Run>>> results, Map<String, String> histograms,
                                 Duration warmup, Duration window, int windows, String loadBefore) {
        StringBuilder sb = new StringBuilder("## 1. Idle overhead\n\n");
        sb.append("`AllocWorkload`: one thread making short-lived lists and strings and replacing entries of a ")
                .append(LIVE_SLOTS / 1024).append("K-object live set (≈ ").append(LIVE_SLOTS * 180L / (1 << 20))
                .append(" MiB), -Xmx").append(HEAP).append(", JDK ").append(ChildJvm.javaFeature())
                .append(". Each run is a fresh JVM: ").append(fmt(warmup.toMillis() / 1000.0, 1)).append(" s warm-up, then ops ")
                .append("counted in ").append(windows).append(" windows of ").append(fmt(window.toMillis() / 1000.0, 1))
                .append(" s; a run's figure is its best window (the one other work on the machine disturbed least). The agent runs with a JMX port (as in production) and its ")
                .append("defaults otherwise. Ratio = with agent / without, same round and collector.\n\n");
        List<List<String>> rows = new ArrayList<>();
        for (String gc : results.keySet()) {
            List<Run> base = results.get(gc).get("none");
            for (String config : results.get(gc).keySet()) {
                if (config.equals("none")) {
                    continue;
                }
                List<Run> cand = results.get(gc).get(config);
                List<Double> ratios = new ArrayList<>();
                List<Double> cpuRatios = new ArrayList<>();
                List<Double> shares = new ArrayList<>();
                for (int i = 0; i < cand.size(); i++) {
                    shares.add(cand.get(i).agentCpuShare * 100);
                    ratios.add(cand.get(i).opsPerSecond / base.get(i).opsPerSecond);
                    cpuRatios.add(cand.get(i).opsPerCpuSecond / base.get(i).opsPerCpuSecond);
                }
                Stats r = Stats.of(ratios);
                rows.add(row(gc, config, Integer.toString(ratios.size()), r.format(3),
                        Stats.of(cpuRatios).format(3), Stats.of(cpuRatios).median() >= 0.99 ? "met" : "not met",
                        Stats.of(shares).format(2) + " %",
                        fmt(Stats.of(base.stream().map(Run::opsPerSecond).toList()).median() / 1e6, 2) + " M ops/s"));
            }
        }
        sb.append("**Throughput**\n\n");
        sb.append(BenchSupport.table(List.of("collector", "agent", "runs", "throughput ratio (wall clock)",
                "ops per CPU-second ratio", "goal ≥ 0.99", "agent threads' share of process CPU",
                "baseline (no agent), median"), rows));
        sb.append("\nThroughput is operations per wall-clock second; ops per CPU-second divides by the CPU time of the ")
                .append("whole child process (workload, GC, JIT and agent threads), which other load on the machine ")
                .append("disturbs less. The agent threads' share is their CPU time (`oom-heapdump-*`, `RMI *`, `JMX *` and the JDK's ")
                .append("`Notification Thread` that runs GC listeners; from `jcmd Thread.print` before and after the windows) ")
                .append("over the process's CPU time in the same span: the cost that noise cannot hide. The goal is judged ")
                .append("on ops per CPU-second: on a shared machine the wall-clock ratio mostly measures who else ran. ")
                .append("Before the windows the workload calls the JDK collection methods it uses with other element ")
                .append("types, as a real application does (see `AllocWorkload.pollute`).\n");

        rows = new ArrayList<>();
        List<String> configs = new ArrayList<>(results.values().iterator().next().keySet());
        for (String config : configs) {
            if (config.equals("none")) {
                continue;
            }
            List<Double> ratios = new ArrayList<>();
            List<Double> added = new ArrayList<>();
            List<Double> heapRatios = new ArrayList<>();
            List<Double> heapAdded = new ArrayList<>();
            List<Double> baseStartup = new ArrayList<>();
            for (String gc : results.keySet()) {
                List<Run> base = results.get(gc).get("none");
                List<Run> cand = results.get(gc).get(config);
                for (int i = 0; i < cand.size(); i++) {
                    ratios.add((double) cand.get(i).startupMillis / base.get(i).startupMillis);
                    added.add((double) (cand.get(i).startupMillis - base.get(i).startupMillis));
                    heapRatios.add((double) cand.get(i).usedAfterGc / base.get(i).usedAfterGc);
                    heapAdded.add((cand.get(i).usedAfterGc - base.get(i).usedAfterGc) / 1024.0);
                    baseStartup.add((double) base.get(i).startupMillis);
                }
            }
            rows.add(row(config, Integer.toString(ratios.size()), Stats.of(ratios).format(2),
                    Stats.of(added).format(0) + " ms", fmt(Stats.of(baseStartup).median(), 0) + " ms",
                    Stats.of(heapRatios).format(3), Stats.of(heapAdded).format(0) + " KiB",
                    histograms.getOrDefault(config, "n/a")));
        }
        sb.append("\n**Start-up and heap kept** (both collectors' runs together; start-up = process start to ")
                .append("`main`'s first line; heap = in use after the live set is dropped and `System.gc()` ran twice)\n\n");
        sb.append(BenchSupport.table(List.of("agent", "pairs", "start-up ratio", "start-up added",
                "baseline start-up, median", "heap-in-use ratio", "heap added", "dev.oomheapdump objects (G1, jcmd GC.class_histogram)"),
                rows));
        sb.append("\nLoad average (1/5/15 min) before / after: ").append(loadBefore).append(" → ")
                .append(BenchSupport.loadAverage()).append("\n");
        return sb.toString();
    }
}
