package dev.oomheapdump.it.ship;

import dev.oomheapdump.it.AgentCli;
import dev.oomheapdump.core.store.ShipLog;
import dev.oomheapdump.it.ChildJvm;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ship --to s3://bucket/prefix --endpoint URL FILE...} against a real S3-compatible store (S3Proxy): a real
 * heap dump arrives gzip-compressed, byte for byte, with its SHA-256 in the metadata, recorded in the index, and is
 * never shipped twice; refused credentials and an unreachable store leave the file as it was, unrecorded, with one
 * clear line and exit 1.
 */
class ShipCommandIT extends AgainstS3 {

    @Test
    void aRealHeapDumpArrivesGzippedByteForByteWithItsSha256() throws Exception {
        Path dumps = Files.createDirectories(work.resolve("dumps"));
        Path dump = OomDumps.dump(dumps);
        String sha = ChildJvm.sha256(dump);
        long pid = Long.parseLong(dump.getFileName().toString().replaceAll("\\D", ""));

        AgentCli.Result r = ShipRun.run(work, s3.environment(work), "--to", "s3://" + S3Server.BUCKET + "/real/one",
                "--endpoint", s3.endpoint(), "--host", "app-1", "--started", "20260101-120000", "--pid",
                Long.toString(pid), dump.toString());

        assertEquals(0, r.exit(), r.all());
        String key = "real/one/app-1/20260101-120000-" + pid + "/" + dump.getFileName() + ".gz";
        assertEquals(List.of("shipped " + dump + " to s3://" + S3Server.BUCKET + "/" + key + " ("
                + s3.head(key).contentLength() + " bytes, sha256 " + sha + ")"), r.lines(), r.all());
        assertEquals(List.of(key), s3.keys("real/"));
        assertEquals(sha, s3.metadata(key).get("sha256"), "the object's sha256 metadata is the file's");
        assertEquals("application/octet-stream", s3.head(key).contentType());
        Path back = s3.downloadGunzipped(key, work.resolve("back.hprof"));
        assertEquals(-1, Files.mismatch(dump, back), "the object gunzipped is the dump byte for byte");
    }

    @Test
    void aFileLargerThanOnePartGoesUpInPartsAndArrivesWhole() throws Exception {
        Path file = work.resolve("noise.bin");
        byte[] block = new byte[1 << 20];
        Random random = new Random(42);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < 17; i++) {
                random.nextBytes(block);
                out.write(block);
            }
        }
        AgentCli.Result r = ShipRun.run(work, s3.environment(work), "--to", "s3://" + S3Server.BUCKET + "/parts",
                "--endpoint", s3.endpoint(), file.toString());

        assertEquals(0, r.exit(), r.all());
        List<String> keys = s3.keys("parts/");
        assertEquals(1, keys.size(), keys.toString());
        assertTrue(keys.get(0).matches("parts/[^/]+/\\d{8}-\\d{6}-0/noise\\.bin\\.gz"), keys.get(0));
        assertTrue(s3.head(keys.get(0)).eTag().contains("-"), "a multipart upload's ETag: " + s3.head(keys.get(0)).eTag());
        assertEquals(-1, Files.mismatch(file, s3.downloadGunzipped(keys.get(0), work.resolve("back.bin"))));
        assertEquals(ChildJvm.sha256(file), s3.metadata(keys.get(0)).get("sha256"));
    }

    @Test
    void theAwsSdksEndpointVariableStandsForEndpoint() throws Exception {
        Path file = Files.writeString(work.resolve("OoM-pid-5150.report.txt"), "what filled the heap\n");
        Map<String, String> env = new java.util.HashMap<>(s3.environment(work));
        env.put("AWS_ENDPOINT_URL", s3.endpoint());
        env.remove("AWS_REGION");
        env.put("AWS_DEFAULT_REGION", "us-east-1");

        AgentCli.Result r = ShipRun.run(work, env, "--to", "s3://" + S3Server.BUCKET + "/by-env", file.toString());

        assertEquals(0, r.exit(), r.all());
        assertEquals(1, s3.keys("by-env/").size(), r.all());
        assertEquals(ChildJvm.sha256(file), s3.metadata(s3.keys("by-env/").get(0)).get("sha256"));
    }

    @Test
    void aGzipFileIsShippedAsItIsUnderItsOwnName() throws Exception {
        Path file = work.resolve("OoM-pid-4242.hprof.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(new byte[3 << 20]);
        }
        AgentCli.Result r = ShipRun.run(work, s3.environment(work), "--to", "s3://" + S3Server.BUCKET + "/gz/",
                "--endpoint", s3.endpoint(), file.toString());

        assertEquals(0, r.exit(), r.all());
        List<String> keys = s3.keys("gz/");
        assertEquals(1, keys.size(), keys.toString());
        assertTrue(keys.get(0).matches("gz/[^/]+/\\d{8}-\\d{6}-4242/OoM-pid-4242\\.hprof\\.gz"),
                "no second .gz, the pid from the name: " + keys.get(0));
        assertEquals(-1, Files.mismatch(file, s3.download(keys.get(0), work.resolve("back.gz"))));
    }

    /** A HotSpot OOM dump in a folder with an index, as the agent's folders are: shipments are recorded there. */
    private Path dumpInAnIndexedFolder() throws Exception {
        Path dumps = Files.createDirectories(work.resolve("dumps"));
        Files.createFile(dumps.resolve(".oom-heapdump-index"));
        return OomDumps.dump(dumps);
    }

    /** What tells a file untouched: its size, time and SHA-256. */
    private static String asItIs(Path file) throws Exception {
        return ShipLog.identity(file) + " " + ChildJvm.sha256(file);
    }

    @Test
    void aSecondRunShipsNothingTwice() throws Exception {
        Path dump = dumpInAnIndexedFolder();
        Path dumps = dump.getParent();
        String[] args = {"--to", "s3://" + S3Server.BUCKET + "/twice", "--endpoint", s3.endpoint(), dump.toString()};

        AgentCli.Result first = ShipRun.run(work, s3.environment(work), args);
        assertEquals(0, first.exit(), first.all());
        Map<String, ShipLog.Shipment> recorded = ShipLog.read(dumps);
        assertEquals(1, recorded.size(), "one s1 record: " + recorded);
        String key = s3.keys("twice/").get(0);
        ShipLog.Shipment s = recorded.get(dump.getFileName().toString());
        assertEquals("s3://" + S3Server.BUCKET + "/" + key, s.url());
        assertEquals(ChildJvm.sha256(dump), s.sha256());
        assertEquals(ShipLog.identity(dump), s.identity());
        java.time.Instant uploaded = s3.head(key).lastModified();

        AgentCli.Result second = ShipRun.run(work, s3.environment(work), args);

        assertEquals(0, second.exit(), second.all());
        assertEquals(List.of("already shipped " + dump + " to " + s.url()), second.lines());
        assertEquals(List.of(key), s3.keys("twice/"));
        assertEquals(uploaded, s3.head(key).lastModified(), "the object was not uploaded again");
        assertEquals(1, Files.readAllLines(dumps.resolve(".oom-heapdump-index")).stream()
                .filter(l -> l.startsWith("s1\t")).count(), "no second record");
    }

    @Test
    void wrongCredentialsLeaveTheDumpAsItWasUnrecorded() throws Exception {
        Path dump = dumpInAnIndexedFolder();
        Path dumps = dump.getParent();
        String before = asItIs(dump);
        Map<String, String> env = new java.util.HashMap<>(s3.environment(work));
        env.put("AWS_SECRET_ACCESS_KEY", "not-the-secret");

        AgentCli.Result r = ShipRun.run(work, env, "--to", "s3://" + S3Server.BUCKET + "/refused", "--endpoint",
                s3.endpoint(), dump.toString());

        assertEquals(1, r.exit(), r.all());
        assertEquals(1, r.lines().size(), r.all());
        assertTrue(r.lines().get(0).startsWith("not shipped " + dump + ": " + s3.endpoint()
                + " refused the credentials"), r.all());
        assertTrue(r.lines().get(0).contains("SignatureDoesNotMatch"), r.all());
        assertEquals("", r.err(), "no stack trace, no logging noise");
        assertEquals(before, asItIs(dump), "the dump is untouched");
        assertTrue(ShipLog.read(dumps).isEmpty(), "nothing recorded");
        assertEquals(List.of(), s3.keys("refused/"), "no object, not even half of one");
    }

    @Test
    void anUnreachableStoreLeavesTheDumpAsItWasUnrecorded() throws Exception {
        Path dump = dumpInAnIndexedFolder();
        Path dumps = dump.getParent();
        String before = asItIs(dump);
        String nowhere = "http://127.0.0.1:" + ChildJvm.freePort();

        AgentCli.Result r = ShipRun.run(work, s3.environment(work), "--to", "s3://" + S3Server.BUCKET + "/away",
                "--endpoint", nowhere, dump.toString());

        assertEquals(1, r.exit(), r.all());
        assertEquals(List.of("not shipped " + dump + ": cannot reach " + nowhere
                + ": connection refused (nothing listens there)"), r.lines(), r.all());
        assertEquals(before, asItIs(dump), "the dump is untouched");
        assertTrue(ShipLog.read(dumps).isEmpty(), "nothing recorded");
    }

    @Test
    void aFileThatIsGoneIsThatFilesFailureOnlyTheOthersAreShipped() throws Exception {
        Path gone = work.resolve("OoM-pid-1.hprof");
        Path report = Files.writeString(work.resolve("OoM-pid-2.report.txt"), "what filled the heap");
        AgentCli.Result r = ShipRun.run(work, s3.environment(work), "--to", "s3://" + S3Server.BUCKET + "/gone",
                "--endpoint", s3.endpoint(), gone.toString(), report.toString());

        assertEquals(1, r.exit(), r.all());
        assertEquals(2, r.lines().size(), r.all());
        assertEquals("not shipped " + gone + ": no such file", r.lines().get(0));
        assertTrue(r.lines().get(1).startsWith("shipped " + report + " to s3://"), r.all());
        assertEquals(1, s3.keys("gone/").size());
    }

    @Test
    void aBadTargetIsRefusedNamingIt() throws Exception {
        Path file = Files.writeString(work.resolve("x.txt"), "x");
        AgentCli.Result r = ShipRun.run(work, s3.environment(work), "--to", "s3:/dumps", "--endpoint", s3.endpoint(),
                file.toString());

        assertEquals(2, r.exit(), r.all());
        assertTrue(r.err().contains("'s3:/dumps'"), r.all());
    }
}
