package dev.oomheapdump.it;

import dev.oomheapdump.core.format.HprofFile;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Under GC_MONITORING, a steady leak is caught after a collection crosses the threshold: at most
 * {@code limit} complete dumps, each holding the leak, under every collector.
 */
@ExtendWith(ChildOutputOnFailure.class)
class GcMonitoringOomIT {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"G1", "Parallel", "Serial", "Z"})
    void aSteadyLeakLeavesAtMostLimitCompleteDumps(String gc) throws Exception {
        try (ChildJvm child = ChildJvm.builder().heap("96m").gc(gc)
                .agent("OOMImplementation=GC_MONITORING,threshold=60,limit=2").noPort().directory(dir)
                .args("heap", "32", "40").start()) {
            assertEquals(3, child.awaitExit(Duration.ofSeconds(120)), child.output());
        }
        List<Path> dumps = NativeHookOomIT.hprofFiles(dir);
        assertFalse(dumps.isEmpty(), "at least one dump");
        assertTrue(dumps.size() <= 2, "at most limit=2 dumps: " + dumps);
        for (Path dump : dumps) {
            assertTrue(HprofFile.check(dump).complete(), dump + " is complete: " + HprofFile.check(dump));
            assertTrue(HprofFile.classNames(dump).contains("dev/oomheapdump/it/app/LeakedBlob"), dump + " holds the leak");
        }
        assertTrue(ChildJvm.files(dir).stream().noneMatch(p -> p.getFileName().toString().contains(".inprogress")),
                "no temporary file is left: " + ChildJvm.files(dir));
    }
}
