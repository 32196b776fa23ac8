package dev.oomheapdump.it.bench;

import dev.oomheapdump.it.ChildJvm;

import javax.management.Attribute;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.oomheapdump.it.bench.BenchSupport.Stats;
import static dev.oomheapdump.it.bench.BenchSupport.fmt;
import static dev.oomheapdump.it.bench.BenchSupport.row;

/**
 * Part of 5: what making the views of a profile costs. Records a cpu and an alloc profile of {@link AllocWorkload}
 * with async-profiler (30 s each, {@code ProfileFormats=jfr}), then times, per round, in whole processes (cold JVMs,
 * as people run them): the JDK's {@code jfr summary FILE} (the baseline: the JDK reading the recording) and the agent
 * jar's {@code flame FILE OUT} to html, collapsed and pprof; and in one warm JVM ({@link ConversionTimer}, after
 * warm-up rounds): the JDK's {@code RecordingFile} reading every event and frame (the baseline) and
 * {@code ProfileViews.write} to each format. The order of the operations rotates from round to round; ratios are
 * per round, against the baseline of the same round.
 */
final class ProfileConversion {

    private static final List<String> EVENTS = List.of("cpu", "alloc");
    private static final List<String> VIEWS = List.of("html", "collapsed", "pprof");

    /** {@code -Dbench.profile.seconds=N}: how long the recordings are; 30, or 10 in the quick setting. */
    private static int seconds() {
        return Integer.getInteger("bench.profile.seconds", BenchSupport.quick() ? 10 : 30);
    }

    private static int warmupRounds() {
        return BenchSupport.quick() ? 1 : 3;
    }

    String measure() throws Exception {
        String loadBefore = BenchSupport.loadAverage();
        Path dir = BenchSupport.freshWorkDir("profile-conversion");
        Path agentDir = Files.createDirectories(dir.resolve("agent"));
        Path in = Files.createDirectories(dir.resolve("in"));
        Path out = Files.createDirectories(dir.resolve("out"));
        Map<String, Path> recordings = record(agentDir, in);
        Map<String, Recordings.Content> contents = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : recordings.entrySet()) {
            contents.put(e.getKey(), Recordings.read(e.getValue()));
        }
        int rounds = BenchSupport.runs();

        // warm: one JVM, the converter as shipped (the agent jar's classes), no agent
        List<String> args = new ArrayList<>(List.of(Integer.toString(warmupRounds()), Integer.toString(rounds),
                out.resolve("warm").toString()));
        recordings.forEach((event, jfr) -> args.add(event + "=" + jfr + "=" + event));
        Map<String, Map<String, List<Double>>> warm = new LinkedHashMap<>();
        Map<String, Map<String, Long>> viewBytes = new LinkedHashMap<>();
        try (ChildJvm timer = ChildJvm.builder().heap("1g").gc("G1").agent(null)
                .classPath(ChildJvm.testClasses() + File.pathSeparator + ChildJvm.agentJar())
                .mainClass(ConversionTimer.class.getName()).args(args.toArray(new String[0])).start()) {
            int exit = timer.awaitExit(Duration.ofMinutes(30));
            if (exit != 0 || !timer.lines().contains("DONE")) {
                throw new IllegalStateException("the conversion timer failed (exit " + exit + ")\n" + timer.output());
            }
            for (String line : timer.lines()) {
                if (line.startsWith("TIME ")) {
                    String[] w = line.split(" ");
                    warm.computeIfAbsent(w[1], k -> new LinkedHashMap<>()).computeIfAbsent(w[2], k -> new ArrayList<>())
                            .add(Long.parseLong(w[4]) / 1e9);
                    viewBytes.computeIfAbsent(w[1], k -> new LinkedHashMap<>()).put(w[2], Long.parseLong(w[5]));
                }
            }
        }

        // cold: whole processes, as people run them
        Path java = ChildJvm.javaHome().resolve("bin").resolve("java");
        Path jfrTool = ChildJvm.javaHome().resolve("bin").resolve("jfr");
        Map<String, Map<String, List<Double>>> cold = new LinkedHashMap<>();
        List<String> ops = new ArrayList<>(List.of("summary"));
        ops.addAll(VIEWS);
        for (int r = 0; r < rounds; r++) {
            for (Map.Entry<String, Path> e : recordings.entrySet()) {
                for (int k = 0; k < ops.size(); k++) {
                    String op = ops.get((k + r) % ops.size());
                    BenchSupport.Exec x;
                    if (op.equals("summary")) {
                        x = BenchSupport.exec(Duration.ofMinutes(5), jfrTool.toString(), "summary", e.getValue().toString());
                    } else {
                        Path target = out.resolve(e.getKey() + "-cold." + op);
                        Files.deleteIfExists(target);
                        x = BenchSupport.exec(Duration.ofMinutes(5), java.toString(), "-jar", ChildJvm.agentJar().toString(),
                                "flame", e.getValue().toString(), target.toString());
                        if (x.exit() == 0 && (!Files.isRegularFile(target) || Files.size(target) == 0)) {
                            throw new IllegalStateException("flame wrote no " + target + ":\n" + x.output());
                        }
                        Files.deleteIfExists(target);
                    }
                    if (x.exit() != 0) {
                        throw new IllegalStateException(op + " of " + e.getValue() + " failed (exit " + x.exit() + "):\n"
                                + x.output());
                    }
                    cold.computeIfAbsent(e.getKey(), key -> new LinkedHashMap<>())
                            .computeIfAbsent(op, key -> new ArrayList<>()).add(x.nanos() / 1e9);
                    System.out.printf("[bench] conversion round %d %s %s cold %.2f s%n", r + 1, e.getKey(), op, x.nanos() / 1e9);
                }
            }
        }
        String report = report(recordings, contents, warm, cold, viewBytes, rounds, loadBefore);
        BenchSupport.deleteTree(dir);
        return report;
    }

    /** Records the profiles to convert, in a JVM of the workload with the agent; returns them copied into {@code in}. */
    private Map<String, Path> record(Path agentDir, Path in) throws Exception {
        Map<String, Path> recordings = new LinkedHashMap<>();
        try (ChildJvm child = ChildJvm.builder().heap("512m").gc("G1").agent("").directory(agentDir)
                .mainClass(AllocWorkload.class.getName()).args("524288").start()) {
            child.awaitLine("READY", Duration.ofSeconds(60));
            MBeanServerConnection connection = child.connect();
            ObjectName bean = new ObjectName(ChildJvm.OBJECT_NAME);
            connection.setAttribute(bean, new Attribute("Profiler", "auto"));
            connection.setAttribute(bean, new Attribute("ProfileFormats", "jfr"));
            BenchSupport.sleep(Duration.ofMillis(2500));
            ProfilingOverheadBench.profile(connection, bean, "warm", "cpu", 1000);
            for (String event : EVENTS) {
                Path jfr = ProfilingOverheadBench.profile(connection, bean, "conversion-" + event, event, seconds() * 1000L);
                String engine = (String) connection.getAttribute(bean, "ProfilerEngine");
                if (!engine.equals(ProfilingOverheadBench.ASYNC)) {
                    throw new IllegalStateException("expected async-profiler to record, ProfilerEngine is " + engine);
                }
                recordings.put(event, Files.copy(jfr, in.resolve(event + ".jfr"), StandardCopyOption.REPLACE_EXISTING));
            }
            child.send("exit");
            child.awaitExit(Duration.ofSeconds(30));
        }
        return recordings;
    }

    private static String millis(List<Double> seconds) {
        return Stats.of(seconds.stream().map(x -> x * 1000).toList()).format(1);
    }

    private static Stats ratios(List<Double> values, List<Double> baseline) {
        List<Double> r = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            r.add(values.get(i) / baseline.get(i));
        }
        return Stats.of(r);
    }

    private String report(Map<String, Path> recordings, Map<String, Recordings.Content> contents,
                          Map<String, Map<String, List<Double>>> warm, Map<String, Map<String, List<Double>>> cold,
                          Map<String, Map<String, Long>> viewBytes, int rounds, String loadBefore) throws Exception {
        StringBuilder sb = new StringBuilder();
        sb.append("**What making the views costs.** A cpu and an alloc profile of the same workload, ")
                .append(seconds()).append(" s each, recorded by async-profiler with `ProfileFormats=jfr` ")
                .append("(its default intervals, as above). Then, ").append(rounds).append(" rounds, the order of the ")
                .append("operations rotating from round to round, ratios per round against the baseline of the same ")
                .append("round:\n\n")
                .append("- cold, each a whole process as people run it (JVM start-up included, default heap): ")
                .append("`java -jar oom-heapdump-agent.jar flame FILE.jfr OUT` (the event found in the recording, the ")
                .append("format by OUT's extension) against the JDK's `jfr summary FILE.jfr` (the JDK's tool reading ")
                .append("the recording: every chunk and event header, counting events by type);\n")
                .append("- warm, in one JVM (-Xmx1g, G1; the agent jar's classes, no agent) after ")
                .append(warmupRounds()).append(" untimed round(s) of every operation, a `System.gc()` before each timed ")
                .append("one: `ProfileViews.write(jfr, event, format, out, title)` (what the agent runs in the target ")
                .append("for `ProfileFormats`) against `jdk.jfr.consumer.RecordingFile` reading every event and ")
                .append("every frame of every stack.\n\n");
        List<List<String>> recs = new ArrayList<>();
        for (Map.Entry<String, Path> e : recordings.entrySet()) {
            Recordings.Content c = contents.get(e.getKey());
            long bytes = Files.size(e.getValue());
            recs.add(row(e.getKey(), "async-profiler" + (e.getKey().equals("cpu") ? ", " + c.settings().getOrDefault("engine", "?") : ""),
                    fmt(bytes / 1024.0, 0) + " KiB", Long.toString(c.sampleCount()),
                    fmt(c.sampleCount() / (double) seconds(), 0), String.join(", ", c.samples().keySet())));
        }
        sb.append(BenchSupport.table(List.of("profile (" + seconds() + " s)", "recorded by", ".jfr size", "samples",
                "samples per second", "sample events"), recs));
        sb.append("\n");
        List<List<String>> rows = new ArrayList<>();
        for (String event : recordings.keySet()) {
            Map<String, List<Double>> c = cold.get(event);
            Map<String, List<Double>> w = warm.get(event);
            rows.add(row(event, "baseline: `jfr summary` (cold) / `RecordingFile`, every event and frame (warm)", "",
                    Stats.of(c.get("summary")).format(2), "1 (baseline)", millis(w.get("read")), "1 (baseline)"));
            for (String view : VIEWS) {
                long bytes = viewBytes.get(event).get(view);
                rows.add(row(event, view, fmt(bytes / 1024.0, 1) + " KiB", Stats.of(c.get(view)).format(2),
                        ratios(c.get(view), c.get("summary")).format(2), millis(w.get(view)),
                        ratios(w.get(view), w.get("read")).format(2)));
            }
        }
        sb.append(BenchSupport.table(List.of("profile", "made", "output size", "cold: whole process (s)",
                "cold ratio vs `jfr summary`", "warm: in one JVM (ms)", "warm ratio vs `RecordingFile`"), rows));
        sb.append("\nLoad average (1/5/15 min) before / after the conversion part: ").append(loadBefore).append(" → ")
                .append(BenchSupport.loadAverage()).append("\n");
        return sb.toString();
    }
}
