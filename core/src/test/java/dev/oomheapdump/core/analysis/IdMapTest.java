package dev.oomheapdump.core.analysis;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class IdMapTest {

    private static void roundTrip(long[] ids) throws HprofFormatException {
        long[] sorted = ids.clone();
        Arrays.sort(sorted);
        roundTrip(ids, false);
        roundTrip(sorted, true);
    }

    private static void roundTrip(long[] ids, boolean sorted) throws HprofFormatException {
        try (Scratch scratch = Scratch.create(Path.of(System.getProperty("java.io.tmpdir"), "x"), null)) {
            BigLongs in = scratch.longs("ids", ids.length);
            BigInts degrees = scratch.ints("degrees", ids.length);
            for (int f = 0; f < ids.length; f++) {
                in.set(f, ids[f]);
            }
            for (int f = 0; f < ids.length; f++) {
                degrees.set(f, (int) (ids[f] % 1000));
            }
            BigInts outOff = scratch.ints("outOff", ids.length + 1L);
            IdMap map = IdMap.build(in, ids.length, sorted, degrees, outOff, scratch);
            for (int f = 0; f < ids.length; f++) {
                int index = map.index(ids[f]);
                assertEquals(index, ranks(ids).get(ids[f]), "index is the rank of the id");
                assertEquals(ids[f], map.id(index));
                assertEquals(ids[f] % 1000, outOff.get(index + 1L) - outOff.get(index), "degree follows its id");
            }
            assertEquals(-1, map.index(0));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static java.util.Map<Long, Integer> cachedRanks;
    private static long[] cachedFor;

    private static java.util.Map<Long, Integer> ranks(long[] ids) {
        if (cachedFor != ids) {
            long[] sorted = ids.clone();
            Arrays.sort(sorted);
            cachedRanks = new java.util.HashMap<>();
            for (int i = 0; i < sorted.length; i++) {
                cachedRanks.put(sorted[i], i);
            }
            cachedFor = ids;
        }
        return cachedRanks;
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
        assertThrows(HprofFormatException.class, () -> {
            try (Scratch scratch = Scratch.create(Path.of(System.getProperty("java.io.tmpdir"), "x"), null)) {
                BigLongs ids = scratch.longs("ids", 3);
                ids.set(0, 8);
                ids.set(1, 16);
                ids.set(2, 8);
                IdMap.build(ids, 3, false, scratch.ints("degrees", 3), scratch.ints("outOff", 4), scratch);
            }
        });
    }
}
