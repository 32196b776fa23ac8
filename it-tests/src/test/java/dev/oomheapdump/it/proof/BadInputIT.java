package dev.oomheapdump.it.proof;

import dev.oomheapdump.it.ChildJvm;
import dev.oomheapdump.it.ChildOutputOnFailure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import javax.management.InvalidAttributeValueException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Malformed input for every operation and writable attribute, from a remote client: empty, 10000 characters,
 * non-ASCII, separators, {@code ..}, absolute paths outside the directory, files the suite did not make,
 * durations, offsets and lengths out of range, thresholds and limits out of range, unknown implementations,
 * unknown or fixed policy keys. Each is refused with an {@link IllegalArgumentException} (unwrapped from
 * the JMX wrapper the client gets) whose message names the bad value, and leaves everything as it was: all
 * attributes, the directory listing (index included) and HotSpot's hook flags.
 */
@ExtendWith(ChildOutputOnFailure.class)
class BadInputIT {

    private static final String LONG = "a".repeat(10000);

    @TempDir
    static Path dir;

    private static ChildJvm child;
    private static Remote remote;

    @BeforeAll
    static void startOneChildForAllCases() throws Exception {
        child = Proof.start(Proof.app().heap("64m").agent("").directory(dir));
        remote = Proof.remote(child);
        remote.createHeapSnapshot("good");
        remote.createCpuProfile("good", 50);
        Files.writeString(dir.resolve("foreign.hprof"), "not made by oom-heapdump");
        Files.writeString(dir.resolve("foreign.jfr"), "not made by oom-heapdump");
    }

    @AfterAll
    static void stop() {
        if (child != null) {
            child.close();
        }
    }

    /** Names no operation may accept, each with what the refusal must quote. */
    private static Map<String, String> badNames() {
        Map<String, String> names = new LinkedHashMap<>();
        names.put(LONG, LONG.substring(0, 50));
        names.put("dümp", "dümp");
        names.put("日本語", "日本語");
        names.put("snap\uD83D\uDCA5", "snap\uD83D\uDCA5");
        names.put("a b", "a b");
        names.put("a*b", "a*b");
        names.put("a\nb", "a\nb");
        names.put("a\u0000b", "a\u0000b");
        names.put("a/b", "a/b");
        names.put("a\\b", "a\\b");
        names.put("sub/dir/x", "sub/dir/x");
        names.put(".", "'.'");
        names.put("..", "'..'");
        names.put("../x", "../x");
        names.put("../../etc/passwd", "../../etc/passwd");
        names.put("./x", "./x");
        names.put("x/../y", "x/../y");
        names.put(".hidden", ".hidden");
        names.put(".oom-heapdump-index", ".oom-heapdump-index");
        names.put("/etc/passwd", "/etc/passwd");
        names.put("/var/outside.hprof", "/var/outside.hprof");
        names.put(dir.getParent() + "/x", dir.getParent() + "/x");
        names.put(dir + "/../x", dir + "/../x");
        names.put(dir + "/sub/x", dir + "/sub/x");
        return names;
    }

    @TestFactory
    Stream<DynamicNode> everyOperationRefusesMalformedNames() {
        List<DynamicNode> operations = new ArrayList<>();
        operations.add(names("createHeapSnapshot", n -> () -> remote.createHeapSnapshot(n), badNames()));
        operations.add(names("createCpuProfile", n -> () -> remote.createCpuProfile(n, 100), badNames()));
        Map<String, String> deletes = badNames();
        deletes.put("", "is empty");
        deletes.put("   ", "is empty");
        deletes.put(null, "is missing");
        Map<String, String> heapDeletes = new LinkedHashMap<>(deletes);
        heapDeletes.put("foreign.hprof", "'foreign.hprof'");
        heapDeletes.put("foreign", "'foreign.hprof'");
        heapDeletes.put(dir + "/foreign.hprof", "'foreign.hprof'");
        heapDeletes.put("good.jfr", "good.jfr");
        heapDeletes.put(dir + "/good.jfr", "good.jfr");
        heapDeletes.put("never-made", "'never-made.hprof' was never made by oom-heapdump in " + dir);
        heapDeletes.put("goood", "did you mean 'good.hprof'?");
        operations.add(names("deleteHeapSnapshot", n -> () -> remote.invoke("deleteHeapSnapshot", n), heapDeletes));
        Map<String, String> cpuDeletes = new LinkedHashMap<>(deletes);
        cpuDeletes.put("foreign.jfr", "'foreign.jfr'");
        cpuDeletes.put("foreign", "'foreign.jfr'");
        cpuDeletes.put("good.hprof", "good.hprof");
        cpuDeletes.put(dir + "/good.hprof", "good.hprof");
        cpuDeletes.put("never-made", "'never-made.jfr' was never made by oom-heapdump in " + dir);
        operations.add(names("deleteCpuProfile", n -> () -> remote.invoke("deleteCpuProfile", n), cpuDeletes));
        Map<String, String> reads = badNames();
        reads.put("", "empty");
        reads.put(null, "empty");
        reads.put("foreign.hprof", "'foreign.hprof'");
        reads.put(dir + "/foreign.jfr", dir + "/foreign.jfr");
        operations.add(names("readArtifact", n -> () -> remote.readArtifact(n, 0, 16), reads));
        Map<String, String> paths = badNames();
        paths.put("", "'path'");
        paths.put(null, "'path'");
        paths.put("a,b", "a,b");
        paths.put("a=b", "a=b");
        operations.add(names("set Path", n -> () -> remote.set("Path", n), paths));
        Map<String, String> policyPaths = badNames();
        policyPaths.put("", "'path'");
        operations.add(names("applyPolicy path=", n -> () -> remote.applyPolicy("path=" + n), policyPaths));
        operations.add(names("create an existing file", n -> n.endsWith("jfr") ? () -> remote.createCpuProfile(n, 100)
                : () -> remote.createHeapSnapshot(n), Map.of("good.hprof", "already exists", "good.jfr", "already exists")));
        return operations.stream();
    }

    @TestFactory
    Stream<DynamicNode> numbersOutOfRangeAreRefused() {
        List<DynamicNode> groups = new ArrayList<>();
        List<DynamicNode> durations = new ArrayList<>();
        for (long ms : new long[]{0, -1, -100_000, Long.MIN_VALUE, Long.MAX_VALUE, 3_600_001, Integer.MAX_VALUE + 1L}) {
            durations.add(refused("duration " + ms, () -> remote.createCpuProfile("duration", ms), Long.toString(ms)));
        }
        groups.add(DynamicContainer.dynamicContainer("createCpuProfile duration", durations));
        List<DynamicNode> reads = new ArrayList<>();
        for (long offset : new long[]{-1, Long.MIN_VALUE}) {
            reads.add(refused("offset " + offset, () -> remote.readArtifact("good.hprof", offset, 16), Long.toString(offset)));
        }
        for (int length : new int[]{0, -1, 8_388_609, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            reads.add(refused("length " + length, () -> remote.readArtifact("good.hprof", 0, length), Integer.toString(length)));
        }
        groups.add(DynamicContainer.dynamicContainer("readArtifact offset and length", reads));
        for (String attribute : List.of("Threshold", "Limit")) {
            List<DynamicNode> values = new ArrayList<>();
            int[] bad = attribute.equals("Threshold") ? new int[]{0, 100, -1, 150, Integer.MIN_VALUE, Integer.MAX_VALUE}
                    : new int[]{0, 101, -5, Integer.MIN_VALUE, Integer.MAX_VALUE};
            for (int value : bad) {
                values.add(refused("set " + attribute + " " + value, () -> remote.set(attribute, value), Integer.toString(value)));
                values.add(refused("applyPolicy " + attribute.toLowerCase() + "=" + value,
                        () -> remote.applyPolicy(attribute.toLowerCase() + "=" + value), Integer.toString(value)));
            }
            groups.add(DynamicContainer.dynamicContainer(attribute, values));
        }
        return groups.stream();
    }

    @TestFactory
    Stream<DynamicNode> implementationsAndPoliciesAreRefused() {
        List<DynamicNode> implementations = new ArrayList<>();
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("", "''");
        bad.put("FOO", "'FOO'");
        bad.put("native", "'native'");
        bad.put("NATIVE-HOOK", "'NATIVE-HOOK'");
        bad.put("ＮＡＴＩＶＥ_HOOK", "ＮＡＴＩＶＥ_HOOK");
        bad.put(LONG, LONG.substring(0, 50));
        bad.put("NATIVE_HOOK,threshold=5", "NATIVE_HOOK,threshold=5");
        bad.put("GC_MONITORING=1", "GC_MONITORING=1");
        bad.put(null, "OOMImplementation");
        for (Map.Entry<String, String> value : bad.entrySet()) {
            implementations.add(refused("set OOMImplementation " + label(value.getKey()),
                    () -> remote.set("OOMImplementation", value.getKey()), value.getValue()));
        }
        List<DynamicNode> policies = new ArrayList<>();
        Map<String, String> options = new LinkedHashMap<>();
        options.put("foo=bar", "'foo'");
        options.put("Threshold=50", "'Threshold'");
        options.put("port=1234", "'port'");
        options.put("directory=/tmp", "'directory'");
        options.put("threshold", "'threshold'");
        options.put("=5", "''");
        options.put("threshold=5,threshold=6", "'threshold'");
        options.put("limit=abc", "'abc'");
        options.put("threshold=", "''");
        options.put("OOMImplementation=FOO", "'FOO'");
        options.put("heapdumpOnOOM=maybe", "'maybe'");
        options.put("addTimestamp=1", "'1'");
        options.put("limit=5,foo=1", "'foo'");
        options.put("limit=5,threshold=150", "150");
        options.put("heapdumpOnOOM=false,OOMImplementation=FOO", "'FOO'");
        options.put(LONG + "=1", LONG.substring(0, 50));
        options.put("prüfung=1", "'prüfung'");
        options.put("ship=dumps/prod", "'dumps/prod'");
        options.put("ship=s3://Dumps_Prod/x", "'Dumps_Prod'");
        options.put("ship=s3://dumps/a b", "'s3://dumps/a b'");
        options.put("shipEndpoint=ftp://127.0.0.1:9000", "'ftp://127.0.0.1:9000'");
        options.put("shipEndpoint=127.0.0.1:9000", "'127.0.0.1:9000'");
        options.put(null, "Options");
        for (Map.Entry<String, String> option : options.entrySet()) {
            policies.add(refused("applyPolicy " + label(option.getKey()), () -> remote.applyPolicy(option.getKey()),
                    option.getValue()));
        }
        return Stream.of(DynamicContainer.dynamicContainer("set OOMImplementation", implementations),
                DynamicContainer.dynamicContainer("applyPolicy", policies));
    }

    /** Values of the wrong type are refused by the JMX layer itself, naming the value; nothing changes either. */
    @TestFactory
    Stream<DynamicNode> valuesOfTheWrongTypeAreRefused() {
        List<DynamicNode> tests = new ArrayList<>();
        Object[][] values = {{"HeapdumpOnOOM", "maybe"}, {"HeapdumpOnOOM", null}, {"AddTimestamp", "yes"},
                {"Threshold", "80"}, {"Limit", 5L}, {"Threshold", null}};
        for (Object[] value : values) {
            tests.add(DynamicTest.dynamicTest("set " + value[0] + " " + value[1], () -> unchangedAfter(() -> {
                Throwable t = Remote.failure("set " + value[0], () -> remote.set((String) value[0], value[1]));
                assertInstanceOf(InvalidAttributeValueException.class, t, t.toString());
                assertTrue(t.getMessage().contains(String.valueOf(value[1])), t.getMessage());
            })));
        }
        return tests.stream();
    }

    /** Edge values that are valid change nothing either. */
    @TestFactory
    Stream<DynamicNode> harmlessEdgesChangeNothing() {
        return Stream.of(
                DynamicTest.dynamicTest("applyPolicy ''", () -> unchangedAfter(() -> remote.applyPolicy(""))),
                DynamicTest.dynamicTest("readArtifact past the end", () -> unchangedAfter(
                        () -> assertEquals(0, remote.readArtifact("good.hprof", Long.MAX_VALUE, 16).length))));
    }

    private static DynamicContainer names(String operation, Function<String, Remote.Call> call, Map<String, String> names) {
        List<DynamicNode> tests = new ArrayList<>();
        for (Map.Entry<String, String> name : names.entrySet()) {
            tests.add(refused(operation + " " + label(name.getKey()), call.apply(name.getKey()), name.getValue()));
        }
        return DynamicContainer.dynamicContainer(operation, tests);
    }

    private static DynamicTest refused(String label, Remote.Call call, String named) {
        return DynamicTest.dynamicTest(label, () -> unchangedAfter(() -> {
            Throwable t = Remote.failure(label, call);
            assertInstanceOf(IllegalArgumentException.class, t, label + ": bad input is an IllegalArgumentException, not " + t);
            assertTrue(t.getMessage() != null && t.getMessage().contains(named), label + ": the message names "
                    + label(named) + ": " + t.getMessage());
        }));
    }

    /** Runs the check and proves that the bean, the directory and the hook flags are exactly as before. */
    private static void unchangedAfter(Remote.Call check) throws Exception {
        if (!child.process().isAlive()) {
            fail("the child died:\n" + child.output());
        }
        Map<String, Object> attributes = remote.attributes();
        Map<String, Long> files = Remote.listing(dir);
        String flag = remote.vmOption("HeapDumpOnOutOfMemoryError");
        String hookPath = remote.vmOption("HeapDumpPath");
        check.run();
        assertEquals(attributes, remote.attributes(), "every attribute is as before");
        assertEquals(files, Remote.listing(dir), "the directory (index included) is as before");
        assertEquals(flag, remote.vmOption("HeapDumpOnOutOfMemoryError"));
        assertEquals(hookPath, remote.vmOption("HeapDumpPath"));
    }

    private static String label(String value) {
        if (value == null) {
            return "null";
        }
        String escaped = value.replace("\n", "\\n").replace("\u0000", "\\0");
        return "'" + (escaped.length() > 40 ? escaped.substring(0, 20) + "...(" + escaped.length() + " chars)" : escaped) + "'";
    }
}
