package dev.oomheapdump.it.bench;

import dev.oomheapdump.core.format.HprofFile;
import dev.oomheapdump.it.ChildJvm;
import dev.oomheapdump.it.ChildOutputOnFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.netbeans.lib.profiler.heap.HeapFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.oomheapdump.it.bench.BenchSupport.Stats;
import static dev.oomheapdump.it.bench.BenchSupport.fmt;
import static dev.oomheapdump.it.bench.BenchSupport.row;

/**
 * 6. What filled the heap: how fast and how lean the off-process analysis is. For dumps of ≈ 0.25, 1.2 and
 * 2.5 GB ({@link DumpHeapWorkload}, dumped with {@code jcmd GC.heap_dump}), each run times, in this order, in
 * whole child JVMs: our {@code analyze FILE --json} (retained sizes, suspects), our class histogram alone
 * ({@code diff FILE FILE --json}, halved), the NetBeans heap library computing retained sizes of the same file
 * ({@link NetBeansRetained}), and {@code cat FILE > /dev/null} from the page cache (second of two) and
 * {@code cat FILE | cat > /dev/null}. Peak RSS comes from GNU {@code /usr/bin/time -v}, anonymous RSS from
 * polling {@code /proc/<pid>/status} every 20 ms.
 *
 * <p>Fails when our analysis crashes or a dump is missing or incomplete, never on a timing. NetBeans may run
 * out of memory or time on the big dumps: that is reported, and its later runs on that dump are skipped.
 */
@ExtendWith(ChildOutputOnFailure.class)
class AnalysisBench {

    private static final Path GNU_TIME = Paths.get("/usr/bin/time");
    private static final Pattern MAX_RSS = Pattern.compile("Maximum resident set size \\(kbytes\\): (\\d+)");
    private static final Pattern TOP_SUSPECT = Pattern.compile(
            "\"suspects\":\\[\\{\"class\":\"([^\"]*)\",\"objectId\":\"(0x[0-9a-fA-F]+)\",\"retainedBytes\":(\\d+)");
    private static final Pattern BIGGEST = Pattern.compile("BIGGEST (0x[0-9a-f]+) (\\S+) (\\d+)");
    private static final Pattern LOOKUP = Pattern.compile("LOOKUP (0x[0-9a-f]+) (-?\\d+)");
    private static final double MIB = 1 << 20;

    /** One child process: wall time, peak RSS of the tree, peak anonymous RSS, how it ended. */
    record Run(double seconds, long maxRssKiB, long peakAnonKiB, int exit, boolean timedOut, String out, String err) {
        boolean ok() {
            return !timedOut && exit == 0;
        }
    }

    /** The runs of one tool on one dump. */
    static final class Series {
        final List<Run> runs = new ArrayList<>();
        String heap = "";
        String note = "";

        Stats stat(Function<Run, Double> f) {
            return Stats.of(runs.stream().filter(Run::ok).map(f).toList());
        }
    }

    /** Live heap sizes in MiB: {@code -Dbench.analysis.liveMiB=190,900}, else 190 (quick) or 190, 900, 1820. */
    private static List<Integer> liveSizes() {
        String configured = System.getProperty("bench.analysis.liveMiB");
        if (configured != null && !configured.isBlank()) {
            return Arrays.stream(configured.split(",")).map(String::trim).map(Integer::valueOf).toList();
        }
        return BenchSupport.quick() ? List.of(190) : List.of(190, 900, 1820);
    }

    /** {@code -Dbench.runs=N}, else 2 (quick) or 3: NetBeans on the 2.5 GB dump takes minutes per run. */
    private static int runs() {
        return Integer.getInteger("bench.runs", BenchSupport.quick() ? 2 : 3);
    }

    @Test
    void analysis() throws Exception {
        String loadBefore = BenchSupport.loadAverage();
        List<List<String>> speed = new ArrayList<>();
        List<List<String>> ratios = new ArrayList<>();
        List<List<String>> agree = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<Double> startUps = new ArrayList<>();
        for (int liveMiB : liveSizes()) {
            measure(liveMiB, speed, ratios, agree, notes, startUps);
        }
        StringBuilder sb = new StringBuilder("## 6. What filled the heap: analysis speed and memory\n\n");
        sb.append("`DumpHeapWorkload` heaps (half arrays of 4–256 KiB, half millions of small linked objects), dumped with ")
                .append("`jcmd <pid> GC.heap_dump`; ").append(runs()).append(" runs per dump, JDK ")
                .append(ChildJvm.javaFeature()).append(". Each run, in this order, each in its own child process: ")
                .append("ours, `java -Xmx<dump/8, at least 64m> -cp oom-heapdump-agent.jar dev.oomheapdump.mbean.cli.Cli analyze FILE ")
                .append("--json` (class histogram, dominator tree, retained sizes, suspects); our histogram alone, ")
                .append("`Cli diff FILE FILE --json` (one histogram pass per file, no index), time halved; the NetBeans ")
                .append("heap library (VisualVM's, `org-netbeans-lib-profiler`), `HeapFactory.createHeap(file)` then ")
                .append("`getBiggestObjectsByRetainedSize(10)`, which computes retained sizes for the whole heap (its ")
                .append("`.nbcache` is deleted after every run, so each run starts cold); `cat FILE > /dev/null` twice, the ")
                .append("second taken (the page cache warm); `cat FILE | cat > /dev/null`. All read the dump from the page ")
                .append("cache. Times are wall clock of the whole child process, JVM start-up included. Peak RSS is GNU ")
                .append("`/usr/bin/time -v`'s maximum resident set size (file pages mapped from the dump count in it); ")
                .append("peak anonymous RSS is the largest `RssAnon` seen polling `/proc/<pid>/status` every 20 ms. ")
                .append("MB = 10^6 bytes. Ratios are per run.\n\n");
        sb.append(BenchSupport.table(List.of("dump", "tool", "runs", "time (s)", "MB/s", "peak RSS (MiB)",
                "peak anonymous RSS (MiB)", "-Xmx"), speed));
        sb.append("\n**Ratios against the goals**\n\n");
        sb.append(BenchSupport.table(List.of("dump", "NetBeans time / ours (goal ≥ 5, moonshot 10)",
                "ours peak RSS / dump size (goal ≤ 0.5, moonshot 0.125)", "ours peak anonymous RSS / dump size",
                "histogram MB/s / cat MB/s (goal ≥ 0.5)", "histogram MB/s / cat-through-a-pipe MB/s"), ratios));
        sb.append("\n**Do the results agree?** Ours: the first suspect of `analyze --json`; NetBeans: its biggest ")
                .append("object by retained size, and the retained size it gives to our suspect's object.\n\n");
        sb.append(BenchSupport.table(List.of("dump", "ours: top suspect", "NetBeans: biggest object",
                "NetBeans: retained size of our suspect", "same object? retained within 1 %?"), agree));
        sb.append("\nJVM start-up (`Cli --help`, whole process): ").append(Stats.of(startUps).format(2))
                .append(" s; it is inside every Java figure above.\n");
        for (String note : notes) {
            sb.append("\n").append(note).append("\n");
        }
        sb.append("\nLoad average (1/5/15 min) before / after: ").append(loadBefore).append(" → ")
                .append(BenchSupport.loadAverage()).append("\n");
        BenchReport.section(6, "analysis", sb.toString());
    }

    private void measure(int liveMiB, List<List<String>> speed, List<List<String>> ratios, List<List<String>> agree,
                         List<String> notes, List<Double> startUps) throws Exception {
        Path dir = BenchSupport.freshWorkDir("analysis-" + liveMiB);
        // dump ≈ 1.35 × live; our temporary files and NetBeans' cache each take a fraction to about the dump again
        BenchSupport.requireFreeSpace(dir, (long) (liveMiB * 1.35 * 3.5) << 20);
        try {
            Path dump = makeDump(liveMiB, dir);
            long bytes = checkComplete(dump);
            String label = fmt(bytes / 1e9, 2) + " GB";
            long dumpMiB = bytes >> 20;
            Series ours = new Series();
            Series histogram = new Series();
            Series netbeans = new Series();
            Series cat = new Series();
            Series pipe = new Series();
            ours.heap = Math.max(64, dumpMiB / 8) + "m";
            histogram.heap = ours.heap;
            netbeans.heap = netBeansHeapMiB(dumpMiB) + "m";
            Duration nbTimeout = BenchSupport.quick() ? Duration.ofMinutes(5) : Duration.ofMinutes(10);
            String oursSuspect = "";
            List<String> nbBiggest = new ArrayList<>();
            List<String> nbLookup = new ArrayList<>();
            for (int round = 0; round < runs(); round++) {
                startUps.add(measure(Duration.ofMinutes(1), dir, "startup", java("64m", ChildJvm.agentJar().toString(),
                        "dev.oomheapdump.mbean.cli.Cli", "--help")).seconds());
                Run a = measure(Duration.ofMinutes(30), dir, "ours", java(ours.heap, ChildJvm.agentJar().toString(),
                        "dev.oomheapdump.mbean.cli.Cli", "analyze", dump.toString(), "--json"));
                if (!a.ok() && a.err().contains("OutOfMemoryError") && ours.heap.equals(Math.max(64, dumpMiB / 8) + "m")) {
                    notes.add(label + ": ours ran out of heap at -Xmx" + ours.heap + ", so all its runs use dump/4.");
                    ours.heap = Math.max(64, dumpMiB / 4) + "m";
                    histogram.heap = ours.heap;
                    a = measure(Duration.ofMinutes(30), dir, "ours", java(ours.heap, ChildJvm.agentJar().toString(),
                            "dev.oomheapdump.mbean.cli.Cli", "analyze", dump.toString(), "--json"));
                }
                if (!a.ok()) {
                    throw new IllegalStateException("our analysis of " + dump + " failed (exit " + a.exit() + ", timed out "
                            + a.timedOut() + "):\n" + a.err());
                }
                Matcher m = TOP_SUSPECT.matcher(a.out());
                if (!m.find()) {
                    throw new IllegalStateException("our analysis printed no suspect:\n" + head(a.out()));
                }
                oursSuspect = m.group(1) + " " + m.group(2) + ", " + m.group(3) + " B";
                String suspectId = m.group(2).toLowerCase();
                long suspectRetained = Long.parseLong(m.group(3));
                ours.runs.add(a);

                Run h = measure(Duration.ofMinutes(30), dir, "histogram", java(histogram.heap,
                        ChildJvm.agentJar().toString(), "dev.oomheapdump.mbean.cli.Cli", "diff", dump.toString(),
                        dump.toString(), "--json"));
                if (!h.ok()) {
                    throw new IllegalStateException("our histogram of " + dump + " failed (exit " + h.exit() + "):\n" + h.err());
                }
                histogram.runs.add(new Run(h.seconds() / 2, h.maxRssKiB(), h.peakAnonKiB(), 0, false, "", ""));

                if (netbeans.note.isEmpty()) {
                    Run n = measure(nbTimeout, dir, "netbeans", java(netbeans.heap, netBeansClassPath(),
                            NetBeansRetained.class.getName(), dump.toString(), suspectId));
                    deleteNetBeansCache(dump);
                    if (n.ok()) {
                        netbeans.runs.add(n);
                        nbBiggest = BIGGEST.matcher(n.out()).results().map(r -> r.group(0)).toList();
                        nbLookup = LOOKUP.matcher(n.out()).results().map(r -> r.group(0)).toList();
                        agreement(label, oursSuspect, suspectId, suspectRetained, n.out(), agree, round == 0);
                    } else {
                        String why = n.timedOut() ? "did not finish within " + nbTimeout.toMinutes() + " min"
                                : n.err().contains("OutOfMemoryError") ? "did not finish (OutOfMemoryError at -Xmx" + netbeans.heap + ")"
                                : "failed (exit " + n.exit() + "): " + lastLine(n.err());
                        netbeans.note = why + " in run " + (round + 1) + " after " + fmt(n.seconds(), 0) + " s"
                                + " (peak RSS " + fmt(n.maxRssKiB() / 1024.0, 0) + " MiB); later runs skipped";
                        notes.add(label + ": NetBeans " + netbeans.note + ".");
                    }
                }

                catTwice(dump, cat);
                pipe.runs.add(timed(Duration.ofMinutes(10), "sh", "-c", "cat \"$1\" | cat > /dev/null", "sh", dump.toString()));

                System.out.printf("[bench] analysis %s run %d: ours %.1f s (%.0f MiB), histogram %.1f s, NetBeans %s, cat %.2f s%n",
                        label, round + 1, a.seconds(), a.maxRssKiB() / 1024.0, histogram.runs.get(round).seconds(),
                        netbeans.runs.size() > round ? fmt(netbeans.runs.get(round).seconds(), 1) + " s" : netbeans.note,
                        cat.runs.get(round).seconds());
            }
            if (agree.stream().noneMatch(r -> r.get(0).equals(label))) {
                agree.add(row(label, oursSuspect, "n/a (NetBeans " + netbeans.note + ")", "n/a", "not checked"));
            }
            System.out.println("[bench] NetBeans biggest: " + nbBiggest + " lookups: " + nbLookup);

            speed.add(speedRow(label, "ours: `analyze` (retained sizes)", ours, bytes));
            speed.add(speedRow(label, "ours: histogram alone (`diff FILE FILE`, halved)", histogram, bytes));
            List<String> nb = speedRow(label, "NetBeans: retained sizes", netbeans, bytes);
            if (!netbeans.note.isEmpty()) {
                nb.set(3, nb.get(3) + "; " + netbeans.note);
            }
            speed.add(nb);
            speed.add(speedRow(label, "`cat FILE > /dev/null` (warm)", cat, bytes));
            speed.add(speedRow(label, "`cat FILE \\| cat > /dev/null`", pipe, bytes));

            List<Double> vsNetBeans = new ArrayList<>();
            for (int i = 0; i < netbeans.runs.size(); i++) {
                vsNetBeans.add(netbeans.runs.get(i).seconds() / ours.runs.get(i).seconds());
            }
            List<Double> rss = ours.runs.stream().map(r -> r.maxRssKiB() * 1024.0 / bytes).toList();
            List<Double> anon = ours.runs.stream().map(r -> r.peakAnonKiB() * 1024.0 / bytes).toList();
            List<Double> vsCat = new ArrayList<>();
            List<Double> vsPipe = new ArrayList<>();
            for (int i = 0; i < histogram.runs.size(); i++) {
                vsCat.add(cat.runs.get(i).seconds() / histogram.runs.get(i).seconds());
                vsPipe.add(pipe.runs.get(i).seconds() / histogram.runs.get(i).seconds());
            }
            Stats nbRatio = Stats.of(vsNetBeans);
            Stats rssRatio = Stats.of(rss);
            Stats catRatio = Stats.of(vsCat);
            ratios.add(row(label,
                    nbRatio.n() == 0 ? "n/a (NetBeans " + netbeans.note + ")"
                            : nbRatio.format(1) + verdict(nbRatio.median() >= 5, nbRatio.median() >= 10),
                    rssRatio.format(3) + verdict(rssRatio.median() <= 0.5, rssRatio.median() <= 0.125),
                    Stats.of(anon).format(3),
                    catRatio.format(2) + (catRatio.median() >= 0.5 ? " met" : " not met"),
                    Stats.of(vsPipe).format(2)));
        } finally {
            BenchSupport.deleteTree(dir);
        }
    }

    private static String verdict(boolean goal, boolean moonshot) {
        return moonshot ? " met, moonshot too" : goal ? " met" : " not met";
    }

    private static void agreement(String label, String oursSuspect, String suspectId, long suspectRetained, String nbOut,
                                  List<List<String>> agree, boolean record) {
        if (!record) {
            return;
        }
        List<MatchResult> biggest = BIGGEST.matcher(nbOut).results().toList();
        Matcher l = LOOKUP.matcher(nbOut);
        String first = biggest.isEmpty() ? "none"
                : biggest.get(0).group(2) + " " + biggest.get(0).group(1) + ", " + biggest.get(0).group(3) + " B";
        int rank = 0;
        for (int i = 0; i < biggest.size() && rank == 0; i++) {
            if (biggest.get(i).group(1).equals(suspectId)) {
                rank = i + 1;
            }
        }
        long nbRetained = l.find() ? Long.parseLong(l.group(2)) : -1;
        String lookup = nbRetained < 0 ? "not found" : nbRetained + " B (ours / NetBeans "
                + fmt(suspectRetained / (double) nbRetained, 4) + ")";
        boolean close = nbRetained > 0 && Math.abs(suspectRetained - nbRetained) <= 0.01 * nbRetained;
        String same = rank == 1 ? "same object" : rank > 1 ? "our suspect is NetBeans' #" + rank + " of 10"
                : "our suspect is not in NetBeans' top 10";
        agree.add(row(label, oursSuspect, first, lookup, same + "; retained " + (close ? "within 1 %" : "not within 1 %")));
    }

    private static List<String> speedRow(String label, String tool, Series s, long bytes) {
        List<Run> ok = s.runs.stream().filter(Run::ok).toList();
        boolean java = !s.heap.isEmpty();
        return row(label, tool, Integer.toString(ok.size()), s.stat(Run::seconds).format(2),
                s.stat(r -> bytes / r.seconds() / 1e6).format(0),
                java ? s.stat(r -> r.maxRssKiB() / 1024.0).format(0) : "",
                java ? s.stat(r -> r.peakAnonKiB() / 1024.0).format(0) : "",
                s.heap);
    }

    // ---- the dump ------------------------------------------------------------------------------------------

    private static Path makeDump(int liveMiB, Path dir) throws Exception {
        Path file = dir.resolve("heap-" + liveMiB + ".hprof");
        Path jcmd = ChildJvm.javaHome().resolve("bin").resolve("jcmd");
        try (ChildJvm child = ChildJvm.builder().heap((liveMiB * 2 + 512) + "m").gc("G1").agent(null)
                .mainClass(DumpHeapWorkload.class.getName()).args(Integer.toString(liveMiB)).start()) {
            child.awaitLine("BUILT ", Duration.ofMinutes(10));
            BenchSupport.Exec exec = BenchSupport.exec(Duration.ofMinutes(10), jcmd.toString(), Long.toString(child.pid()),
                    "GC.heap_dump", file.toString());
            if (exec.exit() != 0 || !Files.isRegularFile(file)) {
                throw new IOException("jcmd GC.heap_dump failed (exit " + exec.exit() + "):\n" + exec.output());
            }
            child.send("exit");
            child.awaitExit(Duration.ofSeconds(60));
        }
        return file;
    }

    private static long checkComplete(Path file) {
        HprofFile.Check check = HprofFile.check(file);
        if (!check.complete()) {
            throw new IllegalStateException(file + " is not a complete heap dump: " + check);
        }
        return check.bytes();
    }

    /** min(6 × dump, what the machine has available less 3 GiB, 20 GiB), at least 1 GiB. */
    private static long netBeansHeapMiB(long dumpMiB) {
        long available = memAvailableMiB();
        return Math.max(1024, Math.min(Math.min(6 * dumpMiB, 20 * 1024), available - 3 * 1024));
    }

    private static long memAvailableMiB() {
        try (Stream<String> lines = Files.lines(Paths.get("/proc/meminfo"))) {
            return lines.filter(l -> l.startsWith("MemAvailable:")).map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024)
                    .findFirst().orElse(8L * 1024);
        } catch (IOException e) {
            return 8L * 1024;
        }
    }

    /** The test classes (for {@link NetBeansRetained}) and the NetBeans jar, which has no dependencies. */
    private static String netBeansClassPath() throws Exception {
        Path jar = Paths.get(HeapFactory.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return ChildJvm.testClasses() + java.io.File.pathSeparator + jar;
    }

    /** NetBeans keeps its index beside the dump ({@code <dump>.nbcache} and the like): delete all of it. */
    private static void deleteNetBeansCache(Path dump) throws IOException {
        String name = dump.getFileName().toString();
        try (Stream<Path> siblings = Files.list(dump.getParent())) {
            for (Path p : siblings.toList()) {
                String n = p.getFileName().toString();
                if (!n.equals(name) && (n.startsWith(name) || n.contains("nbcache"))) {
                    BenchSupport.deleteTree(p);
                }
            }
        }
    }

    // ---- processes -----------------------------------------------------------------------------------------

    private static List<String> java(String heap, String classPath, String mainClass, String... args) {
        List<String> cmd = new ArrayList<>(List.of(ChildJvm.javaHome().resolve("bin").resolve("java").toString(),
                "-Xmx" + heap, "-Djava.awt.headless=true", "-cp", classPath, mainClass));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * Runs a command under GNU time (when installed) with its output in files of {@code dir}, polling the
     * anonymous RSS of its process tree; kills the tree when {@code timeout} passes.
     */
    private static Run measure(Duration timeout, Path dir, String tag, List<String> command) throws Exception {
        Path timeFile = dir.resolve(tag + ".time");
        Path out = dir.resolve(tag + ".out");
        Path err = dir.resolve(tag + ".err");
        List<String> cmd = new ArrayList<>();
        boolean gnuTime = Files.isExecutable(GNU_TIME);
        if (gnuTime) {
            cmd.addAll(List.of(GNU_TIME.toString(), "-v", "-o", timeFile.toString()));
        }
        cmd.addAll(command);
        long start = System.nanoTime();
        Process process = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        process.getOutputStream().close();
        RssPoller poller = new RssPoller(process.toHandle());
        Thread polling = new Thread(poller, "bench-rss-poller");
        polling.setDaemon(true);
        polling.start();
        boolean done = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        poller.stop = true;
        polling.join(1000);
        if (!done) {
            process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(60, TimeUnit.SECONDS);
        }
        long maxRss = poller.maxHwmKiB;
        if (gnuTime && done && Files.exists(timeFile)) {
            Matcher m = MAX_RSS.matcher(Files.readString(timeFile));
            if (m.find()) {
                maxRss = Long.parseLong(m.group(1));
            }
        }
        return new Run(seconds, maxRss, poller.maxAnonKiB, done ? process.exitValue() : -1, !done, Files.readString(out),
                Files.readString(err));
    }

    /** Largest RssAnon (summed over the tree) and VmHWM seen in {@code /proc/<pid>/status}, every 20 ms. */
    static final class RssPoller implements Runnable {
        private final ProcessHandle root;
        volatile boolean stop;
        volatile long maxAnonKiB;
        volatile long maxHwmKiB;

        RssPoller(ProcessHandle root) {
            this.root = root;
        }

        @Override
        public void run() {
            while (!stop) {
                long anon = 0;
                long hwm = 0;
                for (ProcessHandle p : Stream.concat(Stream.of(root), root.descendants()).toList()) {
                    try {
                        for (String line : Files.readAllLines(Paths.get("/proc", Long.toString(p.pid()), "status"))) {
                            if (line.startsWith("RssAnon:")) {
                                anon += Long.parseLong(line.replaceAll("\\D", ""));
                            } else if (line.startsWith("VmHWM:")) {
                                hwm += Long.parseLong(line.replaceAll("\\D", ""));
                            }
                        }
                    } catch (IOException | RuntimeException e) {
                        // the process ended between listing and reading
                    }
                }
                maxAnonKiB = Math.max(maxAnonKiB, anon);
                maxHwmKiB = Math.max(maxHwmKiB, hwm);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** {@code cat FILE > /dev/null} twice; the second, from a warm page cache, is kept. */
    private static void catTwice(Path dump, Series cat) throws Exception {
        timed(Duration.ofMinutes(10), "cat", dump.toString());
        cat.runs.add(timed(Duration.ofMinutes(10), "cat", dump.toString()));
    }

    /** Wall time of a command whose output goes to /dev/null; fails when it fails. */
    private static Run timed(Duration timeout, String... command) throws Exception {
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        process.getOutputStream().close();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IOException("Timed out after " + timeout + ": " + String.join(" ", command));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (process.exitValue() != 0) {
            throw new IOException("exit " + process.exitValue() + ": " + String.join(" ", command));
        }
        return new Run(seconds, 0, 0, 0, false, "", "");
    }

    private static String head(String s) {
        return s.length() > 2000 ? s.substring(0, 2000) + "..." : s;
    }

    private static String lastLine(String s) {
        String[] lines = s.trim().split("\n");
        return lines[lines.length - 1];
    }
}
