package dev.oomheapdump.it.bench;

import dev.oomheapdump.it.ChildJvm;
import dev.oomheapdump.it.ChildOutputOnFailure;
import dev.oomheapdump.it.ship.S3Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.oomheapdump.it.bench.BenchSupport.fmt;
import static dev.oomheapdump.it.bench.BenchSupport.row;
import static dev.oomheapdump.it.bench.BenchSupport.word;

/**
 * 8. How fast {@code ship} sends a ≈ 2 GB heap dump to an S3-compatible store on this machine (S3Proxy, filesystem
 * backend, 127.0.0.1), against {@code cp} of the same file in the same run, and the uploader's peak RSS (its
 * {@code VmRSS} polled every 10 ms). The dump is {@code jcmd GC.heap_dump} of {@link DumpHeapWorkload}; every copy
 * reads it from the page cache. The ship command runs as the agent runs it, {@code java -Xmx256m -jar
 * oom-heapdump-agent.jar ship ...}, and again with {@code -Xmx96m}; its time includes the JVM's start, both reads of the file (the
 * SHA-256, then gzip and the upload), the store's writes and the check of the object. Fails only when a command fails.
 */
@ExtendWith(ChildOutputOnFailure.class)
class ShipBench {

    /** The uploader's heap as the agent starts it, and a smaller one: the memory bound. */
    private static final String AGENT_HEAP = "-Xmx256m";
    private static final String SMALL_HEAP = "-Xmx96m";
    private static final Pattern SHIPPED = Pattern.compile("shipped \\S+ to (\\S+) \\((\\d+) bytes, sha256 ");

    record Copy(long bytes, double seconds, long objectBytes, long peakRssKiB) {
        double mbPerSecond() {
            return bytes / seconds / 1e6;
        }
    }

    @Test
    void shipSpeedAndMemory() throws Exception {
        int liveMiB = BenchSupport.quick() ? 256 : 1500;
        String heap = (liveMiB * 2 + 512) + "m";
        String loadBefore = BenchSupport.loadAverage();
        Path work = BenchSupport.freshWorkDir("ship");
        BenchSupport.requireFreeSpace(work, (long) liveMiB * 5 << 20);
        List<Copy> cps = new ArrayList<>();
        List<Copy> ships = new ArrayList<>();
        List<Copy> smallShips = new ArrayList<>();
        long liveBytes;
        Path dump = work.resolve("bench.hprof");
        try (S3Server s3 = S3Server.start(work)) {
            try (ChildJvm child = ChildJvm.builder().heap(heap).gc("G1").agent(null).noPort()
                    .mainClass(DumpHeapWorkload.class.getName()).args(Integer.toString(liveMiB)).start()) {
                liveBytes = word(child.awaitLine("BUILT ", Duration.ofMinutes(5)), 2);
                BenchSupport.Exec jcmd = BenchSupport.exec(Duration.ofMinutes(5),
                        ChildJvm.javaHome().resolve("bin").resolve("jcmd").toString(), Long.toString(child.pid()),
                        "GC.heap_dump", dump.toString());
                if (jcmd.exit() != 0 || !Files.isRegularFile(dump)) {
                    throw new IOException("jcmd GC.heap_dump failed: " + jcmd.output());
                }
                child.send("exit");
                child.awaitExit(Duration.ofSeconds(30));
            }
            Map<String, String> env = s3.environment(work);
            for (int round = 0; round < BenchSupport.runs(); round++) {
                boolean cpFirst = round % 2 == 0;
                for (int k = 0; k < 2; k++) {
                    if ((k == 0) == cpFirst) {
                        cps.add(cp(dump, work));
                    } else {
                        ships.add(ship(dump, work, env, s3, "bench-" + round, AGENT_HEAP));
                        smallShips.add(ship(dump, work, env, s3, "bench-small-" + round, SMALL_HEAP));
                    }
                }
                System.out.printf("[bench] ship round %d: cp %.0f MB/s, ship %.0f MB/s, peak RSS %d MiB; with %s: %.0f MB/s, "
                                + "peak RSS %d MiB%n", round + 1, cps.get(round).mbPerSecond(), ships.get(round).mbPerSecond(),
                        ships.get(round).peakRssKiB() >> 10, SMALL_HEAP, smallShips.get(round).mbPerSecond(),
                        smallShips.get(round).peakRssKiB() >> 10);
            }
        } finally {
            BenchSupport.deleteTree(work);
        }
        BenchReport.section(8, "ship", report(cps, ships, smallShips, liveBytes, heap, loadBefore));
    }

    private static void warm(Path dump) throws IOException, InterruptedException {
        BenchSupport.exec(Duration.ofMinutes(2), "sync");
        BenchSupport.exec(Duration.ofMinutes(2), "sh", "-c", "cat \"$0\" > /dev/null", dump.toString());
    }

    private static Copy cp(Path dump, Path work) throws Exception {
        Path target = work.resolve("cp.hprof");
        warm(dump);
        BenchSupport.Exec cp = BenchSupport.exec(Duration.ofMinutes(5), "cp", dump.toString(), target.toString());
        if (cp.exit() != 0 || Files.size(target) != Files.size(dump)) {
            throw new IOException("cp failed: " + cp.output());
        }
        Files.delete(target);
        return new Copy(Files.size(dump), cp.nanos() / 1e9, Files.size(dump), 0);
    }

    private static Copy ship(Path dump, Path work, Map<String, String> env, S3Server s3, String prefix, String heap)
            throws Exception {
        warm(dump);
        Path out = work.resolve(prefix + ".out");
        ProcessBuilder builder = new ProcessBuilder(ChildJvm.javaHome().resolve("bin").resolve("java").toString(),
                heap, "-jar", ChildJvm.agentJar().toString(), "ship", "--to", "s3://" + S3Server.BUCKET + "/" + prefix,
                "--endpoint", s3.endpoint(), dump.toString()).redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().putAll(env);
        long start = System.nanoTime();
        Process process = builder.start();
        long peak = 0;
        Path status = Paths.get("/proc", Long.toString(process.pid()), "status");
        while (!process.waitFor(10, TimeUnit.MILLISECONDS)) {
            peak = Math.max(peak, rssKiB(status));
            if (System.nanoTime() - start > TimeUnit.MINUTES.toNanos(20)) {
                process.destroyForcibly();
                throw new IOException("ship did not finish within 20 min");
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        String output = Files.readString(out, StandardCharsets.UTF_8);
        Matcher m = SHIPPED.matcher(output);
        if (process.exitValue() != 0 || !m.find()) {
            throw new IOException("ship failed (exit " + process.exitValue() + "): " + output);
        }
        String key = m.group(1).substring(("s3://" + S3Server.BUCKET + "/").length());
        long objectBytes = Long.parseLong(m.group(2));
        if (s3.head(key).contentLength() != objectBytes) {
            throw new IOException("the object " + key + " is not " + objectBytes + " bytes");
        }
        return new Copy(Files.size(dump), seconds, objectBytes, peak);
    }

    private static long rssKiB(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process just ended
        }
        return 0;
    }

    private static String report(List<Copy> cps, List<Copy> ships, List<Copy> smallShips, long liveBytes, String heap,
                                 String loadBefore) {
        StringBuilder sb = new StringBuilder("## 8. Shipping: speed against cp, and the uploader's memory\n\n");
        long bytes = ships.get(0).bytes();
        sb.append("`DumpHeapWorkload`: ≈ ").append(fmt(liveBytes / (double) (1 << 20), 0)).append(" MiB live, -Xmx")
                .append(heap).append(", G1; `jcmd GC.heap_dump` of it: ").append(fmt(bytes / 1e6, 0))
                .append(" MB. Each round, in an order alternating from round to round, copies it with `cp` into the ")
                .append("same folder and ships it with `java -Xmx256m -jar oom-heapdump-agent.jar ship --to s3://dumps/bench-N ")
                .append("--endpoint http://127.0.0.1:PORT DUMP` (the heap the agent gives its uploader), then again with ")
                .append("`-Xmx96m`, to S3Proxy 2.6.0 on this ")
                .append("machine (filesystem backend on the same disk, SigV4 over HTTP); both read the dump from the page ")
                .append("cache (`sync`, then `cat`). Ship's time is its wall time: the JVM's start, the SHA-256 read, the ")
                .append("gzip (level 1) and multipart upload (16 MiB parts, 2 in flight, signed payloads: the SDK hashes ")
                .append("every part too), the store's own writes and the check of the object. MB/s are of the file's ")
                .append("bytes. Peak RSS is the uploader's largest `VmRSS`, polled every 10 ms.\n\n");
        List<List<String>> rows = new ArrayList<>();
        rows.add(row("cp", Integer.toString(cps.size()), stat(cps, Copy::mbPerSecond, 0),
                stat(cps, Copy::seconds, 2), "", "", ""));
        rows.add(row("ship, " + AGENT_HEAP + " (as the agent runs it)", Integer.toString(ships.size()),
                stat(ships, Copy::mbPerSecond, 0), stat(ships, Copy::seconds, 2), ratio(ships, cps),
                stat(ships, c -> c.objectBytes() / 1e6, 0), stat(ships, c -> c.peakRssKiB() / 1024.0, 0)));
        rows.add(row("ship, " + SMALL_HEAP, Integer.toString(smallShips.size()),
                stat(smallShips, Copy::mbPerSecond, 0), stat(smallShips, Copy::seconds, 2), ratio(smallShips, cps),
                stat(smallShips, c -> c.objectBytes() / 1e6, 0), stat(smallShips, c -> c.peakRssKiB() / 1024.0, 0)));
        sb.append(BenchSupport.table(List.of("copy", "runs", "MB/s", "time (s)", "ratio vs cp", "object (MB)",
                "uploader peak RSS (MiB)"), rows));
        sb.append("\nLoad average (1/5/15 min) before / after: ").append(loadBefore).append(" → ")
                .append(BenchSupport.loadAverage()).append("\n");
        return sb.toString();
    }

    private static String stat(List<Copy> copies, java.util.function.ToDoubleFunction<Copy> measure, int decimals) {
        BenchSupport.Stats s = BenchSupport.stat(copies, measure);
        return fmt(s.median(), decimals) + " (" + fmt(s.min(), decimals) + "–" + fmt(s.max(), decimals) + ")";
    }

    private static String ratio(List<Copy> ships, List<Copy> cps) {
        BenchSupport.Stats s = BenchSupport.ratios(ships, cps, Copy::mbPerSecond);
        return fmt(s.median(), 3) + " (" + fmt(s.min(), 3) + "–" + fmt(s.max(), 3) + ")";
    }
}
