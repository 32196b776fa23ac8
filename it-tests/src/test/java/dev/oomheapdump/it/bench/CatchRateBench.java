package dev.oomheapdump.it.bench;

import dev.oomheapdump.core.format.HprofFile;
import dev.oomheapdump.it.ChildJvm;
import dev.oomheapdump.it.ChildOutputOnFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.oomheapdump.it.bench.BenchSupport.Stats;
import static dev.oomheapdump.it.bench.BenchSupport.fmt;
import static dev.oomheapdump.it.bench.BenchSupport.row;

/**
 * 3. and 4. How well GC_MONITORING (default threshold 70 %, limit 3) catches leaks of different speeds, and how
 * fast it reacts: {@link LeakWorkload} leaks until it dies; for each run we look at whether a complete
 * monitor dump was written before the OutOfMemoryError reached the application, whether the JVM's own hook
 * wrote its last-resort dump, how much heap was left when the monitor's dump started, and the time from the
 * end of the collection that crossed the threshold (from {@code -Xlog:gc} with wall-clock stamps) to the
 * start of the dump (the agent's {@code oom.dump.started} notification stamp).
 *
 * <p>A monitor dump is told from the hook's: the hook's file is the one HotSpot names in "Dumping heap to
 * ..."; the monitor announces its own with a reason "heap N% in use after ...". One round runs each speed
 * once, in an order that rotates from round to round.
 */
@ExtendWith(ChildOutputOnFailure.class)
class CatchRateBench {

    static final String STARTED = "dev.oomheapdump.oom.dump.started";
    private static final Pattern GC_LINE = Pattern.compile("^\\[(\\d+)ms] GC\\((\\d+)\\) (.+?) (\\d+)M->(\\d+)M\\((\\d+)M\\)");
    private static final int PREFILL = 60;
    private static final int CHURN_MBPS = 50;

    /** A leak speed: name and MB/s (0: as fast as one thread can allocate). */
    record Speed(String name, int mbps) {
        String label() {
            return name + " (" + (mbps == 0 ? "flat out" : mbps + " MB/s") + ")";
        }
    }

    static final List<Speed> SPEEDS = List.of(new Speed("slow", 5), new Speed("medium", 40), new Speed("fast", 400),
            new Speed("fastest", 0));

    /** What one run showed. NaN where it does not apply. */
    record Run(boolean monitorBeforeOom, boolean monitorAny, boolean hookDump, boolean anyComplete, double headroom,
               double reactionMs, double deliveryMs, double queuedMs, double crossingToOomMs, int monitorDumps) {
    }

    @Test
    void catchRate() throws Exception {
        String heap = BenchSupport.quick() ? "128m" : "256m";
        String loadBefore = BenchSupport.loadAverage();
        Path dir = BenchSupport.freshWorkDir("catch");
        BenchSupport.requireFreeSpace(dir, 4L * Long.parseLong(heap.replace("m", "")) << 20);
        Map<Speed, List<Run>> results = new LinkedHashMap<>();
        for (int round = 0; round < BenchSupport.runs(); round++) {
            for (int k = 0; k < SPEEDS.size(); k++) {
                Speed speed = SPEEDS.get((k + round) % SPEEDS.size());
                Run run = runOnce(speed, heap, dir.resolve("r" + round + "-" + speed.name));
                results.computeIfAbsent(speed, s -> new ArrayList<>()).add(run);
                System.out.println("[bench] catch round " + (round + 1) + " " + speed.label() + ": " + run);
            }
        }
        BenchSupport.deleteTree(dir);
        BenchReport.section(3, "catch", report(results, heap, loadBefore));
    }

    private Run runOnce(Speed speed, String heap, Path dir) throws Exception {
        Files.createDirectories(dir);
        Path gcLog = dir.resolve("gc.log");
        Path dumps = dir.resolve("dumps");
        List<String> lines;
        try (ChildJvm child = ChildJvm.builder().heap(heap).gc("G1").agent("OOMImplementation=GC_MONITORING").noPort()
                .directory(dumps).jvmArgs("-Xlog:gc:file=" + gcLog + ":tm")
                .mainClass(LeakWorkload.class.getName())
                .args(Integer.toString(PREFILL), Integer.toString(speed.mbps), Integer.toString(CHURN_MBPS)).start()) {
            int exit = child.awaitExit(Duration.ofMinutes(4));
            lines = child.lines();
            if (exit != 3 || lines.stream().noneMatch(l -> l.startsWith("OOM "))) {
                throw new IllegalStateException("the leaking child did not end with an OutOfMemoryError (exit " + exit
                        + ")\n" + child.output());
            }
        }
        long oomAt = BenchSupport.word(lines.stream().filter(l -> l.startsWith("OOM ")).findFirst().orElseThrow(), 1);
        String hookPath = lines.stream().filter(l -> l.startsWith("Dumping heap to ")).findFirst()
                .map(l -> l.substring("Dumping heap to ".length()).replace(" ...", "").trim()).orElse(null);
        List<Map<String, String>> monitorStarts = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("NOTE " + STARTED + " ")) {
                Map<String, String> note = note(line);
                if (note.getOrDefault("reason", "").startsWith("heap_")) {
                    monitorStarts.add(note);
                }
            }
        }
        boolean anyComplete = false;
        boolean hookComplete = false;
        for (Path file : ChildJvm.files(dumps)) {
            String name = file.getFileName().toString();
            if (name.endsWith(".hprof") && !name.startsWith(".") && HprofFile.check(file).complete()) {
                anyComplete = true;
                if (hookPath != null && file.equals(Paths.get(hookPath).toAbsolutePath())) {
                    hookComplete = true;
                }
            }
        }
        boolean monitorBefore = false;
        boolean monitorAny = false;
        double headroom = Double.NaN;
        double reaction = Double.NaN;
        double delivery = Double.NaN;
        double queued = Double.NaN;
        double crossingToOom = Double.NaN;
        if (!monitorStarts.isEmpty()) {
            Map<String, String> first = monitorStarts.get(0);
            Path file = Paths.get(first.get("path"));
            if (Files.exists(file) && HprofFile.check(file).complete()) {
                monitorAny = true;
                monitorBefore = Files.getLastModifiedTime(file).toMillis() < oomAt;
            }
            long used = Long.parseLong(first.get("usedBytes"));
            headroom = 1 - (double) used / Long.parseLong(first.get("maxBytes"));
            queued = Double.parseDouble(first.get("queuedMillis"));
            long started = Long.parseLong(first.get("timestamp"));
            Long received = null;
            for (String line : lines) {
                if (line.startsWith("GCN ") && BenchSupport.word(line, 1) == used) {
                    received = BenchSupport.word(line, 2);
                    break;
                }
            }
            Long gcEnd = gcEnd(gcLog, used, received != null ? received : started);
            if (gcEnd != null) {
                reaction = started - gcEnd;
                crossingToOom = oomAt - gcEnd;
                if (received != null) {
                    delivery = received - gcEnd;
                }
            }
        }
        BenchSupport.deleteTree(dir);
        return new Run(monitorBefore, monitorAny, hookComplete, anyComplete, headroom, reaction, delivery, queued,
                crossingToOom, monitorStarts.size());
    }

    /** "NOTE type timestamp k=v k=v" to a map with "timestamp". */
    private static Map<String, String> note(String line) {
        String[] words = line.split(" ");
        Map<String, String> map = new HashMap<>();
        map.put("timestamp", words[2]);
        for (int i = 3; i < words.length; i++) {
            int eq = words[i].indexOf('=');
            if (eq > 0) {
                map.put(words[i].substring(0, eq), words[i].substring(eq + 1));
            }
        }
        return map;
    }

    /**
     * The wall-clock end of the collection after which {@code used} bytes were in use: the last {@code -Xlog:gc}
     * pause line, at or before {@code notAfter}, whose heap after is within 1 MiB of it.
     */
    static Long gcEnd(Path gcLog, long used, long notAfter) throws java.io.IOException {
        if (!Files.exists(gcLog)) {
            return null;
        }
        Long best = null;
        for (String line : Files.readAllLines(gcLog)) {
            Matcher m = GC_LINE.matcher(line);
            if (m.find()) {
                long at = Long.parseLong(m.group(1));
                long afterMiB = Long.parseLong(m.group(5));
                if (at <= notAfter && Math.abs(afterMiB - used / (double) (1 << 20)) <= 1.0) {
                    best = at;
                }
            }
        }
        return best;
    }

    private static String share(List<Run> runs, java.util.function.Predicate<Run> p) {
        long n = runs.stream().filter(p).count();
        return n + "/" + runs.size() + " (" + fmt(100.0 * n / runs.size(), 0) + " %)";
    }

    private static Stats stats(List<Run> runs, java.util.function.ToDoubleFunction<Run> f) {
        List<Double> values = new ArrayList<>();
        for (Run run : runs) {
            double v = f.applyAsDouble(run);
            if (!Double.isNaN(v)) {
                values.add(v);
            }
        }
        return Stats.of(values);
    }

    private static String report(Map<Speed, List<Run>> results, String heap, String loadBefore) {
        StringBuilder sb = new StringBuilder("## 3. Catch rate\n\n");
        sb.append("`LeakWorkload` under `OOMImplementation=GC_MONITORING` with the default threshold (70 %) and limit (3), ")
                .append("G1, -Xmx").append(heap).append(", JDK ").append(ChildJvm.javaFeature()).append(". The heap is ")
                .append("filled to ").append(PREFILL).append(" % at once, then the leak grows at the given speed ")
                .append("(64 KiB arrays) while ").append(CHURN_MBPS).append(" MB/s of short-lived garbage keeps ")
                .append("collections coming, until the OutOfMemoryError. \"Before the OOM\": the monitor's dump file ")
                .append("(made under a temporary name and renamed when complete) was last written before the ")
                .append("OutOfMemoryError reached the application. \"JVM hook\": HotSpot's own dump (\"Dumping heap to ...\"), ")
                .append("armed by the suite as the last resort while fewer than `limit` dumps were made. Headroom = ")
                .append("1 − usedBytes / maxBytes of the first monitor dump's `oom.dump.started`; the ratio of the heap ")
                .append("that was still free.\n\n");
        List<List<String>> rows = new ArrayList<>();
        for (Map.Entry<Speed, List<Run>> e : results.entrySet()) {
            List<Run> runs = e.getValue();
            rows.add(row(e.getKey().label(), Integer.toString(runs.size()),
                    share(runs, Run::monitorBeforeOom), share(runs, Run::monitorAny), share(runs, Run::hookDump),
                    share(runs, Run::anyComplete), stats(runs, Run::headroom).format(2),
                    stats(runs, r -> r.crossingToOomMs).format(0) + " ms"));
        }
        sb.append(BenchSupport.table(List.of("leak", "runs", "monitor dump complete before the OOM (goal 100 % slow, medium)",
                "monitor dump complete at all", "JVM hook's dump", "any complete dump", "headroom at dump start",
                "crossing GC end → OOM"), rows));

        sb.append("\n## 4. Reaction time\n\n");
        sb.append("From the end of the collection that crossed the threshold (its `-Xlog:gc` line, stamped with wall-clock ")
                .append("ms, found by the heap-in-use the notification carries) to the start of the monitor's dump (the ")
                .append("`oom.dump.started` notification's timestamp, taken right before the dump call). Baseline: ")
                .append("a plain GC listener in the same JVM (registered after the agent's), i.e. when the JDK delivered ")
                .append("the GC notification: the part no GC-notification design can avoid. `queuedMillis` is the agent's ")
                .append("own part, from its receipt of the notification to the dump start. Runs where a monitor dump ")
                .append("started.\n\n");
        rows = new ArrayList<>();
        List<Run> all = new ArrayList<>();
        for (Map.Entry<Speed, List<Run>> e : results.entrySet()) {
            all.addAll(e.getValue());
            rows.add(reactionRow(e.getKey().label(), e.getValue()));
        }
        rows.add(reactionRow("all", all));
        sb.append(BenchSupport.table(List.of("leak", "runs measured", "GC end → dump start, ms (goal median ≤ 20)",
                "max", "baseline: GC end → plain listener, ms", "ratio to baseline (medians)", "queuedMillis"), rows));
        sb.append("\nLoad average (1/5/15 min) before / after: ").append(loadBefore).append(" → ")
                .append(BenchSupport.loadAverage()).append("\n");
        return sb.toString();
    }

    private static List<String> reactionRow(String label, List<Run> runs) {
        Stats reaction = stats(runs, Run::reactionMs);
        Stats delivery = stats(runs, Run::deliveryMs);
        String ratio = reaction.n() == 0 || delivery.median() <= 0 ? "n/a"
                : fmt(reaction.median() / delivery.median(), 2);
        return row(label, Integer.toString(reaction.n()), reaction.format(0)
                        + (reaction.n() == 0 ? "" : reaction.median() <= 20 ? " met" : " not met"),
                fmt(reaction.max(), 0), delivery.format(0), ratio, stats(runs, Run::queuedMs).format(0));
    }
}
