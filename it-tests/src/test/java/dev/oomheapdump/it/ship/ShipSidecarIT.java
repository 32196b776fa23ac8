package dev.oomheapdump.it.ship;

import dev.oomheapdump.it.AgentCli;
import dev.oomheapdump.core.ShipTarget;
import dev.oomheapdump.core.store.ArtifactStore;
import dev.oomheapdump.core.store.ShipLog;
import dev.oomheapdump.it.ChildJvm;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sidecar, {@code ship --watch DIR --to s3://bucket/prefix --endpoint URL}, beside JVMs that do not run the agent:
 * the dump HotSpot writes on an OOM ({@code -XX:HeapDumpPath=DIR}) arrives once it is complete, recorded in an index
 * the sidecar makes; a dump still being written is not shipped before its last record is there.
 */
class ShipSidecarIT extends AgainstS3 {

    @Test
    void theDumpOfAJvmWithoutTheAgentArrivesOnceComplete() throws Exception {
        Path dumps = Files.createDirectories(work.resolve("dumps"));
        try (AgentCli.Running sidecar = ShipRun.start(work, s3.environment(work), List.of(), "--watch",
                dumps.toString(), "--to", "s3://" + S3Server.BUCKET + "/fleet", "--endpoint", s3.endpoint())) {
            awaitOutput(sidecar, "watching " + dumps);
            long pid;
            try (ChildJvm app = OomDumps.leakWithoutAgent(dumps, "64m", 256, 0)) {
                pid = app.pid();
                app.awaitExit(Duration.ofSeconds(120));
            }
            Path dump = dumps.resolve("java_pid" + pid + ".hprof");

            String line = awaitOutput(sidecar, "shipped " + dump + " to ");

            List<String> keys = s3.keys("fleet/");
            assertEquals(1, keys.size(), keys.toString());
            String key = keys.get(0);
            assertTrue(key.matches("fleet/[^/]+/\\d{8}-\\d{6}-" + pid + "/java_pid" + pid + "\\.hprof\\.gz"), key);
            assertTrue(line.contains("s3://" + S3Server.BUCKET + "/" + key), line);
            assertEquals(ChildJvm.sha256(dump), s3.metadata(key).get("sha256"));
            assertEquals(-1, Files.mismatch(dump, s3.downloadGunzipped(key, work.resolve("back.hprof"))));
            ShipLog.Shipment recorded = ShipLog.read(dumps).get(dump.getFileName().toString());
            assertEquals("s3://" + S3Server.BUCKET + "/" + key, recorded.url(), "the sidecar made the index");
            assertEquals(1, sidecar.output().lines().filter(l -> l.startsWith("shipped ")).count(),
                    "shipped once:\n" + sidecar.output());
        }
    }

    @Test
    void anAgentsDumpAndReportGoUnderTheJvmThatMadeThemAsTheAgentsUploaderWouldFileThem() throws Exception {
        Path dumps = Files.createDirectories(work.resolve("dumps"));
        long pid;
        // the agent without ship (the sidecar is the shipper); the JVM runs a while before its OOM, so its start and
        // its dump's time are different seconds
        try (ChildJvm app = ChildJvm.builder().heap("48m").directory(dumps).agent("analyze=oom").noPort().start()) {
            pid = app.pid();
            app.send("spin 2500");
            app.awaitLine("SPUN", Duration.ofSeconds(60));
            app.send("swallow 64 0");
            app.await(Duration.ofSeconds(120), "the OOM dump's reports").until(() -> Files.isRegularFile(
                    dumps.resolve("OoM-pid-" + pid + ".report.txt")));
            app.send("exit");
            app.awaitExit(Duration.ofSeconds(30));
        }
        ArtifactStore.Maker maker = new ArtifactStore(dumps).maker("OoM-pid-" + pid + ".hprof").orElseThrow();
        String folder = "agent/" + ShipTarget.localHost() + "/" + ShipTarget.startedText(maker.startMillis()) + "-" + pid
                + "/";
        try (AgentCli.Running sidecar = ShipRun.start(work, s3.environment(work), List.of(), "--watch",
                dumps.toString(), "--to", "s3://" + S3Server.BUCKET + "/agent", "--endpoint", s3.endpoint())) {
            for (String name : List.of(".hprof", ".report.json", ".report.txt")) {
                awaitOutput(sidecar, "shipped " + dumps.resolve("OoM-pid-" + pid + name) + " to ");
            }
        }
        assertEquals(List.of(folder + "OoM-pid-" + pid + ".hprof.gz", folder + "OoM-pid-" + pid + ".report.json.gz",
                folder + "OoM-pid-" + pid + ".report.txt.gz"), s3.keys("agent/"),
                "under the JVM's start (the index's), not the file's time");
    }

    @Test
    void aDumpBeingWrittenIsNotShippedEarly() throws Exception {
        Path source = OomDumps.dump(Files.createDirectories(work.resolve("source")));
        Path dumps = Files.createDirectories(work.resolve("dumps"));
        Path dump = dumps.resolve("java_pid4711.hprof");
        long size = Files.size(source);
        try (AgentCli.Running sidecar = ShipRun.start(work, s3.environment(work), List.of(), "--watch",
                dumps.toString(), "--to", "s3://" + S3Server.BUCKET + "/early", "--endpoint", s3.endpoint())) {
            awaitOutput(sidecar, "watching " + dumps);
            copy(source, dump, 0, size / 2);

            awaitOutput(sidecar, "waiting for " + dump + ": not complete");
            assertEquals(List.of(), s3.keys("early/"), "half a dump is not shipped");

            copy(source, dump, size / 2, size);
            awaitOutput(sidecar, "shipped " + dump + " to ");
            List<String> keys = s3.keys("early/");
            assertEquals(1, keys.size(), keys.toString());
            assertEquals(-1, Files.mismatch(source, s3.downloadGunzipped(keys.get(0), work.resolve("back.hprof"))),
                    "the whole dump arrived");
        }
    }

    @Test
    void aStoreThatCannotBeReachedIsTriedAgainUntilTheDumpArrives() throws Exception {
        Path source = OomDumps.dump(Files.createDirectories(work.resolve("source")));
        Path dumps = Files.createDirectories(work.resolve("dumps"));
        int port = ChildJvm.freePort();
        String endpoint = "http://127.0.0.1:" + port;
        try (AgentCli.Running sidecar = ShipRun.start(work, s3.environment(work), List.of(), "--watch",
                dumps.toString(), "--to", "s3://" + S3Server.BUCKET + "/later", "--endpoint", endpoint)) {
            awaitOutput(sidecar, "watching " + dumps);
            Path dump = dumps.resolve(source.getFileName());
            Files.copy(source, dump);

            String failed = awaitOutput(sidecar, "not shipped " + dump + ": cannot reach " + endpoint);
            assertTrue(failed.endsWith("(trying again in 5 s)"), failed);
            assertTrue(ShipLog.read(dumps).isEmpty(), "not recorded");

            try (S3Server late = S3Server.start(Files.createDirectories(work.resolve("late-store")), port)) {
                awaitOutput(sidecar, "shipped " + dump + " to ");
                List<String> keys = late.keys("later/");
                assertEquals(1, keys.size(), keys.toString());
                assertEquals(-1, Files.mismatch(dump, late.downloadGunzipped(keys.get(0), work.resolve("back.hprof"))));
                assertEquals(1, ShipLog.read(dumps).size(), "recorded once it was shipped");
            }
        }
    }

    @Test
    void refusedCredentialsLeaveTheDumpUnrecordedAndAreTriedAgain() throws Exception {
        Path source = OomDumps.dump(Files.createDirectories(work.resolve("source")));
        Path dumps = Files.createDirectories(work.resolve("dumps"));
        java.util.Map<String, String> env = new java.util.HashMap<>(s3.environment(work));
        env.put("AWS_SECRET_ACCESS_KEY", "not-the-secret");
        try (AgentCli.Running sidecar = ShipRun.start(work, env, List.of(), "--watch", dumps.toString(), "--to",
                "s3://" + S3Server.BUCKET + "/refused", "--endpoint", s3.endpoint())) {
            awaitOutput(sidecar, "watching " + dumps);
            Path dump = dumps.resolve(source.getFileName());
            Files.copy(source, dump);

            String first = awaitOutput(sidecar, "(trying again in 5 s)");
            assertTrue(first.startsWith("not shipped " + dump + ": " + s3.endpoint() + " refused the credentials"),
                    first);
            String second = awaitOutput(sidecar, "(trying again in 10 s)");
            assertTrue(second.startsWith("not shipped " + dump + ": "), "tried again, backing off: " + second);
            assertTrue(ShipLog.read(dumps).isEmpty(), "nothing recorded");
            assertEquals(List.of(), s3.keys("refused/"));
            assertEquals(-1, Files.mismatch(source, dump), "the dump is untouched");
        }
    }

    /** Appends bytes [from, to) of {@code source} to {@code target}. */
    private static void copy(Path source, Path target, long from, long to) throws IOException {
        try (InputStream in = Files.newInputStream(source);
             OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            in.skipNBytes(from);
            byte[] buffer = new byte[1 << 16];
            long left = to - from;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                out.write(buffer, 0, n);
                left -= n;
            }
        }
    }

    private static String awaitOutput(AgentCli.Running sidecar, String text) {
        ConditionFactory wait = Awaitility.await("the sidecar prints '" + text + "'").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(100))
                .failFast("the sidecar died", () -> !sidecar.process.isAlive());
        wait.until(() -> sidecar.output().contains(text));
        return sidecar.output().lines().filter(l -> l.contains(text)).findFirst().orElseThrow();
    }
}
