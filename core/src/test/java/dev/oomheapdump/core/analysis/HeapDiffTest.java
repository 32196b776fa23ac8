package dev.oomheapdump.core.analysis;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Dumps of one JVM, 500 more {@code Growing} objects in each: the diff puts that class first. */
class HeapDiffTest {

    private static final String GROWING = "dev.oomheapdump.core.analysis.Zoo$Growing";

    private static List<Path> series() {
        Path base = ChildDumps.dump("series", "true");
        return List.of(Path.of(base + "-1.hprof"), Path.of(base + "-2.hprof"), Path.of(base + "-3.hprof"));
    }

    @Test
    void twoDumpsShowWhatGrewWithExactCounts() throws IOException {
        List<Path> s = series();
        DiffReport diff = HeapDiff.diff(List.of(s.get(0), s.get(2)));
        DiffReport.ClassDelta growing = diff.classes().stream().filter(d -> d.className().equals(GROWING))
                .findFirst().orElseThrow();
        assertEquals(500, growing.instancesBefore());
        assertEquals(1500, growing.instancesAfter());
        assertEquals(500 * 24L, growing.bytesBefore());
        assertTrue(diff.toJson().startsWith("{\"classes\":[{\"class\":"), diff.toJson(5));
        assertTrue(diff.toJson().contains("{\"class\":\"" + GROWING + "\",\"instancesBefore\":500,"
                + "\"instancesAfter\":1500,\"bytesBefore\":12000,\"bytesAfter\":36000}"), diff.toJson(5));
        for (int i = 1; i < diff.classes().size(); i++) {
            assertTrue(diff.classes().get(i - 1).growth() >= diff.classes().get(i).growth());
        }
    }

    @Test
    void aSeriesPutsTheClassThatGrowsInEveryStepFirst() throws IOException {
        DiffReport diff = HeapDiff.diff(series());
        List<DiffReport.ClassDelta> growingEveryStep = diff.classes().stream()
                .filter(DiffReport.ClassDelta::growsEveryStep).toList();
        assertTrue(growingEveryStep.stream().anyMatch(d -> d.className().equals(GROWING)));
        assertEquals(growingEveryStep, diff.classes().subList(0, growingEveryStep.size()));
        DiffReport.ClassDelta growing = growingEveryStep.stream().filter(d -> d.className().equals(GROWING))
                .findFirst().orElseThrow();
        assertEquals(List.of(500L, 1000L, 1500L), growing.instances());
        assertTrue(diff.toText(10).contains(GROWING), diff.toText(10));
    }

    @Test
    void oneDumpIsNotADiff() {
        assertThrows(IllegalArgumentException.class, () -> HeapDiff.diff(List.of(series().get(0))));
    }
}
