package dev.oomheapdump.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OomPolicyTest {

    @Test
    void defaultsAreTheOriginalModulesPlusDirectory() {
        OomPolicy policy = OomPolicy.parse(null);
        assertTrue(policy.heapdumpOnOOM());
        assertEquals(OomImplementation.NATIVE_HOOK, policy.implementation());
        assertEquals("OoM-pid-" + ProcessHandle.current().pid(), policy.path());
        assertFalse(policy.addTimestamp());
        assertTrue(policy.port().isEmpty());
        assertEquals(3, policy.limit());
        assertEquals(70, policy.threshold());
        assertEquals(Paths.get("heapdumps").toAbsolutePath(), policy.directory());
        assertEquals(policy, OomPolicy.parse(""));
    }

    @Test
    void parsesEveryOption() {
        OomPolicy policy = OomPolicy.parse("heapdumpOnOOM=false, OOMImplementation=GC_MONITORING,path=my-dump.hprof,"
                + "addTimestamp=TRUE,port=9010,limit=5,threshold=85,directory=/var/dumps/app,");
        assertFalse(policy.heapdumpOnOOM());
        assertEquals(OomImplementation.GC_MONITORING, policy.implementation());
        assertEquals("my-dump", policy.path());
        assertTrue(policy.addTimestamp());
        assertEquals(9010, policy.port().getAsInt());
        assertEquals(5, policy.limit());
        assertEquals(85, policy.threshold());
        assertEquals(Path.of("/var/dumps/app"), policy.directory());
        assertEquals(policy, OomPolicy.parse(policy.toString()), "toString round-trips");
    }

    @Test
    void anAbsolutePathGivesTheDefaultDirectory() {
        OomPolicy policy = OomPolicy.parse("path=/srv/dumps/crash");
        assertEquals(Path.of("/srv/dumps"), policy.directory());
        assertEquals("crash", policy.path());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "threshold=150 | Option 'threshold' must be from 1 to 99, not 150",
            "threshold=0 | Option 'threshold' must be from 1 to 99, not 0",
            "threshold=abc | Option 'threshold' must be a whole number from 1 to 99, not 'abc'",
            "limit=-1 | Option 'limit' must be from 1 to 100, not -1",
            "port=70000 | Option 'port' must be from 1 to 65535, not 70000",
            "OOMImplementation=FOO | Option 'OOMImplementation' must be NATIVE_HOOK or GC_MONITORING, not 'FOO'",
            "heapdumpOnOOM=maybe | Option 'heapdumpOnOOM' must be true or false, not 'maybe'",
            "addTimestamp= | Option 'addTimestamp' must be true or false, not ''",
            "Threshold=80 | Unknown option 'Threshold' (did you mean 'threshold'?)",
            "colour=red | Unknown option 'colour'",
            "threshold | Option 'threshold' has no value",
            "limit=1,limit=2 | Option 'limit' is given twice",
            "path=../escape | Option 'path' '../escape' has a path separator",
            "path=.hidden | Option 'path' '.hidden' is not allowed",
            "path=dump dump | Option 'path' 'dump dump' has characters other than",
            "path=/elsewhere/x,directory=/srv/dumps | Option 'path' is '/elsewhere/x', outside directory '/srv/dumps'",
            "directory= | Option 'directory' is empty",
            "analyze=sometimes | Option 'analyze' must be off, oom or all, not 'sometimes'",
    })
    void badOptionsAreRefusedNamingOptionAndValue(String arguments, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OomPolicy.parse(arguments));
        assertTrue(e.getMessage().startsWith(message), () -> "message was: " + e.getMessage());
    }

    @Test
    void withValidatesEverythingAndLeavesTheOriginalAlone() {
        OomPolicy policy = OomPolicy.parse("threshold=70,limit=3");
        OomPolicy changed = policy.with(Map.of("threshold", "80", "limit", "2"));
        assertEquals(80, changed.threshold());
        assertEquals(2, changed.limit());
        assertThrows(IllegalArgumentException.class, () -> policy.with(Map.of("threshold", "90", "limit", "0")));
        assertSame(OomImplementation.NATIVE_HOOK, policy.with("OOMImplementation", "gc_monitoring")
                .with("OOMImplementation", "NATIVE_HOOK").implementation());
    }

    @Test
    void portAndDirectoryCannotChangeAtRuntime() {
        OomPolicy policy = OomPolicy.parse("port=9010,directory=/srv/dumps");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> policy.with("port", "9011"));
        assertTrue(e.getMessage().startsWith("Option 'port' is fixed when the agent starts (it is 9010); only "),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> policy.with("directory", "/tmp"));
        assertEquals(policy, policy.with("port", "9010"), "the same value is fine");
    }

    @Test
    void analyzeIsOffByDefaultAndRoundTripsWhenOn() {
        assertEquals(AutoAnalysis.OFF, OomPolicy.parse("").analyze());
        assertFalse(OomPolicy.parse("").toString().contains("analyze"), "an option at its default off is not spelt out");
        OomPolicy oom = OomPolicy.parse("analyze=OOM");
        assertEquals(AutoAnalysis.OOM, oom.analyze());
        assertEquals(oom, OomPolicy.parse(oom.toString()));
        assertEquals(AutoAnalysis.ALL, oom.with("analyze", "all").analyze(), "it changes at runtime");
        assertTrue(AutoAnalysis.OOM.covers(ArtifactKind.OOM_DUMP) && !AutoAnalysis.OOM.covers(ArtifactKind.HEAP_SNAPSHOT));
        assertTrue(AutoAnalysis.ALL.covers(ArtifactKind.HEAP_SNAPSHOT) && !AutoAnalysis.ALL.covers(ArtifactKind.HEAP_REPORT));
    }

    @Test
    void retentionOptionsParseValidateAndRoundTrip() {
        OomPolicy defaults = OomPolicy.parse("");
        assertEquals(0, defaults.gzip());
        assertEquals(0, defaults.maxDumps());
        assertEquals(0, defaults.maxBytes());
        assertEquals("5%", defaults.minFreeDisk().toString());
        assertEquals(5_000, defaults.minFreeDisk().bytesOf(100_000));

        OomPolicy policy = OomPolicy.parse("gzip=1,maxDumps=4,maxBytes=20G,minFreeDisk=512m");
        assertEquals(1, policy.gzip());
        assertEquals(4, policy.maxDumps());
        assertEquals(20L << 30, policy.maxBytes());
        assertEquals(512L << 20, policy.minFreeDisk().bytesOf(1L << 40));
        assertFalse(policy.minFreeDisk().isPercent());
        assertEquals("gzip=1,maxDumps=4,maxBytes=20g,minFreeDisk=512m", policy.toString()
                .replaceAll("^.*?(gzip=)", "$1"));
        assertEquals(policy, OomPolicy.parse(policy.toString()), "toString round-trips");
        assertEquals(9, policy.with("gzip", "9").gzip(), "they change at runtime");
        assertEquals(12, OomPolicy.parse("minFreeDisk=12%").minFreeDisk().bytesOf(100));
        assertEquals(1000, OomPolicy.parse("maxBytes=1000").maxBytes());

        for (String[] bad : new String[][]{{"gzip", "10"}, {"gzip", "fast"}, {"maxDumps", "-1"},
                {"maxBytes", "20x"}, {"maxBytes", "-5m"}, {"minFreeDisk", "100%"}, {"minFreeDisk", "lots"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> OomPolicy.parse(bad[0] + "=" + bad[1]), bad[0] + "=" + bad[1]);
            assertTrue(e.getMessage().contains("'" + bad[0] + "'"), e.getMessage());
            assertTrue(e.getMessage().contains(bad[1].replace("-", "")), e.getMessage());
        }
    }

    @Test
    void shipTakesAnS3UrlAndShipEndpointAnHttpUrlBothChangeableAtRuntime() {
        OomPolicy p = OomPolicy.parse("ship=s3://dumps/prod/,shipEndpoint=http://127.0.0.1:9000");
        assertEquals("s3://dumps/prod", p.ship(), "a trailing slash is dropped");
        assertEquals("http://127.0.0.1:9000", p.shipEndpoint());
        assertEquals(p, OomPolicy.parse(p.toString()), "the policy's text parses back");
        assertEquals("", p.with("ship", "").ship(), "an empty value turns shipping off");
        assertEquals("s3://other", p.with("ship", "s3://other").ship());
        assertEquals("", OomPolicy.defaults().ship());
    }

    @Test
    void aBadShipTargetOrEndpointIsRefusedNamingIt() {
        for (String[] bad : new String[][]{{"ship", "dumps/prod"}, {"ship", "s3://Bad_Bucket/x"}, {"ship", "s3://ab"},
                {"ship", "s3://dumps/a b"}, {"ship", "s3://dumps//x"}, {"shipEndpoint", "ftp://host"},
                {"shipEndpoint", "127.0.0.1:9000"}, {"shipEndpoint", "http://"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> OomPolicy.parse(bad[0] + "=" + bad[1]), bad[1]);
            assertTrue(e.getMessage().contains("'" + bad[0] + "'"), e.getMessage());
        }
        IllegalArgumentException secret = assertThrows(IllegalArgumentException.class,
                () -> OomPolicy.parse("shipEndpoint=http://key:secret@127.0.0.1:9000"));
        assertFalse(secret.getMessage().contains("secret"), "credentials are never echoed: " + secret.getMessage());
    }
}
