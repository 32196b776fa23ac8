package dev.oomheapdump.core.job;

import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.OomEvents;
import dev.oomheapdump.core.OomPolicy;
import dev.oomheapdump.core.store.ArtifactStore;
import dev.oomheapdump.core.Fixtures;
import dev.oomheapdump.core.OomEvent;
import dev.oomheapdump.core.store.ShipLock;
import dev.oomheapdump.core.store.ShipLog;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The uploader's command line as the ship command reads it, its words on a file that was not shipped, and a file
 * another process is shipping: its end is told here whichever way it goes.
 */
class ShipperTest {

    @TempDir
    Path dir;

    @Test
    void theCommandNamesTargetEndpointAndTheJvmThatMadeTheFiles() throws Exception {
        OomPolicy p = OomPolicy.parse("directory=" + dir + ",ship=s3://dumps/prod,shipEndpoint=http://127.0.0.1:9000");
        ArtifactStore store = new ArtifactStore(dir);
        Shipper shipper = new Shipper(store, new OomEvents(), () -> p);
        Artifact file = new Artifact(dir.resolve("OoM-pid-7.hprof"), dev.oomheapdump.core.ArtifactKind.OOM_DUMP, 1, 0,
                dev.oomheapdump.core.ArtifactState.COMPLETE, dev.oomheapdump.core.ArtifactOrigin.EARLIER_RUN, "");
        List<String> command = UploaderProcess.command(p, new ArtifactStore.Maker(7, 1_767_268_800_000L), List.of(file));
        int main = command.indexOf(UploaderProcess.MAIN);
        assertTrue(main > 0 && command.get(main - 2).equals("-cp"), command.toString());
        assertEquals(List.of("ship", "--to", "s3://dumps/prod", "--endpoint", "http://127.0.0.1:9000", "--host",
                dev.oomheapdump.core.ShipTarget.localHost(), "--started", "20260101-120000", "--pid", "7",
                file.path().toString()), command.subList(main + 1, command.size()));
        assertTrue(command.contains("-Xmx256m"), "the uploader's heap is bounded: " + command);
        shipper.close();
    }

    @Test
    void theReasonIsTheUploadersLineOnTheFileElseItsLastLine() {
        List<String> lines = List.of("shipped /d/a.hprof to s3://b/k (1 bytes, sha256 00)",
                "not shipped /d/b.hprof: the store refused the access key (InvalidAccessKeyId)", "", "done");
        assertEquals("the store refused the access key (InvalidAccessKeyId)", UploaderProcess.reason(lines, "/d/b.hprof"));
        assertEquals("done", UploaderProcess.reason(lines, "/d/c.hprof"));
        assertEquals("(it said nothing)", UploaderProcess.reason(List.of(), "/d/c.hprof"));
    }

    @Test
    void aFileAnotherProcessShipsIsToldShippedWhenItsRecordAppears() throws Exception {
        try (Scene scene = new Scene(dir)) {
            String said;
            try (ShipLock held = ShipLock.tryLock(scene.file.path()).orElseThrow()) {
                said = scene.shipper.shipNow(scene.file);
                assertTrue(said.contains("being shipped now by another process"), said);
                ShipLog.append(dir, new ShipLog.Shipment("snap.hprof", ShipLog.identity(scene.file.path()),
                        "s3://dumps/prod/h/x/snap.hprof.gz", "00", System.currentTimeMillis()));
            }
            OomEvent shipped = scene.await(OomEvent.SHIP_SUCCEEDED);
            assertEquals("s3://dumps/prod/h/x/snap.hprof.gz", shipped.data().get("url"));
            assertTrue(scene.events.stream().noneMatch(e -> e.type().equals(OomEvent.SHIP_FAILED)), scene.events.toString());
        }
    }

    @Test
    void aFileAnotherProcessLetGoOfUnshippedIsTriedHereAndItsFailureTold() throws Exception {
        try (Scene scene = new Scene(dir)) {
            try (ShipLock held = ShipLock.tryLock(scene.file.path()).orElseThrow()) {
                assertTrue(scene.shipper.shipNow(scene.file).contains("another process"));
                assertTrue(scene.events.isEmpty(), "nothing told while the other process holds it");
            }
            // core's classes alone hold no ship command: this JVM's own uploader starts and fails, and says why
            OomEvent failed = scene.await(OomEvent.SHIP_FAILED);
            assertFalse(scene.shipper.shipping(scene.file), "not shipping once its uploader ended");
            assertEquals(scene.file.path().toString(), failed.data().get("path"));
            assertTrue(failed.data().get("error").contains("dev.oomheapdump.mbean.cli.Cli"), failed.data().toString());
            assertTrue(failed.message().contains("tried again in 60 s"), failed.message());
        }
    }

    @Test
    void aFileAskedForIsShippingFromTheRequestToItsUploadersEnd() throws Exception {
        try (Scene scene = new Scene(dir)) {
            assertFalse(scene.shipper.shipping(scene.file));
            String said = scene.shipper.shipNow(scene.file);
            assertTrue(said.startsWith("Shipping snap.hprof to s3://dumps/prod"), said);
            // the uploader (a JVM that cannot find its main class here) takes tens of milliseconds to start and fail
            assertTrue(scene.shipper.shipping(scene.file), "kept from retention while its uploader runs");
            scene.await(OomEvent.SHIP_FAILED);
            assertFalse(scene.shipper.shipping(scene.file));
        }
    }

    /** A store with one complete snapshot, a shipper on it with {@code ship} set, and what it tells. */
    private static final class Scene implements AutoCloseable {
        final List<OomEvent> events = new CopyOnWriteArrayList<>();
        final Shipper shipper;
        final Artifact file;

        Scene(Path dir) throws Exception {
            OomPolicy p = OomPolicy.parse("directory=" + dir + ",ship=s3://dumps/prod,shipEndpoint=http://127.0.0.1:1");
            ArtifactStore store = new ArtifactStore(dir);
            file = Fixtures.snapshot(store, "snap.hprof");
            OomEvents bus = new OomEvents();
            Fixtures.listen(bus, events::add);
            shipper = new Shipper(store, bus, () -> p);
            shipper.observe(store.list()); // the service's first look at start
        }

        OomEvent await(String type) {
            return Awaitility.await(type).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> events.stream().filter(e -> e.type().equals(type)).findFirst(), Optional::isPresent)
                    .orElseThrow();
        }

        @Override
        public void close() {
            shipper.close();
        }
    }
}
