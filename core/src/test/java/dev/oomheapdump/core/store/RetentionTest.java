package dev.oomheapdump.core.store;

import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.ArtifactKind;
import dev.oomheapdump.core.Fixtures;
import dev.oomheapdump.core.OomEvent;
import dev.oomheapdump.core.Sizes;
import dev.oomheapdump.core.job.HeapDumper;
import dev.oomheapdump.core.OomPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code maxDumps} and {@code maxBytes}: on-request files go first, oldest first, then OOM dumps; the newest OOM dump,
 * files being written and files in use stay; a bound that cannot be met is told once.
 */
class RetentionTest {

    @TempDir
    Path dir;

    private final List<OomEvent> events = new CopyOnWriteArrayList<>();
    private int minute;

    /** A complete file of this kind, one minute younger than the one made before. */
    private void file(ArtifactStore store, String name, ArtifactKind kind) throws IOException {
        ArtifactStore.Reservation r = store.reserve(name, kind, false, false);
        Files.copy(kind == ArtifactKind.CPU_PROFILE ? Fixtures.jfr() : Fixtures.heapDump(),
                r.stagePath().orElse(r.writePath()));
        new HeapDumper().compress(r, 1);
        store.commit(r);
        Files.setLastModifiedTime(dir.resolve(name), FileTime.fromMillis(1_700_000_000_000L + 60_000L * minute++));
        store.refresh();
    }

    /**
     * A store with complete files of these names, each a minute younger than the one before: {@code oom*} are OOM
     * dumps, {@code *.jfr} CPU profiles, the rest heap snapshots.
     */
    private ArtifactStore storeWith(String... names) throws IOException {
        ArtifactStore store = new ArtifactStore(dir);
        for (String name : names) {
            file(store, name, name.startsWith("oom") ? ArtifactKind.OOM_DUMP : name.endsWith(".jfr")
                    ? ArtifactKind.CPU_PROFILE : ArtifactKind.HEAP_SNAPSHOT);
        }
        return store;
    }

    private Retention retention(ArtifactStore store) {
        return new Retention(store, (type, message, data) -> events.add(new OomEvent(type, message, data)));
    }

    private List<String> names(ArtifactStore store) {
        store.refresh();
        return store.list().stream().map(a -> a.path().getFileName().toString()).toList();
    }

    @Test
    void overMaxDumpsTheOldestSnapshotsGoFirstThenOomDumpsButNeverTheNewestOomDump() throws Exception {
        ArtifactStore store = storeWith("oom-1.hprof", "snap-1.hprof", "oom-2.hprof.gz", "snap-2.hprof", "profile.jfr");
        Retention retention = retention(store);

        assertEquals(List.of("snap-1.hprof"), names(retention.run(3, 0)));
        assertEquals(List.of("oom-1.hprof", "oom-2.hprof.gz", "snap-2.hprof", "profile.jfr"), names(store));
        assertEquals(List.of("snap-2.hprof", "oom-1.hprof"), names(retention.run(1, 0)),
                "snapshots first, then the older OOM dump");
        assertEquals(List.of("oom-2.hprof.gz", "profile.jfr"), names(store), "profiles are not heap dumps");
        OomEvent deleted = events.stream().filter(e -> e.type().equals(OomEvent.FILE_DELETED)).findFirst().orElseThrow();
        assertEquals("retention: maxDumps=3", deleted.data().get("reason"));
        assertEquals(dir.resolve("snap-1.hprof").toString(), deleted.data().get("path"));
    }

    @Test
    void aFileInUseOrBeingWrittenStaysAndTheNextOneGoesInstead() throws Exception {
        ArtifactStore store = storeWith("read.hprof", "analyzed.hprof", "free.hprof");
        ArtifactStore.Reservation writing = store.reserve("writing.hprof", ArtifactKind.HEAP_SNAPSHOT, false, false);
        store.inUse().read("read.hprof");
        try (Closeable analysis = store.inUse().use("analyzed.hprof", "analysis")) {
            assertEquals(List.of("free.hprof"), names(retention(store).run(1, 0)));
        }
        assertEquals(List.of("read.hprof", "analyzed.hprof", "writing.hprof"), names(store));
        store.abort(writing);
    }

    @Test
    void aDumpsReportsGoWithIt() throws Exception {
        ArtifactStore store = storeWith("old.hprof.gz");
        for (String report : List.of("old.report.json", "old.report.txt")) {
            ArtifactStore.Reservation r = store.reserve(report, ArtifactKind.HEAP_REPORT, false, false);
            Files.writeString(r.writePath(), report.endsWith(".json") ? "{\"file\": \"old\"}" : "text\n");
            store.commit(r);
        }
        file(store, "new.hprof", ArtifactKind.HEAP_SNAPSHOT);
        assertEquals(List.of("old.hprof.gz", "old.report.json", "old.report.txt"), names(retention(store).run(1, 0)));
        assertEquals(List.of("new.hprof"), names(store));
    }

    @Test
    void overMaxBytesOnRequestFilesGoFirstThenOlderOomDumps() throws Exception {
        ArtifactStore store = storeWith("oom-1.hprof", "profile.jfr", "snap.hprof", "oom-2.hprof");
        long dump = Files.size(Fixtures.heapDump());
        long profile = Files.size(Fixtures.jfr());

        assertEquals(List.of(), retention(store).run(0, 3 * dump + profile), "within the bound: nothing goes");
        assertEquals(List.of("profile.jfr", "snap.hprof"), names(retention(store).run(0, 2 * dump)));
        assertEquals(List.of("oom-1.hprof"), names(retention(store).run(0, dump)));
        assertEquals(List.of("oom-2.hprof"), names(store));
        OomEvent deleted = events.stream().filter(e -> e.type().equals(OomEvent.FILE_DELETED)).findFirst().orElseThrow();
        assertEquals("retention: maxBytes=" + Sizes.option(2 * dump), deleted.data().get("reason"));
    }

    @Test
    void aBoundThatOnlyProtectedFilesExceedIsToldOnceUntilItIsMet() throws Exception {
        ArtifactStore store = storeWith("oom.hprof", "snap.hprof");
        store.inUse().read("snap.hprof");
        Retention retention = retention(store);
        long oneByte = 1;
        assertEquals(List.of(), retention.run(1, oneByte));
        assertEquals(List.of(), retention.run(1, oneByte));
        List<OomEvent> unmet = events.stream().filter(e -> e.type().equals(OomEvent.RETENTION_UNMET)).toList();
        assertEquals(1, unmet.size(), "told once: " + unmet);
        assertEquals("maxDumps=1 and maxBytes=1", unmet.get(0).data().get("bounds"));
        assertTrue(unmet.get(0).message().contains("2 heap dumps, 1 over maxDumps=1"), unmet.get(0).message());

        retention.run(0, 0);
        retention.run(1, oneByte);
        assertEquals(2, events.stream().filter(e -> e.type().equals(OomEvent.RETENTION_UNMET)).count(),
                "told again after it was met");
    }

    @Test
    void itRunsOnlyWhenAsked() throws Exception {
        ArtifactStore store = storeWith("a.hprof", "b.hprof");
        Retention retention = retention(store);
        OomPolicy policy = OomPolicy.parse("maxDumps=1,directory=" + dir);
        retention.runIfRequested(policy); // a new retention runs once, for what earlier runs left
        assertEquals(List.of("b.hprof"), names(store));
        file(store, "c.hprof", ArtifactKind.HEAP_SNAPSHOT);
        retention.runIfRequested(policy);
        assertEquals(List.of("b.hprof", "c.hprof"), names(store), "not asked: nothing happens");
        retention.request();
        retention.runIfRequested(policy);
        assertEquals(List.of("c.hprof"), names(store));
    }

    private static List<String> names(List<Artifact> artifacts) {
        return artifacts.stream().map(a -> a.path().getFileName().toString()).toList();
    }

    @Test
    void underShipAnOomDumpNotShippedYetStaysAndOneBeingUploadedToo() throws Exception {
        ArtifactStore store = storeWith("oom-1.hprof", "oom-2.hprof", "oom-3.hprof", "oom-4.hprof");
        Retention retention = new Retention(store, (type, message, data) -> events.add(new OomEvent(type, message, data)),
                a -> a.kind() == ArtifactKind.OOM_DUMP && a.isComplete() && !a.shipped());
        Path second = dir.resolve("oom-2.hprof");
        ShipLog.append(dir, new ShipLog.Shipment("oom-2.hprof", ShipLog.identity(second), "s3://b/p/oom-2.hprof.gz",
                "00", System.currentTimeMillis()));
        ShipLog.append(dir, new ShipLog.Shipment("oom-3.hprof", ShipLog.identity(dir.resolve("oom-3.hprof")),
                "s3://b/p/oom-3.hprof.gz", "00", System.currentTimeMillis()));
        store.refresh();
        assertTrue(store.find("oom-2.hprof").orElseThrow().shipped());
        try (ShipLock uploading = ShipLock.tryLock(dir.resolve("oom-3.hprof")).orElseThrow()) {
            assertEquals(List.of("oom-2.hprof"), names(retention.run(1, 0)),
                    "only the shipped dump goes: oom-1 is not shipped yet, oom-3 is being uploaded again");
        }
        assertEquals(List.of("oom-1.hprof", "oom-3.hprof", "oom-4.hprof"), names(store));
        assertTrue(events.stream().anyMatch(e -> e.type().equals(OomEvent.RETENTION_UNMET)
                && e.message().contains("not shipped yet")), events.toString());
    }
}
