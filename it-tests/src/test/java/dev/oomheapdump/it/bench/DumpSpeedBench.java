package dev.oomheapdump.it.bench;

import dev.oomheapdump.core.format.HprofFile;
import dev.oomheapdump.it.ChildJvm;
import dev.oomheapdump.it.ChildOutputOnFailure;
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
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.oomheapdump.it.bench.BenchSupport.Stats;
import static dev.oomheapdump.it.bench.BenchSupport.ask;
import static dev.oomheapdump.it.bench.BenchSupport.fmt;
import static dev.oomheapdump.it.bench.BenchSupport.row;
import static dev.oomheapdump.it.bench.BenchSupport.word;

/**
 * 2. How fast an on-request heap snapshot is written: {@code createHeapSnapshot} over remote JMX against
 * {@code jcmd <pid> GC.heap_dump} on the same live heap in the same JVM (both dump live objects after a full
 * GC), on JDK 17 and JDK 25, and both against the sequential write speed of the same disk
 * ({@code dd ... conv=fdatasync}). A ticker thread in the application records its longest pause.
 *
 * <p>Each round runs both dumps, in an order that alternates from round to round, then {@code dd} with the
 * size of the dump; every file is checked complete and deleted at once.
 */
@ExtendWith(ChildOutputOnFailure.class)
class DumpSpeedBench {

    private static final Pattern JCMD_DONE = Pattern.compile("Heap dump file created \\[(\\d+) bytes in ([0-9.]+) secs]");
    private static final Pattern DD_DONE = Pattern.compile("(\\d+) bytes .* copied, ([0-9.e+-]+) s");

    /** One measured write: bytes, seconds, the application's longest pause in ms (NaN for dd). */
    record Write(long bytes, double seconds, double pauseMillis, double wallSeconds) {
        double mbPerSecond() {
            return bytes / seconds / 1e6;
        }
    }

    @Test
    void dumpSpeed() throws Exception {
        int liveMiB = BenchSupport.quick() ? 256 : 1280;
        String heap = (liveMiB * 2 + 512) + "m";
        String loadBefore = BenchSupport.loadAverage();
        Map<String, Path> jdks = new LinkedHashMap<>();
        jdks.put("17", ChildJvm.javaHome());
        Optional<Path> jdk25 = BenchSupport.jdk25();
        jdk25.ifPresent(p -> jdks.put("25", p));
        StringBuilder sb = new StringBuilder("## 2. Dump speed\n\n");
        sb.append("`DumpHeapWorkload`: ≈ ").append(liveMiB).append(" MiB live, half arrays (4–256 KiB), half millions ")
                .append("of small objects (linked nodes, boxed numbers, short strings); -Xmx").append(heap)
                .append(", G1. In the same JVM, each round dumps the live heap with `jcmd <pid> GC.heap_dump <file>` and ")
                .append("with the MBean's `createHeapSnapshot` over remote JMX (order alternating), then writes as many ")
                .append("bytes with `dd if=/dev/zero bs=1M conv=fdatasync` into the same folder. jcmd's time is the one ")
                .append("the JVM reports (\"Heap dump file created [...] in X secs\", without jcmd's own start-up); the ")
                .append("MBean's is the whole JMX call, file check and rename included. Both run a full GC first. ")
                .append("Ratios are per round. Heap dumps are written without fsync, so they can beat dd's fdatasync ")
                .append("speed while the page cache absorbs them.\n\n");
        List<List<String>> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (Map.Entry<String, Path> jdk : jdks.entrySet()) {
            measure(jdk.getKey(), jdk.getValue(), liveMiB, heap, rows, notes);
        }
        sb.append(BenchSupport.table(List.of("JDK", "writer", "runs", "MB/s", "time (s)", "ratio vs jcmd (goal ≥ 0.95)",
                "ratio vs disk", "longest app pause (ms)", "pause ratio vs jcmd"), rows));
        if (jdk25.isEmpty()) {
            notes.add("No JDK 25 was found: set -Dbench.jdk25=<JDK home> or JDK25_HOME.");
        }
        for (String note : notes) {
            sb.append("\n").append(note).append("\n");
        }
        sb.append("\nLoad average (1/5/15 min) before / after: ").append(loadBefore).append(" → ")
                .append(BenchSupport.loadAverage()).append("\n");
        BenchReport.section(2, "dump", sb.toString());
    }

    private void measure(String feature, Path javaHome, int liveMiB, String heap, List<List<String>> rows,
                         List<String> notes) throws Exception {
        Path dir = BenchSupport.freshWorkDir("dump-" + feature);
        Path agentDir = dir.resolve("agent");
        BenchSupport.requireFreeSpace(dir, (long) liveMiB * 4 << 20);
        List<Write> jcmd = new ArrayList<>();
        List<Write> mbean = new ArrayList<>();
        List<Write> disk = new ArrayList<>();
        Path jcmdTool = javaHome.resolve("bin").resolve("jcmd");
        long liveBytes;
        try (ChildJvm child = ChildJvm.builder().javaHome(javaHome).heap(heap).gc("G1").agent("").directory(agentDir)
                .mainClass(DumpHeapWorkload.class.getName()).args(Integer.toString(liveMiB)).start()) {
            liveBytes = word(child.awaitLine("BUILT ", Duration.ofMinutes(5)), 2);
            MBeanServerConnection connection = child.connect();
            ObjectName bean = new ObjectName(ChildJvm.OBJECT_NAME);
            connection.getAttribute(bean, "Busy");
            check(BenchSupport.exec(Duration.ofMinutes(1), jcmdTool.toString(), Long.toString(child.pid()), "VM.version"));
            for (int round = 0; round < BenchSupport.runs(); round++) {
                boolean jcmdFirst = round % 2 == 0;
                for (int k = 0; k < 2; k++) {
                    if ((k == 0) == jcmdFirst) {
                        jcmd.add(jcmdDump(child, jcmdTool, dir.resolve("jcmd-" + round + ".hprof")));
                    } else {
                        mbean.add(mbeanDump(child, connection, bean, "mbean-" + round));
                    }
                }
                long bytes = mbean.get(mbean.size() - 1).bytes;
                disk.add(dd(dir.resolve("dd.bin"), bytes));
                System.out.printf("[bench] dump JDK %s round %d: jcmd %.0f MB/s, MBean %.0f MB/s, dd %.0f MB/s%n", feature,
                        round + 1, jcmd.get(round).mbPerSecond(), mbean.get(round).mbPerSecond(), disk.get(round).mbPerSecond());
            }
            child.send("exit");
            child.awaitExit(Duration.ofSeconds(30));
        } finally {
            BenchSupport.deleteTree(dir);
        }
        String jdk = feature + " (" + fmt(liveBytes / (double) (1 << 20), 0) + " MiB live, dump "
                + fmt(mbean.get(0).bytes / (double) (1 << 20), 0) + " MiB)";
        rows.add(row(jdk, "jcmd GC.heap_dump", Integer.toString(jcmd.size()), speed(jcmd), seconds(jcmd)
                        + " (jcmd wall " + Stats.of(jcmd.stream().map(Write::wallSeconds).toList()).format(1) + ")",
                "1 (baseline)", ratio(jcmd, disk), pause(jcmd), "1 (baseline)"));
        List<Double> vsJcmd = new ArrayList<>();
        List<Double> pauseRatio = new ArrayList<>();
        for (int i = 0; i < mbean.size(); i++) {
            vsJcmd.add(mbean.get(i).mbPerSecond() / jcmd.get(i).mbPerSecond());
            pauseRatio.add(mbean.get(i).pauseMillis / jcmd.get(i).pauseMillis);
        }
        Stats r = Stats.of(vsJcmd);
        rows.add(row(jdk, "MBean createHeapSnapshot", Integer.toString(mbean.size()), speed(mbean), seconds(mbean),
                r.format(3) + (r.median() >= 0.95 ? " met" : " not met"), ratio(mbean, disk), pause(mbean),
                Stats.of(pauseRatio).format(2)));
        rows.add(row(jdk, "disk: dd conv=fdatasync", Integer.toString(disk.size()), speed(disk), seconds(disk), "", "1 (baseline)",
                "", ""));
    }

    private static String speed(List<Write> writes) {
        return BenchSupport.stat(writes, Write::mbPerSecond).format(0);
    }

    private static String seconds(List<Write> writes) {
        return BenchSupport.stat(writes, Write::seconds).format(2);
    }

    private static String pause(List<Write> writes) {
        return BenchSupport.stat(writes, Write::pauseMillis).format(0);
    }

    private static String ratio(List<Write> writes, List<Write> disk) {
        return BenchSupport.ratios(writes, disk, Write::mbPerSecond).format(2);
    }

    private static Write jcmdDump(ChildJvm child, Path jcmdTool, Path file) throws Exception {
        ask(child, "gap", "GAP", Duration.ofSeconds(30));
        BenchSupport.Exec exec = BenchSupport.exec(Duration.ofMinutes(10), jcmdTool.toString(), Long.toString(child.pid()),
                "GC.heap_dump", file.toString());
        double pause = word(ask(child, "gap", "GAP", Duration.ofSeconds(60)), 1) / 1e6;
        check(exec);
        Matcher m = JCMD_DONE.matcher(exec.output());
        if (!m.find()) {
            throw new IllegalStateException("jcmd did not report a heap dump:\n" + exec.output());
        }
        long bytes = checkComplete(file);
        Files.delete(file);
        return new Write(bytes, Double.parseDouble(m.group(2)), pause, exec.nanos() / 1e9);
    }

    private static Write mbeanDump(ChildJvm child, MBeanServerConnection connection, ObjectName bean, String name)
            throws Exception {
        ask(child, "gap", "GAP", Duration.ofSeconds(30));
        long start = System.nanoTime();
        String path = (String) connection.invoke(bean, "createHeapSnapshot", new Object[]{name},
                new String[]{String.class.getName()});
        double seconds = (System.nanoTime() - start) / 1e9;
        double pause = word(ask(child, "gap", "GAP", Duration.ofSeconds(60)), 1) / 1e6;
        long bytes = checkComplete(Paths.get(path));
        connection.invoke(bean, "deleteHeapSnapshot", new Object[]{path}, new String[]{String.class.getName()});
        return new Write(bytes, seconds, pause, seconds);
    }

    private static long checkComplete(Path file) {
        HprofFile.Check check = HprofFile.check(file);
        if (!check.complete()) {
            throw new IllegalStateException(file + " is not a complete heap dump: " + check);
        }
        return check.bytes();
    }

    private static Write dd(Path file, long bytes) throws Exception {
        long mib = (bytes + (1 << 20) - 1) >> 20;
        BenchSupport.Exec exec = BenchSupport.exec(Duration.ofMinutes(10), "dd", "if=/dev/zero", "of=" + file, "bs=1M",
                "count=" + mib, "conv=fdatasync");
        Files.deleteIfExists(file);
        check(exec);
        Matcher m = DD_DONE.matcher(exec.output());
        if (!m.find()) {
            throw new IllegalStateException("cannot read dd's output:\n" + exec.output());
        }
        return new Write(Long.parseLong(m.group(1)), Double.parseDouble(m.group(2)), Double.NaN, exec.nanos() / 1e9);
    }

    private static void check(BenchSupport.Exec exec) throws IOException {
        if (exec.exit() != 0) {
            throw new IOException("command failed (exit " + exec.exit() + "):\n" + exec.output());
        }
    }
}
