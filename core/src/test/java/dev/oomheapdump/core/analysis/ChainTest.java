package dev.oomheapdump.core.analysis;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A linked chain of a million objects: the dominator tree is a million levels deep and needs no deep stack. */
class ChainTest {

    @Test
    void aMillionNodeChainIsRetainedByItsHead() throws IOException {
        Path dump = ChildDumps.dump("chain", "true");
        HeapReport report = HeapAnalyzer.analyze(dump, HeapAnalyzer.Options.defaults().withTopClasses(100_000),
                AnalysisProgress.NONE);
        String node = "dev.oomheapdump.core.analysis.Zoo$Node";
        long each = 16 + 8;
        HeapReport.ClassRow row = report.histogram().stream().filter(r -> r.className().equals(node)).findFirst()
                .orElseThrow();
        assertEquals(Zoo.CHAIN, row.instances());
        assertEquals(Zoo.CHAIN * each, row.retainedBytes(), "the class counts the chain once, at its head");
        HeapReport.Suspect top = report.suspects().get(0);
        assertEquals(node, top.className());
        assertEquals(Zoo.CHAIN * each, top.retainedBytes());
        assertEquals(List.of("static dev.oomheapdump.core.analysis.Zoo.chain"), top.path());
    }
}
