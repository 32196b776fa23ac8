package dev.oomheapdump.core.analysis;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A dump with {@code live=false} keeps garbage: it is counted in the histogram and as unreachable bytes. */
class GarbageTest {

    @Test
    void garbageIsCountedAndUnreachable() throws IOException {
        Path dump = ChildDumps.dump("garbage", "false");
        HeapReport report = HeapAnalyzer.analyze(dump, HeapAnalyzer.Options.defaults().withTopClasses(100_000),
                AnalysisProgress.NONE);
        HeapReport.ClassRow garbage = report.histogram().stream()
                .filter(r -> r.className().equals("dev.oomheapdump.core.analysis.Zoo$Garbage")).findFirst()
                .orElseThrow();
        assertEquals(Zoo.GARBAGE, garbage.instances());
        assertEquals(0, garbage.retainedBytes(), "nothing reachable retains garbage");
        long made = Zoo.GARBAGE * (16L + 8 + 16 + 8 + Zoo.GARBAGE_BYTES);
        assertTrue(report.unreachableBytes() >= made, report.unreachableBytes() + " < " + made);
        assertTrue(report.reachableBytes() > made, "the zoo itself stays reachable: " + report.reachableBytes());
        Analysis analysis = Analysis.of(dump);
        for (int g : analysis.objectsOf("dev.oomheapdump.core.analysis.Zoo$Garbage")) {
            assertTrue(!analysis.tree.reachable(g), "garbage is unreachable");
        }
        for (int m : analysis.objectsOf("dev.oomheapdump.core.analysis.Zoo$Marker")) {
            assertTrue(analysis.tree.reachable(m), "what a static holds is reachable");
        }
    }

    @Test
    void aLiveDumpOfTheSameShapeHasAlmostNoGarbage() throws IOException {
        HeapReport report = HeapAnalyzer.analyze(ChildDumps.dump("zoo", "true"));
        long made = Zoo.GARBAGE * (16L + 8 + 16 + 8 + Zoo.GARBAGE_BYTES);
        assertTrue(report.unreachableBytes() < made / 10, "unreachable " + report.unreachableBytes());
    }
}
