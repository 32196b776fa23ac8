package dev.oomheapdump.core.store;

import dev.oomheapdump.core.MinFreeDisk;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The estimate of a dump's disk, and the refusal of one that would leave less than {@code minFreeDisk}. */
class DiskGuardTest {

    private static final long GIB = 1L << 30;
    private static final Path DIR = Path.of("dumps").toAbsolutePath();

    @Test
    void aDumpHeapEstimateCountsTheMergeOnJdk22AndThePlainDumpBesideItsGzip() {
        long heap = 10 * GIB;
        long plain = (long) (heap * DumpEstimate.HPROF_PER_HEAP_BYTE);
        long gz = (long) (plain * DumpEstimate.GZIP_RATIO);
        assertEquals(plain, DumpEstimate.ofDumpHeap(heap, 0, 17).peakBytes());
        assertEquals(plain, DumpEstimate.ofDumpHeap(heap, 0, 17).finalBytes());
        assertEquals(2 * plain, DumpEstimate.ofDumpHeap(heap, 0, 25).peakBytes(), "segments and merged file");
        assertEquals(plain + gz, DumpEstimate.ofDumpHeap(heap, 1, 17).peakBytes(), "plain and gzip side by side");
        assertEquals(gz, DumpEstimate.ofDumpHeap(heap, 1, 17).finalBytes());
        assertEquals(2 * plain, DumpEstimate.ofDumpHeap(heap, 1, 25).peakBytes(), "the merge is the peak");
    }

    @Test
    void theHooksEstimateStartsFromTheMaximumHeapAndTheJvmCompressesItself() {
        long max = 4 * GIB;
        long plain = (long) (max * DumpEstimate.HPROF_PER_HEAP_BYTE);
        long gz = (long) (plain * DumpEstimate.GZIP_RATIO);
        assertEquals(plain, DumpEstimate.ofHook(max, 0, 17).peakBytes());
        assertEquals(gz, DumpEstimate.ofHook(max, 9, 17).peakBytes(), "no plain copy: HotSpot writes gzip");
        assertEquals(2 * gz, DumpEstimate.ofHook(max, 1, 25).peakBytes(), "compressed segments, then their merge");
    }

    @Test
    void aDumpThatWouldLeaveLessThanTheReserveIsRefusedWithTheSizes() {
        DiskGuard disk = new DiskGuard(DIR, () -> 3 * GIB, () -> 50 * GIB);
        DumpEstimate estimate = DumpEstimate.ofDumpHeap(GIB, 0, 17); // 1.3 GiB
        assertTrue(disk.refusal(estimate, MinFreeDisk.parse("1g")).isEmpty(), "3 - 1.3 leaves more than 1 GiB");
        String refusal = disk.refusal(estimate, MinFreeDisk.parse("5%")).orElseThrow(); // keeps 2.5 GiB
        assertTrue(refusal.contains("needs about 1.3 GiB"), refusal);
        assertTrue(refusal.contains(DIR + " has 3.0 GiB free"), refusal);
        assertTrue(refusal.contains("minFreeDisk=5% keeps 2.5 GiB"), refusal);

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> disk.check("heap snapshot 'x.hprof'", estimate, MinFreeDisk.parse("2g")));
        assertTrue(e.getMessage().startsWith("The heap snapshot 'x.hprof' was refused before anything was written: "
                + "it needs about 1.3 GiB"), e.getMessage());
    }

    @Test
    void aDumpBiggerThanTheFreeSpaceIsRefusedEvenWithoutAReserve() {
        DiskGuard disk = new DiskGuard(DIR, () -> GIB, () -> 50 * GIB);
        assertFalse(disk.refusal(DumpEstimate.ofDumpHeap(2 * GIB, 0, 17), MinFreeDisk.parse("0")).isEmpty());
        assertTrue(disk.refusal(DumpEstimate.ofDumpHeap(GIB / 2, 0, 17), MinFreeDisk.parse("0")).isEmpty());
    }

    @Test
    void aFileSystemThatCannotBeAskedRefusesNothing() {
        DiskGuard missing = new DiskGuard(DIR, () -> 0, () -> 0);
        assertTrue(missing.refusal(DumpEstimate.ofDumpHeap(GIB, 0, 17), MinFreeDisk.parse("99%")).isEmpty(),
                "the write itself says what is wrong with a missing directory");
    }
}
