package dev.oomheapdump.it.ship;

import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.store.ArtifactStore;
import dev.oomheapdump.core.store.ShipLog;
import dev.oomheapdump.it.ChildJvm;
import org.junit.jupiter.api.Test;

import javax.management.MBeanServerConnection;
import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Option {@code ship} in real child JVMs that die of their OOM, against a real S3-compatible store (S3Proxy): the dump
 * arrives with its SHA-256 even though the JVM is gone (the uploader is a process of its own), a dump left by a JVM
 * that {@code -XX:+ExitOnOutOfMemoryError} ended at once is shipped by the next JVM on the directory, and a store that
 * cannot be reached leaves the dump listed as not shipped, with a clear notification, until it can be.
 */
class AgentShipIT extends AgainstS3 {

    private static final ObjectName BEAN = name();
    private static final Duration SHIPPED = Duration.ofSeconds(120);
    /**
     * A store that cannot be reached: port 1 of the loopback, where nothing listens (a free port picked now could be
     * taken by another test's JVM meanwhile, and answer, or hang, instead of refusing).
     */
    private static final String NOWHERE = "http://127.0.0.1:1";

    private ChildJvm.Builder agentJvm(Path dir, String prefix, String endpoint, String more) {
        ChildJvm.Builder b = ChildJvm.builder().heap("48m").directory(dir)
                .agent("ship=s3://" + S3Server.BUCKET + "/" + prefix + ",shipEndpoint=" + endpoint + more);
        s3.environment(work).forEach(b::env);
        return b;
    }

    @Test
    void anOomDumpArrivesWithItsSha256AfterTheJvmIsGoneAndTheNextJvmListsItShipped() throws Exception {
        Path dir = Files.createDirectories(work.resolve("dumps"));
        long pid;
        Path classes = work.resolve("classes.log");
        try (ChildJvm child = agentJvm(dir, "oom", s3.endpoint(), "").noPort().args("heap", "64", "0")
                .jvmArgs("-Xlog:class+load=info:file=" + classes).start()) {
            pid = child.pid();
            assertEquals(3, child.awaitExit(Duration.ofSeconds(90)), child.output());
        }
        assertNeverLoadedTheS3Client(classes);
        Path dump = dir.resolve("OoM-pid-" + pid + ".hprof");
        String key = awaitOneKey("oom/", dump);
        assertTrue(key.matches("oom/[A-Za-z0-9._-]+/\\d{8}-\\d{6}-" + pid + "/OoM-pid-" + pid + "\\.hprof\\.gz"),
                "the key names host, the JVM's start and pid: " + key);
        assertEquals(ChildJvm.sha256(dump), s3.metadata(key).get("sha256"),
                "the object's sha256 is the dump's on disk");
        Path back = s3.downloadGunzipped(key, work.resolve("back.hprof"));
        assertEquals(-1, Files.mismatch(dump, back), "the object gunzipped is the dump byte for byte");

        ShipLog.Shipment shipment = ShipLog.read(dir).get(dump.getFileName().toString());
        assertEquals("s3://" + S3Server.BUCKET + "/" + key, shipment.url(), "the index records where it went");
        assertTrue(new ArtifactStore(dir).find(dump.getFileName().toString()).map(Artifact::shipped).orElse(false));

        // the next JVM on the directory lists it shipped, and does not ship it again
        try (ChildJvm next = agentJvm(dir, "oom", s3.endpoint(), "").start()) {
            MBeanServerConnection jmx = next.connect();
            CompositeData listed = artifact(jmx, dump).orElseThrow();
            assertEquals(true, listed.get("shipped"), listed.toString());
            assertEquals(shipment.url(), listed.get("shippedTo"));
            next.send("exit");
            next.awaitExit(Duration.ofSeconds(30));
        }
        assertEquals(1, shipmentLines(dir, dump), "shipped once");
        assertEquals(List.of(key), s3.keys("oom/"));
        try (ChildJvm list = ChildJvm.cli("list", dir.toString())) {
            assertEquals(0, list.awaitExit(Duration.ofSeconds(60)), list.output());
            assertTrue(list.lines().stream().anyMatch(l -> l.contains(dump.toString()) && l.endsWith("  shipped to "
                    + shipment.url())), "the command line's list says where it went\n" + list.output());
        }
    }

    @Test
    void withAnalyzeTheOomDumpsReportsFollowItAndASnapshotGoesOnRequestIntoTheSameFolder() throws Exception {
        Path dir = Files.createDirectories(work.resolve("dumps"));
        try (ChildJvm child = agentJvm(dir, "report", s3.endpoint(), ",analyze=oom").start()) {
            MBeanServerConnection jmx = child.connect();
            child.send("swallow 64 0"); // the JVM lives on after its OOM, so its analysis ends in it
            child.awaitLine("SWALLOWED", Duration.ofSeconds(60));
            Path dump = dir.resolve("OoM-pid-" + child.pid() + ".hprof");
            String base = "OoM-pid-" + child.pid();
            child.await(Duration.ofSeconds(180), "the dump and both reports shipped").until(() -> s3.keys("report/")
                    .stream().filter(k -> k.endsWith(base + ".hprof.gz") || k.endsWith(base + ".report.json.gz")
                            || k.endsWith(base + ".report.txt.gz")).count() == 3);
            List<String> keys = s3.keys("report/");
            String folder = keys.get(0).substring(0, keys.get(0).lastIndexOf('/') + 1);
            assertTrue(keys.stream().allMatch(k -> k.startsWith(folder)), "one folder, the JVM's: " + keys);
            Path json = dir.resolve(base + ".report.json");
            assertEquals(ChildJvm.sha256(json), s3.metadata(folder + base + ".report.json.gz").get("sha256"));
            assertEquals(-1, Files.mismatch(json, s3.downloadGunzipped(folder + base + ".report.json.gz",
                    work.resolve("back.json"))));
            child.await(Duration.ofSeconds(30), "Artifacts lists dump and reports shipped").until(() ->
                    artifact(jmx, dump).map(a -> (Boolean) a.get("shipped")).orElse(false)
                            && artifact(jmx, json).map(a -> (Boolean) a.get("shipped")).orElse(false));

            // a snapshot is shipped on request only, into the same folder
            String snapshot = (String) jmx.invoke(BEAN, "createHeapSnapshot", new Object[]{"asked"},
                    new String[]{String.class.getName()});
            assertFalse(s3.keys("report/").stream().anyMatch(k -> k.endsWith("/asked.hprof.gz")), "not without asking");
            String said = (String) jmx.invoke(BEAN, "shipArtifact", new Object[]{"asked.hprof"},
                    new String[]{String.class.getName()});
            assertTrue(said.startsWith("Shipping asked.hprof to s3://"), said);
            child.await(Duration.ofSeconds(120), "the snapshot arrives").until(() -> s3.keys("report/")
                    .contains(folder + "asked.hprof.gz"));
            assertEquals(ChildJvm.sha256(Path.of(snapshot)), s3.metadata(folder + "asked.hprof.gz").get("sha256"));
            child.send("exit");
            child.awaitExit(Duration.ofSeconds(30));
        }
    }

    @Test
    void aDumpLeftByExitOnOutOfMemoryErrorIsShippedByTheNextJvm() throws Exception {
        Path dir = Files.createDirectories(work.resolve("dumps"));
        long pid;
        try (ChildJvm child = agentJvm(dir, "exit", s3.endpoint(), "").noPort()
                .jvmArgs("-XX:+ExitOnOutOfMemoryError").args("heap", "64", "0").start()) {
            pid = child.pid();
            assertEquals(3, child.awaitExit(Duration.ofSeconds(90)), child.output());
            assertTrue(child.lines().stream().anyMatch(l -> l.contains("Terminating due to java.lang.OutOfMemoryError")),
                    child.output());
        }
        Path dump = dir.resolve("OoM-pid-" + pid + ".hprof");
        assertTrue(Files.exists(dump), "the JVM's hook wrote its dump before the exit");

        Path classes = work.resolve("classes.log");
        try (ChildJvm next = agentJvm(dir, "exit", s3.endpoint(), "").jvmArgs("-Xlog:class+load=info:file=" + classes)
                .start()) {
            MBeanServerConnection jmx = next.connect();
            String key = awaitOneKey("exit/", dump);
            assertTrue(key.endsWith("-" + pid + "/OoM-pid-" + pid + ".hprof.gz"),
                    "the key names the JVM that made the dump, not the one that shipped it: " + key);
            assertEquals(ChildJvm.sha256(dump), s3.metadata(key).get("sha256"));
            next.await(Duration.ofSeconds(30), "Artifacts shows the dump shipped")
                    .until(() -> artifact(jmx, dump).map(a -> (Boolean) a.get("shipped")).orElse(false));
            next.send("exit");
            next.awaitExit(Duration.ofSeconds(30));
        }
        assertEquals(1, shipmentLines(dir, dump), "shipped once");
        assertNeverLoadedTheS3Client(classes);
    }

    /** The monitored JVM's class-load log: the S3 client (relocated or not) and the uploader's code are not in it. */
    private static void assertNeverLoadedTheS3Client(Path classLog) throws IOException {
        List<String> loaded = Files.readAllLines(classLog, StandardCharsets.UTF_8);
        assertTrue(loaded.stream().anyMatch(l -> l.contains("dev.oomheapdump.core.job.Shipper ")),
                "the log is the monitored JVM's, which ran the shipping: " + loaded.size() + " lines");
        List<String> s3 = loaded.stream().filter(l -> l.contains("awssdk") || l.contains("dev.oomheapdump.mbean.ship."))
                .toList();
        assertEquals(List.of(), s3, "the monitored JVM loaded none of the S3 client's classes");
    }

    @Test
    void anUnreachableStoreLeavesTheDumpNotShippedWithAClearNotificationUntilShipArtifactCanShipIt() throws Exception {
        Path dir = Files.createDirectories(work.resolve("dumps"));
        String nowhere = NOWHERE;
        long pid;
        try (ChildJvm child = agentJvm(dir, "later", nowhere, "").noPort().args("heap", "64", "0").start()) {
            pid = child.pid();
            assertEquals(3, child.awaitExit(Duration.ofSeconds(90)), child.output());
        }
        Path dump = dir.resolve("OoM-pid-" + pid + ".hprof");

        try (ChildJvm next = agentJvm(dir, "later", nowhere, "").start()) {
            MBeanServerConnection jmx = next.connect();
            List<Notification> notifications = new CopyOnWriteArrayList<>();
            jmx.addNotificationListener(BEAN, (n, h) -> notifications.add(n), null, null);
            // the start ships what the earlier run left, and fails; it may have failed before the listener was
            // added: asked again, the upload fails again (or the first one, still running, does), and says why
            String again = (String) jmx.invoke(BEAN, "shipArtifact", new Object[]{dump.toString()},
                    new String[]{String.class.getName()});
            assertTrue(again.startsWith("Shipping ") || again.contains("is being shipped now"), again);
            Notification failed = next.await(Duration.ofSeconds(90), "a ship.failed notification").until(
                    () -> notifications.stream().filter(n -> n.getType().equals("dev.oomheapdump.ship.failed"))
                            .findFirst(), Optional::isPresent).orElseThrow();
            Map<?, ?> data = (Map<?, ?>) failed.getUserData();
            assertEquals(dump.toString(), data.get("path"));
            assertTrue(failed.getMessage().contains(dump.toString()) && failed.getMessage().contains("tried again"),
                    failed.getMessage());
            assertFalse(String.valueOf(data.get("error")).isBlank(), "the uploader's reason is told: " + data);
            assertEquals(false, artifact(jmx, dump).orElseThrow().get("shipped"));
            assertTrue(Files.exists(dump), "the dump stays on disk");
            assertTrue(next.lines().stream().anyMatch(l -> l.startsWith("oom-heapdump: Not shipped " + dump)),
                    "one line in the application's output\n" + next.output());

            // the store is reachable now: shipArtifact ships it (or the change of endpoint did already)
            jmx.setAttribute(BEAN, new javax.management.Attribute("ShipEndpoint", s3.endpoint()));
            String said = (String) jmx.invoke(BEAN, "shipArtifact", new Object[]{dump.getFileName().toString()},
                    new String[]{String.class.getName()});
            assertTrue(said.contains(dump.getFileName().toString()), said);
            String key = awaitOneKey("later/", dump);
            assertEquals(ChildJvm.sha256(dump), s3.metadata(key).get("sha256"));
            next.await(Duration.ofSeconds(30), "a ship.succeeded notification and Artifacts' shipped").until(
                    () -> notifications.stream().anyMatch(n -> n.getType().equals("dev.oomheapdump.ship.succeeded"))
                            && artifact(jmx, dump).map(a -> (Boolean) a.get("shipped")).orElse(false));
            next.send("exit");
            next.awaitExit(Duration.ofSeconds(30));
        }
        assertEquals(1, shipmentLines(dir, dump), "shipped once");
    }

    @Test
    void refusedCredentialsLeaveTheDumpUnrecordedAndTheNextJvmWithGoodOnesShipsIt() throws Exception {
        Path dir = Files.createDirectories(work.resolve("dumps"));
        long pid;
        ChildJvm.Builder wrong = agentJvm(dir, "creds", s3.endpoint(), "").noPort().args("heap", "64", "0");
        wrong.env("AWS_SECRET_ACCESS_KEY", "not-the-secret");
        try (ChildJvm child = wrong.start()) {
            pid = child.pid();
            assertEquals(3, child.awaitExit(Duration.ofSeconds(90)), child.output());
        }
        Path dump = dir.resolve("OoM-pid-" + pid + ".hprof");
        // the JVM is gone: the uploader's log in the directory's hidden area is what tells
        await("the uploader says why it did not ship").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> uploaderLog(dir).contains("not shipped " + dump + ": "));
        assertTrue(uploaderLog(dir).toLowerCase(java.util.Locale.ROOT).contains("credential")
                || uploaderLog(dir).contains("Signature"), "a clear reason: " + uploaderLog(dir));
        assertFalse(ShipLog.read(dir).containsKey(dump.getFileName().toString()), "nothing recorded");
        assertEquals(List.of(), s3.keys("creds/"));

        try (ChildJvm next = agentJvm(dir, "creds", s3.endpoint(), "").start()) {
            MBeanServerConnection jmx = next.connect();
            String key = awaitOneKey("creds/", dump);
            assertEquals(ChildJvm.sha256(dump), s3.metadata(key).get("sha256"));
            next.await(Duration.ofSeconds(30), "Artifacts shows the dump shipped")
                    .until(() -> artifact(jmx, dump).map(a -> (Boolean) a.get("shipped")).orElse(false));
            next.send("exit");
            next.awaitExit(Duration.ofSeconds(30));
        }
    }

    /** Every uploader log left in the directory, together. */
    private static String uploaderLog(Path dir) throws IOException {
        StringBuilder all = new StringBuilder();
        for (Path file : ChildJvm.files(dir)) {
            if (file.getFileName().toString().startsWith(".oom-heapdump-ship-")
                    && file.getFileName().toString().endsWith(".log")) {
                all.append(Files.readString(file));
            }
        }
        return all.toString();
    }

    @Test
    void retentionKeepsAnOomDumpUntilItIsShipped() throws Exception {
        Path dir = Files.createDirectories(work.resolve("dumps"));
        String nowhere = NOWHERE;
        long[] pids = new long[2];
        for (int run = 0; run < 2; run++) {
            try (ChildJvm child = agentJvm(dir, "kept", nowhere, "").noPort().args("heap", "64", "0").start()) {
                pids[run] = child.pid();
                assertEquals(3, child.awaitExit(Duration.ofSeconds(90)), child.output());
            }
        }
        Path older = dir.resolve("OoM-pid-" + pids[0] + ".hprof");
        try (ChildJvm next = agentJvm(dir, "kept", nowhere, ",maxDumps=1").start()) {
            MBeanServerConnection jmx = next.connect();
            next.await(Duration.ofSeconds(60), "both dumps failed to ship").until(() -> Files.exists(
                    dir.resolve(".oom-heapdump-ship-failed.log")));
            assertTrue(Files.exists(older), "maxDumps=1, but the older dump is not shipped yet: kept");
            assertTrue(artifact(jmx, older).isPresent());

            jmx.setAttribute(BEAN, new javax.management.Attribute("ShipEndpoint", s3.endpoint()));
            next.await(Duration.ofSeconds(120), "both shipped, then the older one deleted by retention")
                    .until(() -> s3.keys("kept/").size() == 2 && !Files.exists(older));
            next.send("exit");
            next.awaitExit(Duration.ofSeconds(30));
        }
    }

    /** Waits for the one object under {@code prefix} whose key ends with the dump's name, gzipped. */
    private static String awaitOneKey(String prefix, Path dump) {
        String suffix = "/" + dump.getFileName() + ".gz";
        await("the dump arrives under " + prefix).atMost(SHIPPED).pollInterval(Duration.ofMillis(250))
                .until(() -> s3.keys(prefix).stream().anyMatch(k -> k.endsWith(suffix)));
        List<String> keys = s3.keys(prefix);
        assertEquals(1, keys.size(), keys.toString());
        return keys.get(0);
    }

    private static Optional<CompositeData> artifact(MBeanServerConnection jmx, Path file) throws Exception {
        for (CompositeData a : (CompositeData[]) jmx.getAttribute(BEAN, "Artifacts")) {
            if (file.toString().equals(a.get("path"))) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    private static long shipmentLines(Path dir, Path file) throws IOException {
        return Files.readAllLines(dir.resolve(ArtifactStore.INDEX_NAME), StandardCharsets.UTF_8).stream()
                .filter(l -> l.startsWith("s1\t" + file.getFileName() + "\t")).count();
    }

    private static ObjectName name() {
        try {
            return new ObjectName(ChildJvm.OBJECT_NAME);
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }
}
