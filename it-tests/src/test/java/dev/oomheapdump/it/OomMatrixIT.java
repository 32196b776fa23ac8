package dev.oomheapdump.it;

import dev.oomheapdump.core.format.HprofFile;
import dev.oomheapdump.core.trigger.PidsCgroup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OOM matrix: every kind of OutOfMemoryError, under NATIVE_HOOK and GC_MONITORING, on the collectors
 * each kind is run on, in the JDK that runs the suite ({@code .ci/run} runs it on JDK 17 and JDK 25). It
 * asserts what is left on disk and writes the table it measured to
 * {@code it-tests/target/oom-matrix-jdk<N>.md} (the README carries it).
 */
@ExtendWith(ChildOutputOnFailure.class)
class OomMatrixIT {

    static final List<String> ALL_GCS = List.of("G1", "Parallel", "Serial", "Z");

    /**
     * A kind of OOM: how to cause it, what a dump of it must hold, which collectors run it, and who sees it:
     * HotSpot's hook (preallocated errors) or the suite's trap (errors made by a constructor call).
     */
    enum Kind {
        HEAP("Java heap space, steady leak", "64m", "heap 32 20", "dev/oomheapdump/it/app/LeakedBlob", ALL_GCS, true),
        HUGE("Java heap space, one huge allocation", "64m", "huge", null, ALL_GCS, true),
        ARRAY("Requested array size exceeds VM limit", "64m", "array", null, ALL_GCS, true),
        DIRECT("Direct buffer memory", "64m", "direct 1024 20", "java/nio/DirectByteBuffer", ALL_GCS, false),
        SUBCLASS("a library's own OutOfMemoryError subclass", "64m", "subclass", "dev/oomheapdump/it/app/LeakedBlob",
                List.of("G1"), false),
        NATIVE_THREAD("unable to create native thread", "64m", "threads", "dev/oomheapdump/it/app/LeakedBlob",
                List.of("G1"), false),
        SWALLOWED("Java heap space, caught and swallowed", "64m", "swallow 32 20", "dev/oomheapdump/it/app/LeakedBlob",
                ALL_GCS, true),
        THREAD("Java heap space, in a thread that is not main", "64m", "thread 32 20",
                "dev/oomheapdump/it/app/LeakedBlob", List.of("G1"), true),
        FAST("Java heap space, a leak faster than the collector", "256m", "heap 1024 0",
                "dev/oomheapdump/it/app/LeakedBlob", List.of("G1"), true),
        METASPACE("Metaspace", "64m", "metaspace", "dev/oomheapdump/it/app/LeakedBlob", List.of("G1"), true),
        GC_OVERHEAD("GC overhead limit exceeded", "64m", "gcoverhead", null, List.of("Parallel"), true);

        /** Threads a child may have under the pids limit of the native-thread case. */
        static final int MAX_PIDS = 64;

        final String label;
        final String heap;
        final String command;
        final String classInDump;
        final List<String> gcs;
        /** Whether HotSpot's own hook fires for it; the trap fires for the others. */
        final boolean hookFires;

        Kind(String label, String heap, String command, String classInDump, List<String> gcs, boolean hookFires) {
            this.label = label;
            this.heap = heap;
            this.command = command;
            this.classInDump = classInDump;
            this.gcs = gcs;
            this.hookFires = hookFires;
        }
    }

    private static final Map<String, String> ROWS = new TreeMap<>();

    @TempDir
    Path dir;

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            for (String gc : kind.gcs) {
                for (String implementation : List.of("NATIVE_HOOK", "GC_MONITORING")) {
                    cases.add(Arguments.of(kind, gc, implementation));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void whatIsLeftOnDisk(Kind kind, String gc, String implementation) throws Exception {
        List<String> jvmArgs = new ArrayList<>(List.of("-XX:MaxDirectMemorySize=32m"));
        if (kind == Kind.METASPACE) {
            // room for the JVM's and the agent's own classes, so that the leak is what fills it
            jvmArgs.add("-XX:MaxMetaspaceSize=64m");
        }
        String options = "OOMImplementation=" + implementation + ",limit=3";
        String oomMessage;
        int hookDumps;
        int countSeenByMBean = -1;
        ChildJvm.Builder builder = ChildJvm.builder().heap(kind.heap).gc(gc).agent(options).directory(dir)
                .jvmArgs(jvmArgs.toArray(new String[0]));
        PidsCgroup cgroup = null;
        if (kind == Kind.NATIVE_THREAD) {
            PidsCgroup.Result made = PidsCgroup.create(Kind.MAX_PIDS);
            Assumptions.assumeTrue(made.cgroup() != null, made::whyNot);
            cgroup = made.cgroup();
            builder.commandPrefix(cgroup.prefix().toArray(new String[0]));
        }
        if (kind != Kind.SWALLOWED) {
            builder.noPort().args(kind.command.split(" "));
        }
        try (ChildJvm child = builder.start()) {
            if (kind == Kind.SWALLOWED) {
                MBeanServerConnection connection = child.connect();
                ObjectName name = new ObjectName(ChildJvm.OBJECT_NAME);
                child.send(kind.command);
                oomMessage = child.awaitLine("SWALLOWED", Duration.ofSeconds(60)).substring("SWALLOWED ".length());
                // The application lives on: the suite must notice the hook's dump and finish its own.
                // OomDumpCount counts attempts, failed ones too: it is never below the files on disk.
                child.await(Duration.ofSeconds(30), "the dumps are complete and counted").until(() ->
                        !((Boolean) connection.getAttribute(name, "Busy")) && completeDumps(dir) > 0
                                && ChildJvm.files(dir).stream().noneMatch(f -> f.toString().contains(".inprogress"))
                                && (Integer) connection.getAttribute(name, "OomDumpCount") >= completeDumps(dir));
                countSeenByMBean = (Integer) connection.getAttribute(name, "OomDumpCount");
                child.send("exit");
                assertEquals(0, child.awaitExit(Duration.ofSeconds(30)));
            } else {
                assertEquals(3, child.awaitExit(Duration.ofSeconds(120)), "the child died of its OOM");
                oomMessage = child.lines().stream().filter(l -> l.startsWith("OOM ")).findFirst()
                        .map(l -> l.substring(4)).orElse("?");
            }
            hookDumps = (int) child.lines().stream().filter(l -> l.startsWith("Dumping heap to ")).count();
            NativeHookOomIT.assertNoNoiseFromTheSuite(child);
        } finally {
            if (cgroup != null) {
                cgroup.close();
            }
        }

        List<Path> dumps = NativeHookOomIT.hprofFiles(dir);
        for (Path dump : dumps) {
            HprofFile.Check check = HprofFile.check(dump);
            assertTrue(check.complete(), dump + " is complete: " + check);
            if (kind.classInDump != null) {
                Set<String> classes = HprofFile.classNames(dump);
                assertTrue(classes.contains(kind.classInDump), dump + " holds " + kind.classInDump);
            }
        }
        assertTrue(ChildJvm.files(dir).stream().noneMatch(p -> p.getFileName().toString().contains(".inprogress")),
                "no temporary file is left: " + ChildJvm.files(dir));
        // every kind leaves a dump: HotSpot's hook sees the preallocated errors, the trap the constructed ones
        assertTrue(dumps.size() >= 1, "a dump is left");
        boolean onlyTheHook = implementation.equals("NATIVE_HOOK") && kind.hookFires;
        assertTrue(dumps.size() <= (onlyTheHook ? 1 : 3), "at most limit dumps: " + dumps);
        if (!kind.hookFires) {
            assertEquals(0, hookDumps, "HotSpot's hook does not fire for " + kind.label);
        }
        if (countSeenByMBean >= 0) {
            assertTrue(countSeenByMBean >= dumps.size() && countSeenByMBean <= 3,
                    "OomDumpCount " + countSeenByMBean + " counts every dump on disk and stays within the limit");
        }
        int suiteDumps = dumps.size() - hookDumps;
        String suite = kind.hookFires ? "the monitor" : implementation.equals("NATIVE_HOOK") ? "the trap"
                : "the monitor and the trap";
        String left = dumps.isEmpty() ? "nothing" : dumps.size() + " complete"
                + (suiteDumps > 0 ? ", " + suiteDumps + " by " + suite : "")
                + (hookDumps > 0 ? ", " + hookDumps + " by the JVM hook" : "")
                + (kind.classInDump == null ? "" : ", leak in it");
        synchronized (ROWS) {
            ROWS.put(String.format("%02d %s %s %s", kind.ordinal(), gc, implementation, kind),
                    "| " + kind.label + " | `" + oomMessage + "` | " + gc + " | " + implementation + " | " + left + " |");
        }
    }

    static int completeDumps(Path dir) {
        return (int) NativeHookOomIT.hprofFiles(dir).stream().filter(NativeHookOomIT::isComplete).count();
    }

    @AfterAll
    static void writeTable() throws IOException {
        if (ROWS.isEmpty()) {
            return;
        }
        StringBuilder table = new StringBuilder("OOM matrix measured on JDK " + Runtime.version() + "\n\n"
                + "| OOM | message | GC | implementation | left on disk |\n|---|---|---|---|---|\n");
        ROWS.values().forEach(row -> table.append(row).append('\n'));
        Path out = Paths.get("target", "oom-matrix-jdk" + ChildJvm.javaFeature() + ".md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table);
        System.out.println(table);
    }
}
