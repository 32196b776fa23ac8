package dev.oomheapdump.it.bench;

import dev.oomheapdump.core.transfer.Fetch;
import dev.oomheapdump.core.transfer.FetchResult;
import dev.oomheapdump.it.ChildJvm;
import dev.oomheapdump.it.ChildOutputOnFailure;
import dev.oomheapdump.mbean.client.JmxArtifactSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.oomheapdump.it.bench.BenchSupport.Stats;
import static dev.oomheapdump.it.bench.BenchSupport.fmt;
import static dev.oomheapdump.it.bench.BenchSupport.row;
import static dev.oomheapdump.it.bench.BenchSupport.word;

/**
 * 7. How fast {@code fetch} brings a dump home over JMX, against {@code cp} of the same file in the same run, and
 * what it costs the target's memory. A child JVM holds ≈ 1 GiB live ({@link DumpHeapWorkload}) and runs the agent on
 * its own port (127.0.0.1, no authentication); each round makes a fresh heap snapshot of it (≈ 1 GB) and then, in an
 * order that alternates from round to round:
 * <ul>
 *   <li>{@code cp SNAPSHOT OUT} and {@code cp SNAPSHOT OUT && sync OUT} into the folder the fetch writes to;</li>
 *   <li>{@code java -jar oom-heapdump-agent.jar fetch 127.0.0.1:PORT NAME OUT} as people run it: first while the
 *   target hashes the new file too, then again with its hash cached; the target's {@code VmRSS} is polled every
 *   10 ms during each and its growth over the value before the fetch recorded;</li>
 *   <li>in this JVM, the same engine over the same kind of connection with 1 to 8 reads of 4 or 8 MiB in flight, and
 *   the transport alone (4 × 8 MiB {@code readArtifact} calls in flight, the bytes dropped): the ceiling.</li>
 * </ul>
 * Every copy and its baseline read the snapshot the same way: from the page cache ({@code sync}, then {@code cat} of
 * the file), and, where this user may drop the page cache (root), from the disk ({@code sync}, then
 * {@code /proc/sys/vm/drop_caches}). The fetch's own time runs from its first read to the rename (the target's hash,
 * the client's hash and the final fsync included); its wall time adds the JVM's start and the connection. Fails only
 * when a copy differs or a child dies.
 */
@ExtendWith(ChildOutputOnFailure.class)
class FetchBench {

    private static final Pattern FETCHED = Pattern.compile("fetched (\\d+) bytes in ([0-9.]+) s \\(([0-9.]+) MB/s\\)");
    private static final List<String> COPIES = List.of("cp", "cp+sync", "fetch", "fetch again");
    /** Reads in flight and MiB per read, for the engine's table. */
    private static final int[][] ENGINES = {{1, 8}, {2, 8}, {4, 8}, {8, 8}, {4, 4}, {8, 4}};
    private static final Path DROP_CACHES = Paths.get("/proc/sys/vm/drop_caches");

    /** Where every copy reads the snapshot from: the page cache, or the disk. */
    enum Cache {
        WARM("page cache (warm)"),
        COLD("disk (page cache dropped)");

        final String label;

        Cache(String label) {
            this.label = label;
        }

        /** Warm always; cold where this user may drop the page cache (root). */
        static List<Cache> available() {
            return Files.isWritable(DROP_CACHES) ? List.of(WARM, COLD) : List.of(WARM);
        }

        String key(String copy) {
            return name() + " " + copy;
        }

        /** Flushes what earlier copies wrote, then puts the snapshot in the page cache or takes it out. */
        void prepare(Path snapshot) throws IOException, InterruptedException {
            BenchSupport.exec(Duration.ofMinutes(2), "sync");
            BenchSupport.Exec done = this == WARM
                    ? BenchSupport.exec(Duration.ofMinutes(2), "sh", "-c", "cat \"$0\" > /dev/null", snapshot.toString())
                    : BenchSupport.exec(Duration.ofMinutes(2), "sh", "-c", "echo 3 > " + DROP_CACHES);
            if (done.exit() != 0) {
                throw new IOException("cannot prepare the page cache: " + done.output());
            }
        }
    }

    private static String engineKey(int[] engine) {
        return "engine " + engine[0] + " x " + engine[1];
    }

    /** One copy: bytes, seconds, and for a fetch its wall time and the target's RSS growth in KiB. */
    record Copy(long bytes, double seconds, double wallSeconds, long rssGrowthKiB) {
        double mbPerSecond() {
            return bytes / seconds / 1e6;
        }
    }

    @Test
    void fetchSpeedAndTargetMemory() throws Exception {
        int liveMiB = BenchSupport.quick() ? 256 : 1024;
        String heap = (liveMiB * 2 + 512) + "m";
        String loadBefore = BenchSupport.loadAverage();
        Path work = BenchSupport.freshWorkDir("fetch");
        Path agentDir = work.resolve("agent");
        Path out = Files.createDirectories(work.resolve("home"));
        BenchSupport.requireFreeSpace(work, (long) liveMiB * 4 << 20);
        List<Cache> modes = Cache.available();
        Map<String, List<Copy>> series = new LinkedHashMap<>();
        for (Cache mode : modes) {
            for (String name : COPIES) {
                series.put(mode.key(name), new ArrayList<>());
            }
        }
        series.put("ceiling", new ArrayList<>());
        for (int[] e : ENGINES) {
            series.put(engineKey(e), new ArrayList<>());
        }
        long snapshotBytes = 0;
        long liveBytes;
        try (ChildJvm child = ChildJvm.builder().heap(heap).gc("G1").agent("").directory(agentDir)
                .mainClass(DumpHeapWorkload.class.getName()).args(Integer.toString(liveMiB)).start()) {
            liveBytes = word(child.awaitLine("BUILT ", Duration.ofMinutes(5)), 2);
            MBeanServerConnection connection = child.connect();
            ObjectName bean = new ObjectName(ChildJvm.OBJECT_NAME);
            for (int round = 0; round < BenchSupport.runs(); round++) {
                String name = "fetch-" + round;
                Path snapshot = Paths.get((String) connection.invoke(bean, "createHeapSnapshot", new Object[]{name},
                        new String[]{String.class.getName()}));
                snapshotBytes = Files.size(snapshot);
                boolean cpFirst = round % 2 == 0;
                for (Cache mode : modes) {
                    for (int k = 0; k < 2; k++) {
                        if ((k == 0) == cpFirst) {
                            series.get(mode.key("cp")).add(cp(mode, snapshot, out, false));
                            series.get(mode.key("cp+sync")).add(cp(mode, snapshot, out, true));
                        } else {
                            series.get(mode.key("fetch")).add(fetchCli(mode, child, name, snapshot, out));
                            series.get(mode.key("fetch again")).add(fetchCli(mode, child, name, snapshot, out));
                        }
                    }
                    System.out.printf("[bench] fetch round %d, %s: cp %.0f MB/s, cp+sync %.0f, fetch %.0f (again %.0f); "
                                    + "target RSS +%d MiB%n", round + 1, mode.label, last(series, mode.key("cp")),
                            last(series, mode.key("cp+sync")), last(series, mode.key("fetch")),
                            last(series, mode.key("fetch again")),
                            series.get(mode.key("fetch")).get(round).rssGrowthKiB() >> 10);
                }
                for (int[] e : ENGINES) {
                    series.get(engineKey(e)).add(engine(connection, name, snapshot, out, e[0], e[1] << 20));
                }
                series.get("ceiling").add(ceiling(connection, snapshot, 4));
                connection.invoke(bean, "deleteHeapSnapshot", new Object[]{name}, new String[]{String.class.getName()});
            }
            child.send("exit");
            child.awaitExit(Duration.ofSeconds(30));
        } finally {
            BenchSupport.deleteTree(work);
        }
        BenchReport.section(7, "fetch", report(series, liveBytes, snapshotBytes, heap, loadBefore));
    }

    private static double last(Map<String, List<Copy>> series, String name) {
        List<Copy> copies = series.get(name);
        return copies.get(copies.size() - 1).mbPerSecond();
    }

    private static Copy cp(Cache mode, Path snapshot, Path out, boolean durable) throws Exception {
        Path target = out.resolve("cp.hprof");
        mode.prepare(snapshot);
        BenchSupport.Exec cp = durable
                ? BenchSupport.exec(Duration.ofMinutes(5), "sh", "-c", "cp \"$0\" \"$1\" && sync \"$1\"", snapshot.toString(),
                target.toString())
                : BenchSupport.exec(Duration.ofMinutes(5), "cp", snapshot.toString(), target.toString());
        if (cp.exit() != 0 || Files.size(target) != Files.size(snapshot)) {
            throw new IOException("cp failed: " + cp.output());
        }
        Files.delete(target);
        return new Copy(Files.size(snapshot), cp.nanos() / 1e9, cp.nanos() / 1e9, 0);
    }

    /** The command line, as people run it; the target's RSS polled meanwhile. */
    private static Copy fetchCli(Cache mode, ChildJvm child, String name, Path snapshot, Path out) throws Exception {
        Path target = out.resolve(snapshot.getFileName());
        mode.prepare(snapshot);
        RssPeak rss = RssPeak.start(child.pid());
        BenchSupport.Exec fetch;
        try {
            fetch = BenchSupport.exec(Duration.ofMinutes(10), ChildJvm.javaHome().resolve("bin").resolve("java").toString(),
                    "-jar", ChildJvm.agentJar().toString(), "fetch", "127.0.0.1:" + child.port(), name, out.toString());
        } finally {
            rss.stop();
        }
        Matcher m = FETCHED.matcher(fetch.output());
        if (fetch.exit() != 0 || !m.find() || Long.parseLong(m.group(1)) != Files.size(snapshot)) {
            throw new IOException("fetch failed: " + fetch.output());
        }
        BenchSupport.Exec cmp = BenchSupport.exec(Duration.ofMinutes(5), "cmp", snapshot.toString(), target.toString());
        if (cmp.exit() != 0) {
            throw new IOException("the fetched copy differs from the snapshot: " + cmp.output());
        }
        Files.delete(target);
        // the line's own MB/s (its seconds are rounded to a tenth)
        double seconds = Files.size(snapshot) / (Double.parseDouble(m.group(3)) * 1e6);
        return new Copy(Files.size(snapshot), seconds, fetch.nanos() / 1e9, rss.growthKiB());
    }

    /** The same engine in this JVM with {@code parallelism} reads of {@code chunk} bytes in flight (page cache warm). */
    private static Copy engine(MBeanServerConnection connection, String name, Path snapshot, Path out, int parallelism,
                               int chunk) throws Exception {
        Cache.WARM.prepare(snapshot);
        FetchResult result = new Fetch(out.resolve("engine.hprof"), parallelism, chunk, 0, null)
                .run(new JmxArtifactSource(connection, name));
        Files.delete(result.file());
        return new Copy(result.bytes(), result.nanos() / 1e9, result.nanos() / 1e9, 0);
    }

    /** {@code readArtifact} alone: {@code parallelism} calls of 8 MiB in flight, the bytes dropped (page cache warm). */
    private static Copy ceiling(MBeanServerConnection connection, Path snapshot, int parallelism) throws Exception {
        Cache.WARM.prepare(snapshot);
        long size = Files.size(snapshot);
        AtomicLong next = new AtomicLong();
        ObjectName bean = new ObjectName(ChildJvm.OBJECT_NAME);
        String[] signature = {String.class.getName(), long.class.getName(), int.class.getName()};
        ExecutorService readers = Executors.newFixedThreadPool(parallelism);
        long start = System.nanoTime();
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < parallelism; i++) {
                all.add(readers.submit(() -> {
                    long offset;
                    while ((offset = next.getAndAdd(Fetch.DEFAULT_CHUNK)) < size) {
                        connection.invoke(bean, "readArtifact", new Object[]{snapshot.toString(), offset,
                                Fetch.DEFAULT_CHUNK}, signature);
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } finally {
            readers.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Copy(size, seconds, seconds, 0);
    }

    /** The largest {@code VmRSS} of a process seen every 10 ms, against the value before. */
    static final class RssPeak implements Runnable {
        private final Path status;
        private final long before;
        private volatile long peak;
        private volatile boolean running = true;
        private final Thread thread;

        private RssPeak(long pid) throws IOException {
            this.status = Paths.get("/proc", Long.toString(pid), "status");
            this.before = rssKiB();
            this.peak = before;
            this.thread = new Thread(this, "bench-rss-peak");
            thread.setDaemon(true);
        }

        static RssPeak start(long pid) throws IOException {
            RssPeak peak = new RssPeak(pid);
            peak.thread.start();
            return peak;
        }

        private long rssKiB() throws IOException {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            throw new IOException("no VmRSS in " + status);
        }

        @Override
        public void run() {
            while (running) {
                try {
                    peak = Math.max(peak, rssKiB());
                    Thread.sleep(10);
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(1000);
        }

        long growthKiB() {
            return Math.max(0, peak - before);
        }
    }

    private static String report(Map<String, List<Copy>> series, long liveBytes, long snapshotBytes, String heap,
                                 String loadBefore) {
        StringBuilder sb = new StringBuilder("## 7. Fetch: speed against cp, and the target's memory\n\n");
        sb.append("`DumpHeapWorkload`: ≈ ").append(fmt(liveBytes / (double) (1 << 20), 0)).append(" MiB live, -Xmx")
                .append(heap).append(", G1, the agent on its own port (127.0.0.1, no authentication). Each round makes a ")
                .append("fresh snapshot (").append(fmt(snapshotBytes / 1e6, 0)).append(" MB) and copies it, in an ")
                .append("order alternating from round to round, with `cp` and `cp` + `sync FILE` into the folder the ")
                .append("fetch writes to, and with `java -jar oom-heapdump-agent.jar fetch 127.0.0.1:PORT NAME OUT` (")
                .append(Fetch.DEFAULT_PARALLELISM).append(" reads of ").append(Fetch.DEFAULT_CHUNK >> 20)
                .append(" MiB in flight): first while the target also hashes the new file, then again with its hash ")
                .append("cached. Every copy reads the same way as its baseline: from the page cache (`sync`, then `cat` ")
                .append("of the snapshot) or from the disk (`sync`, then the page cache dropped: a dump fetched hours ")
                .append("after it was written). The fetch's time is its own (first read to rename: the target's hash, ")
                .append("the client's hash and the final fsync included; `cp` does not fsync, `cp` + `sync` does); its ")
                .append("wall time adds the JVM's start and the connection. Ratios are per round. The target's RSS growth ")
                .append("is its largest `VmRSS`, polled every 10 ms during the fetch, less the value before.\n\n");
        List<List<String>> rows = new ArrayList<>();
        for (Cache mode : Cache.values()) {
            List<Copy> cp = series.get(mode.key("cp"));
            if (cp == null) {
                continue;
            }
            List<Copy> cpSync = series.get(mode.key("cp+sync"));
            rows.add(row(mode.label, "cp", Integer.toString(cp.size()), speed(cp), seconds(cp), "1 (baseline)", "", ""));
            rows.add(row(mode.label, "cp + sync FILE", Integer.toString(cpSync.size()), speed(cpSync), seconds(cpSync),
                    ratios(cpSync, cp).format(3), "1 (baseline)", ""));
            for (String name : List.of("fetch", "fetch again")) {
                List<Copy> copies = series.get(mode.key(name));
                Stats vsCp = ratios(copies, cp);
                Stats rss = BenchSupport.stat(copies, c -> c.rssGrowthKiB() / 1024.0);
                rows.add(row(mode.label, name.equals("fetch") ? "fetch (the target hashes the new file meanwhile)"
                                : "fetch again (the target's hash cached)", Integer.toString(copies.size()),
                        speed(copies) + " (wall " + BenchSupport.stat(copies, c -> c.bytes() / c.wallSeconds() / 1e6)
                                .format(0) + ")", seconds(copies),
                        vsCp.format(3) + (vsCp.median() >= 0.9 ? " moonshot met" : vsCp.median() >= 0.6 ? " met"
                                : " not met"), ratios(copies, cpSync).format(3),
                        rss.format(0) + (rss.max() <= 64 ? " met" : " not met")));
            }
        }
        sb.append(BenchSupport.table(List.of("snapshot read from", "copy", "runs", "MB/s", "time (s)",
                "ratio vs cp (goal ≥ 0.6, moonshot 0.9)", "ratio vs cp + sync", "target RSS growth, MiB (goal ≤ 64)"),
                rows));
        List<Copy> warmCp = series.get(Cache.WARM.key("cp"));
        List<List<String>> engine = new ArrayList<>();
        for (int[] e : ENGINES) {
            List<Copy> copies = series.get(engineKey(e));
            boolean standard = e[0] == Fetch.DEFAULT_PARALLELISM && e[1] << 20 == Fetch.DEFAULT_CHUNK;
            engine.add(row(e[0] + " × " + e[1] + " MiB" + (standard ? " (the default)" : ""),
                    Integer.toString(copies.size()), speed(copies), ratios(copies, warmCp).format(3)));
        }
        List<Copy> ceiling = series.get("ceiling");
        engine.add(row("transport alone: 4 × 8 MiB readArtifact, the bytes dropped (no hash, no disk)",
                Integer.toString(ceiling.size()), speed(ceiling), ratios(ceiling, warmCp).format(3)));
        sb.append("\nThe same engine in the benchmark's JVM (warm JIT, the target's hash cached, page cache warm), by reads ")
                .append("in flight and their size, and the transport alone: the ceiling of any fetch over JMX here.\n\n")
                .append(BenchSupport.table(List.of("reads in flight", "runs", "MB/s", "ratio vs cp (warm)"), engine));
        sb.append("\nLoad average (1/5/15 min) before / after: ").append(loadBefore).append(" → ")
                .append(BenchSupport.loadAverage()).append("\n");
        return sb.toString();
    }

    private static String speed(List<Copy> copies) {
        return BenchSupport.stat(copies, Copy::mbPerSecond).format(0);
    }

    private static String seconds(List<Copy> copies) {
        return BenchSupport.stat(copies, Copy::seconds).format(2);
    }

    private static Stats ratios(List<Copy> copies, List<Copy> baseline) {
        return BenchSupport.ratios(copies, baseline, Copy::mbPerSecond);
    }
}
