package dev.oomheapdump.jconsole;

import dev.oomheapdump.jconsole.FlameGraphs.Plan;
import dev.oomheapdump.jconsole.TabState.ArtifactRow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Which file "Open flame graph" fetches for a selection, where it goes, and a flame graph made here. */
class FlameGraphsTest {

    @TempDir
    Path dir;

    private BeanFixture fixture;
    /** Where the allocating thread puts what it allocates. */
    private static volatile byte[] sink;

    @AfterEach
    void close() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static ArtifactRow row(String path, String state) {
        return new ArtifactRow(path, path.endsWith(".hprof") ? "HEAP_SNAPSHOT" : "CPU_PROFILE", 100, 1, state,
                "THIS_RUN", "");
    }

    private static final ArtifactRow JFR = row("/d/allocprofile-1.jfr", "COMPLETE");
    private static final ArtifactRow HTML = row("/d/allocprofile-1.html", "COMPLETE");
    private static final ArtifactRow PPROF = row("/d/allocprofile-1.pprof", "COMPLETE");
    private static final ArtifactRow OTHER = row("/d/cpuprofile-2.jfr", "COMPLETE");
    private static final ArtifactRow DUMP = row("/d/allocprofile-1.hprof", "COMPLETE");

    @Test
    void anyFileOfAProfileOpensItsCompleteFlameGraph() {
        List<ArtifactRow> listed = List.of(JFR, HTML, PPROF, OTHER, DUMP);
        Optional<Plan> plan = FlameGraphs.plan(List.of(JFR), listed);
        assertEquals(Optional.of(new Plan("allocprofile-1", HTML)), plan);
        assertFalse(plan.get().convert());
        assertEquals("allocprofile-1.html", plan.get().flameGraphName());
        assertEquals(plan, FlameGraphs.plan(List.of(PPROF), listed));
        assertEquals(plan, FlameGraphs.plan(List.of(HTML, JFR, PPROF), listed), "several files of one profile");
    }

    @Test
    void withoutACompleteFlameGraphItsRecordingIsConvertedHere() {
        ArtifactRow writing = row("/d/allocprofile-1.html", "IN_PROGRESS");
        Optional<Plan> plan = FlameGraphs.plan(List.of(JFR), List.of(JFR, writing));
        assertEquals(Optional.of(new Plan("allocprofile-1", JFR)), plan);
        assertTrue(plan.get().convert());
        assertEquals(plan, FlameGraphs.plan(List.of(PPROF), List.of(JFR, PPROF)));
    }

    @Test
    void nothingOpensForOtherFilesTwoProfilesOrNoCompleteFile() {
        assertEquals(Optional.empty(), FlameGraphs.plan(List.of(), List.of(JFR, HTML)));
        assertEquals(Optional.empty(), FlameGraphs.plan(List.of(DUMP), List.of(JFR, HTML, DUMP)), "a heap dump");
        assertEquals(Optional.empty(), FlameGraphs.plan(List.of(JFR, OTHER), List.of(JFR, HTML, OTHER)), "two profiles");
        ArtifactRow truncated = row("/d/allocprofile-1.jfr", "TRUNCATED");
        assertEquals(Optional.empty(), FlameGraphs.plan(List.of(truncated), List.of(truncated)));
        assertNull(FlameGraphs.basePath(DUMP));
        assertEquals("/d/allocprofile-1", FlameGraphs.basePath(PPROF));
    }

    @Test
    void filesGoToAPrivateFolderANewOneForEachFetch() throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        PrivateFolder folders = new PrivateFolder(dir, "JConsole");
        FlameGraphs graphs = new FlameGraphs(folders, "JConsole");

        Path root = folders.root();
        Path first = graphs.newFolder();
        Path second = graphs.newFolder();

        assertEquals(dir, root.getParent());
        assertTrue(root.getFileName().toString().startsWith("oom-heapdump-"), root.toString());
        assertEquals(root, folders.root(), "one private folder");
        for (Path folder : List.of(root, first, second)) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)), folder.toString());
        }
        assertEquals(root, first.getParent());
        assertNotEquals(first, second);
    }

    @Test
    void aFlameGraphBroughtBeforeIsFoundAgainWhileTheSourceIsTheSame() throws Exception {
        FlameGraphs graphs = new FlameGraphs(new PrivateFolder(dir, "JConsole"), "JConsole");
        Plan plan = new Plan("allocprofile-1", HTML);
        Path local = Files.writeString(graphs.newFolder().resolve("allocprofile-1.html"), "<html></html>");

        assertNull(graphs.known(plan));
        graphs.remember(plan, local);
        assertEquals(local, graphs.known(plan));
        ArtifactRow remade = new ArtifactRow(HTML.path(), HTML.kind(), 200, 2, "COMPLETE", "THIS_RUN", "");
        assertNull(graphs.known(new Plan("allocprofile-1", remade)), "another file of the same name");
        Files.delete(local);
        assertNull(graphs.known(plan), "deleted meanwhile");
    }

    @Test
    void aRecordingBecomesAFlameGraphOfItsEventAndIsDeleted() throws Exception {
        fixture = new BeanFixture(dir.resolve("host"), true, "profileFormats=jfr");
        Files.createDirectories(fixture.directory);
        Path recorded;
        // async-profiler's recording of allocations does not name its event: the converter is told by the samples
        AtomicBoolean stop = new AtomicBoolean();
        Thread allocating = new Thread(() -> {
            while (!stop.get()) {
                sink = new byte[64 << 10];
            }
        }, "allocating");
        allocating.start();
        try {
            recorded = Paths.get(fixture.bean().createProfile("p", "alloc", 500));
        } finally {
            stop.set(true);
            allocating.join();
        }
        assertFalse(Files.exists(recorded.resolveSibling("p.html")), "the JVM made no flame graph");
        Path here = Files.createDirectories(dir.resolve("here"));
        Path jfr = Files.copy(recorded, here.resolve("p.jfr"));

        Path html = FlameGraphs.convert(jfr, "p", "JConsole");

        assertEquals(here.resolve("p.html"), html);
        String page = Files.readString(html);
        assertTrue(page.strip().endsWith("</html>"), "a complete page");
        assertTrue(page.contains("Allocation profile: p.jfr (made in JConsole)"), "titled by the recorded event");
        try (var files = Files.list(here)) {
            assertEquals(List.of(html), files.toList(), "the recording is deleted, no part is left");
        }
    }
}
