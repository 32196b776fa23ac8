package dev.oomheapdump.core.analysis;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class IdMapTest {

    private static void roundTrip(long[] ids) throws HprofFormatException {
        long[] sorted = ids.clone();
        Arrays.sort(sorted);
        int[] payload = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            payload[i] = i;
        }
        int[][] out = new int[1][];
        IdMap map = IdMap.build(ids.clone(), payload, out);
        for (int f = 0; f < ids.length; f++) {
            int index = map.index(ids[f]);
            assertEquals(Arrays.binarySearch(sorted, ids[f]), index, "index is the rank of the id");
            assertEquals(ids[f], map.id(index));
            assertEquals(f, out[0][index], "payload follows its id");
        }
        assertEquals(-1, map.index(0));
        assertEquals(-1, map.index(sorted[sorted.length - 1] + 8));
    }

    @Test
    void alignedIdsMapToTheirRank() throws HprofFormatException {
        Random random = new Random(1);
        long[] ids = random.longs(100_000, 0x600000000L, 0x7ffffff00L).map(v -> v & ~7L).distinct().toArray();
        roundTrip(ids);
    }

    @Test
    void unalignedAndWideIdsMapToTheirRank() throws HprofFormatException {
        Random random = new Random(2);
        roundTrip(random.longs(50_000, 1, 1L << 40).distinct().toArray());
    }

    @Test
    void aDuplicateIdIsADamagedFile() {
        assertThrows(HprofFormatException.class, () -> IdMap.build(new long[] {8, 16, 8}, new int[3], new int[1][]));
    }
}
