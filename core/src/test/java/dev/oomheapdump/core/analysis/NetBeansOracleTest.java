package dev.oomheapdump.core.analysis;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same dumps through VisualVM's heap library (NetBeans {@code org.netbeans.lib.profiler.heap}): instance
 * counts and shallow bytes per class agree exactly, and so do the retained sizes of its biggest objects.
 *
 * <p>Both count the mirrors of primitive types (INSTANCE_DUMP records of {@code java.lang.Class}) as
 * {@code java.lang.Class} instances, and neither counts class objects (CLASS_DUMP records) as instances.
 *
 * <p>One principled difference in retained sizes: both leave out the {@code referent} of weak, soft, final and
 * phantom references when deciding what is reachable, but NetBeans then counts that referent as a referrer when
 * it computes dominators. An object that one strong owner and one {@code SoftReference} point to (a
 * {@code LambdaForm} in the JDK's caches, for example) is retained by its owner here, since the soft reference
 * would not keep it alive, and by neither there. Retained sizes here are therefore equal or larger, never
 * smaller; for the application's own objects, which no reference object points to, they are equal.
 */
class NetBeansOracleTest {

    @ParameterizedTest
    @ValueSource(strings = {"true", "false"})
    void instanceCountsAndShallowBytesPerClassAgree(String live) throws IOException {
        Path dump = ChildDumps.dump(live.equals("true") ? "zoo" : "garbage", live);
        NetBeansOracle oracle = NetBeansOracle.open(dump);
        Map<String, long[]> ours = new HashMap<>();
        HeapReport report = HeapAnalyzer.analyze(dump, HeapAnalyzer.Options.defaults().withTopClasses(1_000_000),
                AnalysisProgress.NONE);
        for (HeapReport.ClassRow row : report.histogram()) {
            long[] r = ours.computeIfAbsent(row.className(), k -> new long[2]);
            r[0] += row.instances();
            r[1] += row.shallowBytes();
        }
        Map<String, Long> counts = oracle.instanceCounts();
        Map<String, Long> bytes = oracle.shallowBytes();
        assertEquals(counts.keySet(), ours.keySet());
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            assertEquals(e.getValue(), ours.get(e.getKey())[0], "instances of " + e.getKey());
            assertEquals(bytes.get(e.getKey()), ours.get(e.getKey())[1], "shallow bytes of " + e.getKey());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"zoo", "garbage"})
    void retainedSizesOfTheBiggestObjectsAgree(String shape) throws IOException {
        Path dump = ChildDumps.dump(shape, shape.equals("zoo") ? "true" : "false");
        NetBeansOracle oracle = NetBeansOracle.open(dump);
        Analysis ours = Analysis.of(dump);
        int exact = 0;
        for (NetBeansOracle.Big big : oracle.biggest(25)) {
            int node = ours.node(big.id());
            assertTrue(node >= 0, "object 0x" + Long.toHexString(big.id()) + " is indexed");
            long retained = ours.retained(node);
            if (big.className().startsWith("dev.oomheapdump.") || big.className().startsWith("java.util.HashMap")
                    || big.className().equals("byte[]")) {
                assertEquals(big.retained(), retained, "retained size of " + big);
                exact++;
            } else {
                assertTrue(retained >= big.retained() && retained <= big.retained() * 1.01 + 4096,
                        "retained size of " + big + ": " + retained);
            }
        }
        assertTrue(exact >= 3, "the application's objects are among the biggest");
    }
}
