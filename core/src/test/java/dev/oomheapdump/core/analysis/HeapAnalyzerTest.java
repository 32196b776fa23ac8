package dev.oomheapdump.core.analysis;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shapes with known answers ({@link Zoo}), dumped live by a child JVM and analyzed. Sizes for 64-bit ids. */
class HeapAnalyzerTest {

    private static final String ZOO = "dev.oomheapdump.core.analysis.Zoo";
    /** Header of two 8-byte identifiers, as the NetBeans library counts it. */
    private static final int HEADER = 16;
    private static final int ARRAY_HEADER = HEADER + 8;

    private static Path dump;
    private static HeapReport report;
    private static Analysis analysis;

    @BeforeAll
    static void analyze() throws IOException {
        dump = ChildDumps.dump("zoo", "true");
        report = HeapAnalyzer.analyze(dump, HeapAnalyzer.Options.defaults().withTopClasses(100_000),
                AnalysisProgress.NONE);
        analysis = Analysis.of(dump);
    }

    private static HeapReport.ClassRow row(String name) {
        return report.histogram().stream().filter(r -> r.className().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no histogram row for " + name));
    }

    @Test
    void histogramCountsEveryInstanceOfAClassExactly() {
        assertEquals(Zoo.MARKERS, row(ZOO + "$Marker").instances());
        assertEquals(Zoo.MARKERS * (long) (HEADER + 4), row(ZOO + "$Marker").shallowBytes());
    }

    @Test
    void retainedSizeOfAHolderIsItsArraysAsComputedByHand() {
        long arrays = (long) Zoo.HOLDER_ARRAYS * (ARRAY_HEADER + Zoo.HOLDER_ARRAY_BYTES);
        long table = ARRAY_HEADER + 8L * Zoo.HOLDER_ARRAYS;
        long holder = HEADER + 8;
        HeapReport.ClassRow row = row(ZOO + "$Holder");
        assertEquals(1, row.instances());
        assertEquals(holder + table + arrays, row.retainedBytes());
    }

    @Test
    void anObjectSharedByTwoParentsIsDominatedByNeither() {
        List<Integer> parts = analysis.objectsOf(ZOO + "$Part");
        List<Integer> shared = analysis.objectsOf(ZOO + "$Shared");
        assertEquals(2, parts.size());
        assertEquals(1, shared.size());
        int idom = analysis.idom(shared.get(0));
        assertTrue(!parts.contains(idom), "the shared object is dominated by " + analysis.className(idom));
        for (int part : parts) {
            assertEquals(HEADER + 16 + ARRAY_HEADER + 5000, analysis.retained(part),
                    "a side of the diamond retains only itself and its payload");
        }
    }

    @Test
    void aCycleIsRetainedByTheMemberTheRootReaches() {
        List<Integer> ring = analysis.objectsOf(ZOO + "$Ring");
        assertEquals(3, ring.size());
        long one = HEADER + 16 + ARRAY_HEADER + 5000;
        long heads = ring.stream().filter(r -> analysis.retained(r) == 3 * one).count();
        assertEquals(1, heads, "exactly one member of the cycle retains all three");
        long inner = ring.stream().filter(r -> analysis.className(analysis.idom(r)).equals(ZOO + "$Ring")).count();
        assertEquals(2, inner, "the two others are dominated by members of the cycle");
        assertEquals(3 * one, row(ZOO + "$Ring").retainedBytes(), "the class counts the cycle once");
    }

    @Test
    void aStaticCacheIsNamedByItsFieldAndFollowedDownToItsTable() {
        HeapReport.Suspect top = report.suspects().get(0);
        assertEquals("java.util.HashMap$Node[]", top.className(), top.toString());
        assertEquals(List.of("static " + ZOO + "$Graph.CACHE", "java.util.HashMap.table"), top.path());
        long values = (long) Zoo.CACHE_ENTRIES * (ARRAY_HEADER + Zoo.CACHE_VALUE_BYTES);
        assertTrue(top.retainedBytes() > values, top.retainedBytes() + " <= " + values);
        assertTrue(top.retainedPercent() > 50 && top.retainedPercent() <= 100, top.toString());
    }

    @Test
    void anObjectHeldOnlyByAThreadStackIsNamedByTheThreadAndMethod() {
        HeapReport.Suspect held = report.suspects().stream()
                .filter(s -> s.path().stream().anyMatch(p -> p.contains("StackHeld"))).findFirst()
                .orElseThrow(() -> new AssertionError("no suspect under StackHeld: " + report.suspects()));
        assertEquals("thread \"worker-3\" local in " + ZOO + ".holdOnStack", held.path().get(0), held.toString());
        assertEquals(ZOO + "$StackHeld.payload", held.path().get(1));
        assertEquals("byte[]", held.className());
        assertEquals(ARRAY_HEADER + Zoo.STACK_BYTES, held.retainedBytes());
    }

    @Test
    void reachableAndUnreachableBytesAddUpToTheHistogram() {
        long shallow = report.histogram().stream().mapToLong(HeapReport.ClassRow::shallowBytes).sum();
        long objects = report.histogram().stream().mapToLong(HeapReport.ClassRow::instances).sum();
        assertEquals(shallow, report.shallowBytes());
        assertEquals(objects, report.objects());
        assertEquals(report.shallowBytes(), report.reachableBytes() + report.unreachableBytes());
        assertTrue(report.reachableBytes() > 0.9 * report.shallowBytes(), "a live dump is mostly reachable");
    }

    @Test
    void classNamesReadAsGetTypeNamePrintsThem() {
        row("byte[]");
        row("java.lang.String[]");
        row("byte[][]");
        row(ZOO + "$Marker[]");
        assertTrue(report.histogram().stream().noneMatch(r -> r.className().contains("/")
                || r.className().startsWith("[")), "no JVM-internal names");
    }

    @Test
    void histogramIsSortedByRetainedThenShallowBytes() {
        List<HeapReport.ClassRow> rows = report.histogram();
        for (int i = 1; i < rows.size(); i++) {
            HeapReport.ClassRow a = rows.get(i - 1);
            HeapReport.ClassRow b = rows.get(i);
            assertTrue(a.retainedBytes() > b.retainedBytes() || a.retainedBytes() == b.retainedBytes()
                    && a.shallowBytes() >= b.shallowBytes(), a + " before " + b);
        }
        try {
            assertEquals(3, HeapAnalyzer.analyze(dump, HeapAnalyzer.Options.defaults().withTopClasses(3), null)
                    .histogram().size());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void suspectsAreLargestFirst() {
        List<HeapReport.Suspect> s = report.suspects();
        assertTrue(s.size() > 1);
        for (int i = 1; i < s.size(); i++) {
            assertTrue(s.get(i - 1).retainedBytes() >= s.get(i).retainedBytes());
        }
        assertNotEquals(s.get(0).objectId(), s.get(1).objectId());
    }

    @Test
    void textSummaryNamesTotalsAndTheTopSuspect() {
        String text = report.toText();
        assertTrue(text.contains("objects of"), text);
        assertTrue(text.contains("MiB"), text);
        assertTrue(text.contains("static " + ZOO + "$Graph.CACHE"), text);
        assertTrue(text.contains("-> java.util.HashMap.table"), text);
    }
}
