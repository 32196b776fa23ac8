package dev.oomheapdump.mbean.ship;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code s3://bucket/prefix}, endpoints and object keys: what is accepted, and what is refused naming the value. */
class S3TargetTest {

    @TempDir
    Path dir;

    @Test
    void aTargetIsABucketAndAPrefixWithoutOuterSlashes() {
        assertEquals(new S3Target("dumps", "fleet/orders"), S3Target.parse("s3://dumps/fleet/orders/"));
        assertEquals(new S3Target("dumps", ""), S3Target.parse("s3://dumps"));
        assertEquals(new S3Target("dumps", ""), S3Target.parse("S3://dumps/"));
    }

    @Test
    void aBadTargetIsRefusedNamingIt() {
        for (String bad : new String[]{"", "dumps/x", "s3:/dumps", "s3://Dumps/x", "s3://d/x", "s3://dumps//x",
                "s3://dumps/a/../b", "s3://dumps/a/./b", "s3://dumps/a b", "http://dumps/x"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> S3Target.parse(bad), bad);
            assertTrue(bad.isEmpty() || e.getMessage().contains("'"), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> S3Target.parse("s3://dumps//x")).getMessage()
                .contains("s3://dumps//x"));
    }

    @Test
    void theCommandTakesExactlyTheTargetsTheAgentTakes() {
        for (String value : new String[]{"s3://dumps", "S3://dumps/a/", "s3://dumps/a/b-c_d.e", "s3://dumps/a/../b",
                "s3://dumps/./b", "s3://dumps//b", "s3://dumps/a?b", "s3://Dumps", "s3://dumps/" + "p".repeat(513)}) {
            String agent;
            try {
                agent = dev.oomheapdump.core.OomPolicy.parse("ship=" + value).ship();
            } catch (IllegalArgumentException e) {
                agent = null;
            }
            String command;
            try {
                command = S3Target.parse(value).toString();
            } catch (IllegalArgumentException e) {
                command = null;
            }
            assertEquals(agent, command, value);
        }
    }

    @Test
    void anEndpointIsHttpOrHttps() {
        assertEquals("http://127.0.0.1:9000", S3Target.endpoint("http://127.0.0.1:9000").toString());
        for (String bad : new String[]{"ftp://x", "127.0.0.1:9000", "http://", "http://h:1/?x=1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> S3Target.endpoint(bad));
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
        String withPassword = assertThrows(IllegalArgumentException.class,
                () -> S3Target.endpoint("http://u:secret@h:1")).getMessage();
        assertTrue(withPassword.contains("'http://***@h:1'") && !withPassword.contains("secret"), withPassword);
    }

    @Test
    void withoutAnEndpointTheAwsSdksEndpointVariablesNameTheStore() {
        assertEquals(null, S3Uploader.endpointOfEnvironment(java.util.Map.of()));
        assertEquals("http://minio:9000", S3Uploader.endpointOfEnvironment(java.util.Map.of("AWS_ENDPOINT_URL",
                "http://minio:9000")).toString());
        assertEquals("http://s3-only:9000", S3Uploader.endpointOfEnvironment(java.util.Map.of("AWS_ENDPOINT_URL",
                "http://minio:9000", "AWS_ENDPOINT_URL_S3", "http://s3-only:9000")).toString());
        String bad = assertThrows(IllegalArgumentException.class, () -> S3Uploader.endpointOfEnvironment(
                java.util.Map.of("AWS_ENDPOINT_URL", "minio:9000"))).getMessage();
        assertTrue(bad.startsWith("AWS_ENDPOINT_URL: ") && bad.contains("'minio:9000'"), bad);
    }

    @Test
    void theKeyNamesHostStartAndPid() {
        Origin origin = new Origin("app-1", "20260101-120000", 42);
        assertEquals("fleet/app-1/20260101-120000-42/OoM-pid-42.hprof",
                S3Target.parse("s3://dumps/fleet").key(origin, "OoM-pid-42.hprof"));
        assertEquals("app-1/20260101-120000-42/x.hprof", S3Target.parse("s3://dumps").key(origin, "x.hprof"));
        assertEquals("s3://dumps/k", S3Target.parse("s3://dumps/p").url("k"));
    }

    @Test
    void aFileOfUnknownOriginHasItsTimeAndThePidInItsName() throws Exception {
        Path hotspot = Files.writeString(dir.resolve("java_pid1234.hprof"), "x");
        Files.setLastModifiedTime(hotspot, FileTime.from(Instant.parse("2026-03-04T05:06:07Z")));
        Origin origin = Origin.unknown(hotspot);
        assertEquals("20260304-050607", origin.started());
        assertEquals(1234, origin.pid());
        assertEquals(77, Origin.unknown(Files.writeString(dir.resolve("OoM-pid-77-x.hprof"), "x")).pid());
        assertEquals(0, Origin.unknown(Files.writeString(dir.resolve("heap.hprof"), "x")).pid());
    }

    @Test
    void badOriginValuesAreRefusedNamingThem() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Origin("a/b", "20260101-120000", 1))
                .getMessage().contains("'a/b'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Origin("h", "2026-01-01", 1))
                .getMessage().contains("'2026-01-01'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Origin.of("h", null, "x1",
                dir)).getMessage().contains("'x1'"));
    }
}
