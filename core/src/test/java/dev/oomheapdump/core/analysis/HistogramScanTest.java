package dev.oomheapdump.core.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The mapped, multi-threaded histogram counts what the record-by-record reader counts, and fails as it does. */
class HistogramScanTest {

    private static Map<String, List<Long>> plain(Map<String, long[]> histogram) {
        Map<String, List<Long>> out = new TreeMap<>();
        histogram.forEach((k, v) -> out.put(k, List.of(v[0], v[1])));
        return out;
    }

    @Test
    void everySplitOfTheHeapDumpRecordsCountsTheSame() throws IOException {
        for (String shape : new String[] {"zoo", "garbage"}) {
            Path dump = ChildDumps.dump(shape, "false");
            Map<String, List<Long>> reference = plain(Histogram.scanStream(dump, AnalysisProgress.NONE));
            assertTrue(reference.size() > 100, reference.toString());
            assertEquals(reference, plain(Histogram.scan(dump, AnalysisProgress.NONE)), shape);
            for (int parts : new int[] {1, 2, 3, 7}) {
                Map<String, long[]> mapped = Histogram.scanMapped(dump, parts);
                assertNotNull(mapped, shape + " in " + parts + " parts was read record by record");
                assertEquals(reference, plain(mapped), shape + " in " + parts + " parts");
            }
        }
    }

    @Test
    void aDamagedFileNamesTheSameOffsetAsTheRecordByRecordReader() throws IOException {
        Path dump = ChildDumps.dump("zoo", "true");
        byte[] bytes = Files.readAllBytes(dump);
        long size = bytes.length;
        for (long cut : new long[] {40, 1000, size / 3, size / 2, size - 100, size - 1}) {
            Path cutFile = ChildDumps.scratch("histogram-cut-" + cut + ".hprof");
            try (OutputStream out = Files.newOutputStream(cutFile)) {
                out.write(bytes, 0, (int) cut);
            }
            HprofFormatException stream = assertThrows(HprofFormatException.class,
                    () -> Histogram.scanStream(cutFile, AnalysisProgress.NONE));
            for (int parts : new int[] {0, 2, 3}) {
                HprofFormatException fast = assertThrows(HprofFormatException.class,
                        () -> Histogram.scanInParts(cutFile, parts), "cut at " + cut);
                assertEquals(stream.getMessage(), fast.getMessage());
                assertEquals(stream.offset(), fast.offset());
            }
            HprofFormatException diff = assertThrows(HprofFormatException.class,
                    () -> HeapDiff.diff(List.of(dump, cutFile)));
            assertTrue(diff.getMessage().contains("byte offset " + diff.offset()), diff.getMessage());
        }
        // a sub-record tag that is none, at the start of the last heap dump record (counted by the last thread)
        byte[] damaged = bytes.clone();
        int at = lastSubRecords(damaged);
        damaged[at] = 0x55;
        Path file = ChildDumps.scratch("histogram-damaged.hprof");
        Files.write(file, damaged);
        HprofFormatException stream = assertThrows(HprofFormatException.class,
                () -> Histogram.scanStream(file, AnalysisProgress.NONE));
        assertTrue(stream.getMessage().contains("tag 0x55 at byte offset " + at), stream.getMessage());
        for (int parts : new int[] {0, 2, 3}) {
            HprofFormatException fast = assertThrows(HprofFormatException.class,
                    () -> Histogram.scanInParts(file, parts));
            assertEquals(stream.getMessage(), fast.getMessage());
        }
    }

    /** The offset of the first sub-record of the last of several heap dump records. */
    private static int lastSubRecords(byte[] b) {
        int p = 19 + 4 + 8;
        int last = -1;
        int records = 0;
        while (p < b.length) {
            int tag = b[p] & 0xff;
            int length = ((b[p + 5] & 0xff) << 24) | ((b[p + 6] & 0xff) << 16) | ((b[p + 7] & 0xff) << 8)
                    | (b[p + 8] & 0xff);
            if (tag == Hprof.HEAP_DUMP_SEGMENT || tag == Hprof.HEAP_DUMP) {
                last = p + 9;
                records++;
            }
            p += 9 + length;
        }
        assertTrue(records >= 3, records + " heap dump records");
        return last;
    }
}
