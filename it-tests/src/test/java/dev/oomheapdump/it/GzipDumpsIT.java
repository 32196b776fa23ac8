package dev.oomheapdump.it;

import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.ArtifactKind;
import dev.oomheapdump.core.format.HprofFile;
import dev.oomheapdump.core.store.ArtifactStore;
import dev.oomheapdump.mbean.OomHeapdumpMXBean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code gzip=1}: the JVM's hook, the GC monitor and snapshots over JMX all leave {@code .hprof.gz} files that are
 * whole gzip streams of complete HPROF dumps, listed complete, analyzable; no plain dump and no stage is left; each
 * OOM dump gets one line in the application's output.
 */
@ExtendWith(ChildOutputOnFailure.class)
class GzipDumpsIT {

    private static final String LEAKED = "dev/oomheapdump/it/app/LeakedBlob";

    @TempDir
    Path dir;

    @Test
    void aHeapOomUnderTheHookLeavesOneCompleteHprofGzAndOneLineSayingSo() throws Exception {
        Path dump;
        try (ChildJvm child = ChildJvm.builder().heap("48m").agent("gzip=1").noPort().directory(dir)
                .args("heap", "64", "0").start()) {
            dump = dir.resolve("OoM-pid-" + child.pid() + ".hprof.gz");
            assertEquals(3, child.awaitExit(Duration.ofSeconds(90)), child.output());
            child.awaitLineEvenIfDead("oom-heapdump: OOM dump written: ", Duration.ofSeconds(10));
            assertOneLinePerDump(child, List.of(dump));
            NativeHookOomIT.assertNoNoiseFromTheSuite(child);
        }
        assertEquals(List.of(dump), dumps(dir), "exactly one dump, compressed, under the documented name");
        assertWholeGzipOfACompleteDump(dump, LEAKED);
        List<Artifact> listed = new ArtifactStore(dir).list();
        assertEquals(1, listed.size(), listed.toString());
        assertEquals(ArtifactKind.OOM_DUMP, listed.get(0).kind());
        assertTrue(listed.get(0).isComplete(), listed.toString());

        try (ChildJvm analyze = ChildJvm.cli("analyze", dump.toString())) {
            assertEquals(0, analyze.awaitExit(Duration.ofSeconds(120)), analyze.output());
            assertTrue(analyze.output().contains("dev.oomheapdump.it.app.LeakApp.LEAK"),
                    "the analysis of the .hprof.gz names the leaking field: " + analyze.output());
        }
        try (ChildJvm check = ChildJvm.cli("check", dump.toString())) {
            assertEquals(0, check.awaitExit(Duration.ofSeconds(60)), check.output());
            assertTrue(check.output().contains("COMPLETE " + dump), check.output());
        }
    }

    @Test
    void underGcMonitoringTheMonitorsDumpsAreCompressedToo() throws Exception {
        int hookDumps;
        try (ChildJvm child = ChildJvm.builder().heap("96m")
                .agent("OOMImplementation=GC_MONITORING,threshold=60,limit=2,gzip=1").noPort().directory(dir)
                .args("heap", "32", "40").start()) {
            assertEquals(3, child.awaitExit(Duration.ofSeconds(120)), child.output());
            hookDumps = (int) child.lines().stream().filter(l -> l.startsWith("Dumping heap to ")).count();
            child.awaitLineEvenIfDead("oom-heapdump: OOM dump written: ", Duration.ofSeconds(10));
            assertOneLinePerDump(child, dumps(dir));
        }
        List<Path> dumps = dumps(dir);
        assertTrue(dumps.size() > hookDumps && dumps.size() <= 2, "the monitor dumped, within limit=2: " + dumps);
        for (Path dump : dumps) {
            assertTrue(dump.getFileName().toString().endsWith(".hprof.gz"), "compressed: " + dump);
            assertWholeGzipOfACompleteDump(dump, LEAKED);
        }
        assertEquals(List.of(), ChildJvm.files(dir).stream().map(p -> p.getFileName().toString())
                .filter(n -> n.contains(".inprogress") || n.contains(".hprof.p") || n.contains(".gz.p"))
                .collect(Collectors.toList()), "no plain stage, temporary file or segment is left");
    }

    @Test
    void aSnapshotOverJmxIsReturnedAsACompleteHprofGzWithNoPlainDumpLeft() throws Exception {
        try (ChildJvm child = ChildJvm.builder().heap("64m").agent("gzip=1").directory(dir).start()) {
            OomHeapdumpMXBean bean = child.proxy(OomHeapdumpMXBean.class);
            String snapshot = bean.createHeapSnapshot("before-deploy");
            assertEquals(dir.resolve("before-deploy.hprof.gz").toString(), snapshot);
            assertWholeGzipOfACompleteDump(Path.of(snapshot), "dev/oomheapdump/it/app/LeakApp");
            assertEquals(List.of(Path.of(snapshot)), dumps(dir));
            assertTrue(ChildJvm.files(dir).stream().noneMatch(p -> p.getFileName().toString().contains(".inprogress")),
                    "no stage or temporary file: " + ChildJvm.files(dir));
            assertTrue(Arrays.asList(bean.getHeapSnapshots()).contains(snapshot), "listed complete");
        }
    }

    /** The suite's heap dumps in a directory, plain and compressed, without hidden temporary files. */
    static List<Path> dumps(Path dir) {
        return ChildJvm.files(dir).stream().map(Path::getFileName).map(Path::toString)
                .filter(n -> !n.startsWith(".") && (n.endsWith(".hprof") || n.endsWith(".hprof.gz")))
                .map(dir::resolve).sorted().collect(Collectors.toList());
    }

    /** A whole gzip stream (to its last trailer, checksums checked) of a complete HPROF file that holds a class. */
    static void assertWholeGzipOfACompleteDump(Path dump, String className) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(dump))) {
            byte[] header = in.readNBytes(18);
            assertEquals("JAVA PROFILE 1.0.2", new String(header, StandardCharsets.ISO_8859_1), dump.toString());
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        HprofFile.Check check = HprofFile.check(dump);
        assertTrue(check.complete(), dump + ": " + check);
        assertTrue(HprofFile.classNames(dump).contains(className), dump + " holds " + className);
    }

    /** Exactly one {@code oom-heapdump: OOM dump written: PATH (SIZE, complete)} line per dump, nothing else. */
    static void assertOneLinePerDump(ChildJvm child, List<Path> dumps) {
        List<String> lines = child.lines().stream().filter(l -> l.contains("OOM dump written"))
                .collect(Collectors.toList());
        assertEquals(dumps.size(), lines.size(), "one line per dump: " + lines);
        for (Path dump : dumps) {
            Pattern line = Pattern.compile("oom-heapdump: OOM dump written: " + Pattern.quote(dump.toString())
                    + " \\(\\d+\\.\\d [KMG]iB, complete\\)");
            assertEquals(1, lines.stream().filter(l -> line.matcher(l).matches()).count(), dump + " in " + lines);
        }
    }
}
