package dev.oomheapdump.core;

import dev.oomheapdump.core.format.HprofFile;
import dev.oomheapdump.core.store.ArtifactStore;
import dev.oomheapdump.core.trigger.NativeHookArmer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The service and the disk in this JVM: gzip, the disk guard, retention; the JVM's flags restored after. */
class OomServiceDiskTest {

    @TempDir
    Path dir;

    private final NativeHookArmer flags = new NativeHookArmer();
    private final List<OomEvent> events = new CopyOnWriteArrayList<>();
    private final Map<String, String> flagsBefore = new java.util.HashMap<>();
    private OomService service;

    @BeforeEach
    void baseline() {
        for (String flag : List.of(NativeHookArmer.ON_OOM, NativeHookArmer.PATH, NativeHookArmer.GZIP_LEVEL)) {
            flagsBefore.put(flag, flags.vmOption(flag));
        }
    }

    @AfterEach
    void close() {
        if (service != null) {
            service.close();
        }
        flagsBefore.forEach((flag, value) -> assertEquals(value, flags.vmOption(flag), "closing restores " + flag));
    }

    private OomService start(String options) throws Exception {
        service = OomService.start(OomPolicy.parse(options + ",directory=" + dir));
        service.addListener(events::add);
        return service;
    }

    private List<String> files() throws IOException {
        try (var list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void underGzipASnapshotIsAHprofGzAndTheHookWritesOneToo() throws Exception {
        start("gzip=1,path=crash");
        assertEquals(dir.resolve("crash.hprof.gz").toString(), flags.vmOption(NativeHookArmer.PATH));
        assertEquals("1", flags.vmOption(NativeHookArmer.GZIP_LEVEL));

        Path snapshot = service.createHeapSnapshot("snap.hprof");
        assertEquals(dir.resolve("snap.hprof.gz"), snapshot, "the policy's extension, whatever the name asked for");
        assertTrue(HprofFile.check(snapshot).complete());
        assertEquals(List.of(ArtifactStore.INDEX_NAME, "snap.hprof.gz"), files(), "no plain dump, no stage left");
        Artifact listed = service.listed("snap");
        assertEquals(ArtifactKind.HEAP_SNAPSHOT, listed.kind());
        assertEquals(ArtifactState.COMPLETE, listed.state());
        assertTrue(service.deleteHeapSnapshot("snap"), "deleted by its name without extension");
        assertEquals(List.of(ArtifactStore.INDEX_NAME), files());
    }

    @Test
    void aSnapshotThatWouldNotFitIsRefusedBeforeAnythingIsWrittenAndTheHookIsNotArmed() throws Exception {
        start("minFreeDisk=1000t");
        assertEquals(flagsBefore.get(NativeHookArmer.ON_OOM), flags.vmOption(NativeHookArmer.ON_OOM),
                "the hook's dump would not fit either");
        assertTrue(service.hookDisarmedForDisk().orElseThrow().contains("minFreeDisk=1000t keeps 1000.0 TiB"));

        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> service.createHeapSnapshot("big"));
        String message = refused.getMessage();
        assertTrue(message.startsWith("The heap snapshot " + dir.resolve("big.hprof") + " was refused before anything "
                + "was written: it needs about "), message);
        assertTrue(message.contains(dir + " has ") && message.contains(" free and minFreeDisk=1000t keeps 1000.0 TiB"),
                message);
        assertEquals(List.of(), files(), "nothing written, not even the index (the hook reserved no name)");
        assertFalse(service.busy(), "the guard is free");
        OomEvent told = events.stream().filter(e -> e.type().equals(OomEvent.DUMP_REFUSED)).findFirst().orElseThrow();
        assertEquals(dir.resolve("big.hprof").toString(), told.data().get("path"));

        List<OomEvent> armed = new CopyOnWriteArrayList<>();
        service.addListener(e -> {
            if (e.type().equals(OomEvent.HOOK_ARMED)) {
                armed.add(e);
            }
        });
        service.changePolicy(Map.of("minFreeDisk", "0"));
        assertEquals("true", flags.vmOption(NativeHookArmer.ON_OOM), "armed once it fits");
        assertEquals(1, armed.size(), "and told so");
        assertTrue(HprofFile.check(service.createHeapSnapshot("big")).complete());
    }

    @Test
    void overMaxDumpsTheOldestSnapshotGoesAfterTheNewOneIsWritten() throws Exception {
        start("heapdumpOnOOM=false,maxDumps=1");
        Path first = service.createHeapSnapshot("first");
        Files.setLastModifiedTime(first, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        Path second = service.createHeapSnapshot("second");
        // the event follows the delete: wait for it, not for the file to go
        OomEvent deleted = await().atMost(Duration.ofSeconds(10)).until(() -> events.stream()
                .filter(e -> e.type().equals(OomEvent.FILE_DELETED)).findFirst(), java.util.Optional::isPresent).get();
        assertFalse(Files.exists(first));
        assertTrue(Files.exists(second));
        assertEquals(first.toString(), deleted.data().get("path"));
        assertEquals("retention: maxDumps=1", deleted.data().get("reason"));
    }
}
