package dev.oomheapdump.core.store;

import dev.oomheapdump.core.ArtifactState;
import dev.oomheapdump.core.ArtifactOrigin;
import dev.oomheapdump.core.ArtifactKind;
import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArtifactStoreTest {

    private static final Set<ArtifactKind> HEAP = Set.of(ArtifactKind.HEAP_SNAPSHOT, ArtifactKind.OOM_DUMP);

    @TempDir
    Path dir;

    private Artifact write(ArtifactStore store, String name) throws IOException {
        ArtifactStore.Reservation r = store.reserve(name, ArtifactKind.HEAP_SNAPSHOT, false, false);
        assertTrue(r.writePath().getFileName().toString().startsWith("."), "written under a hidden name");
        Files.copy(Fixtures.heapDump(), r.writePath());
        return store.commit(r);
    }

    @Test
    void aCheckedWriteIsRenamedAndListedComplete() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        Artifact a = write(store, "snap.hprof");
        assertEquals(dir.resolve("snap.hprof"), a.path());
        assertEquals(ArtifactState.COMPLETE, a.state());
        assertEquals(ArtifactOrigin.THIS_RUN, a.origin());
        assertEquals(Files.size(Fixtures.heapDump()), a.bytes());
        assertEquals(List.of(a), store.list());
        assertFalse(Files.exists(dir.resolve(".snap.inprogress.hprof")));
    }

    @Test
    void aCommittedFileIsWalkedOnceThoughItIsRenamedAndListedAgain() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        long before = store.walks();
        write(store, "once.hprof");
        store.refresh();
        store.refresh();
        assertEquals(before + 1, store.walks(), "the walk of the temporary file stands for the renamed one");
        Files.setLastModifiedTime(dir.resolve("once.hprof"), java.nio.file.attribute.FileTime.fromMillis(0));
        store.refresh();
        assertEquals(before + 2, store.walks(), "a file that changed is walked again");
    }

    @Test
    void theWatchersLookSeesAChangedDirectoryAtOnceAndAFileChangedInPlaceWithinTenLooks() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        Artifact a = write(store, "kept.hprof");
        store.look();
        Files.delete(a.path()); // the directory changes
        store.look();
        assertEquals(List.of(), store.list(), "a deleted file is gone at the next look");

        Artifact b = write(store, "cut.hprof");
        store.look();
        Files.write(b.path(), new byte[100]); // changed in place: the directory does not change
        for (int i = 0; i <= ArtifactStore.FULL_LOOK_EVERY; i++) {
            store.look();
        }
        assertEquals(ArtifactState.TRUNCATED, store.find("cut.hprof").orElseThrow().state());
    }

    @Test
    void aBrokenWriteNeverGetsTheFinalName() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        ArtifactStore.Reservation r = store.reserve("snap.hprof", ArtifactKind.HEAP_SNAPSHOT, false, false);
        Fixtures.truncatedCopy(Fixtures.heapDump(), 100_000, r.writePath());
        IOException e = assertThrows(IOException.class, () -> store.commit(r));
        assertTrue(e.getMessage().contains("is not complete"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("snap.hprof")));
        assertFalse(Files.exists(r.writePath()));
        assertTrue(store.list().isEmpty());
    }

    @Test
    void nothingIsOverwrittenButOomDumpsGetAUniqueName() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        write(store, "snap.hprof");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> store.reserve("snap.hprof", ArtifactKind.HEAP_SNAPSHOT, false, false));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        Files.writeString(dir.resolve("oom.hprof"), "someone else's");
        assertEquals("oom-2.hprof", store.reserve("oom.hprof", ArtifactKind.OOM_DUMP, true, true).name());
        assertEquals("oom-3.hprof", store.reserve("oom.hprof", ArtifactKind.OOM_DUMP, true, true).name(),
                "a name held for the OOM hook is taken too");
    }

    @Test
    void aLaterRunListsWhatAnEarlierRunLeftIncludingAKilledWrite() throws Exception {
        ArtifactStore first = new ArtifactStore(dir);
        write(first, "done.hprof");
        ArtifactStore.Reservation killed = first.reserve("killed.hprof", ArtifactKind.HEAP_SNAPSHOT, false, false);
        Fixtures.truncatedCopy(Fixtures.heapDump(), 50_000, killed.writePath());
        assertEquals(ArtifactState.IN_PROGRESS, first.find("killed.hprof").orElseThrow().state());

        ArtifactStore second = new ArtifactStore(dir);
        List<Artifact> listed = second.list();
        assertEquals(2, listed.size(), listed.toString());
        Artifact done = second.find("done.hprof").orElseThrow();
        assertEquals(ArtifactState.COMPLETE, done.state());
        assertEquals(ArtifactOrigin.EARLIER_RUN, done.origin());
        Artifact leftover = second.find(".killed.inprogress.hprof").orElseThrow();
        assertEquals(ArtifactState.TRUNCATED, leftover.state());
        assertEquals(killed.writePath(), leftover.path());

        assertTrue(second.delete(".killed.inprogress.hprof", HEAP, "heap snapshot").isPresent());
        assertFalse(Files.exists(killed.writePath()));
    }

    @Test
    void aCompleteFileLeftUnderItsTemporaryNameIsRenamedByTheNextLook() throws Exception {
        ArtifactStore first = new ArtifactStore(dir);
        ArtifactStore.Reservation r = first.reserve("oom.hprof", ArtifactKind.OOM_DUMP, true, false);
        Files.copy(Fixtures.heapDump(), r.writePath());
        first.forget(r);
        first.refresh();
        Artifact recovered = first.find("oom.hprof").orElseThrow();
        assertEquals(ArtifactState.COMPLETE, recovered.state());
        assertEquals(dir.resolve("oom.hprof"), recovered.path());
        assertFalse(Files.exists(r.writePath()));
    }

    @Test
    void aFileTruncatedUnderItsFinalNameIsListedAsTruncated() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        ArtifactStore.Reservation hook = store.reserve("OoM-pid-1.hprof", ArtifactKind.OOM_DUMP, true, true);
        assertEquals(hook.finalPath(), hook.writePath(), "the JVM's hook writes in place");
        Fixtures.truncatedCopy(Fixtures.heapDump(), 200_000, hook.finalPath());
        store.refresh();
        Artifact a = store.find("OoM-pid-1.hprof").orElseThrow();
        assertEquals(ArtifactState.TRUNCATED, a.state());
        assertFalse(a.detail().isEmpty());
        Files.copy(Fixtures.heapDump(), hook.finalPath(), StandardCopyOption.REPLACE_EXISTING);
        store.refresh();
        assertEquals(ArtifactState.COMPLETE, store.find("OoM-pid-1.hprof").orElseThrow().state(), "walked again once changed");
    }

    @Test
    void deletesAreIdempotentAndOnlyForTheSuitesOwnFilesOfTheRightKind() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        write(store, "snap.hprof");
        Files.writeString(dir.resolve("foreign.hprof"), "not ours");
        IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class,
                () -> store.delete("foreign", HEAP, "heap snapshot"));
        assertTrue(foreign.getMessage().contains("was not made by oom-heapdump"), foreign.getMessage());
        assertTrue(Files.exists(dir.resolve("foreign.hprof")));
        IllegalArgumentException kind = assertThrows(IllegalArgumentException.class,
                () -> store.delete("snap.hprof", Set.of(ArtifactKind.CPU_PROFILE), "CPU profile"));
        assertTrue(kind.getMessage().contains("is a heap snapshot, not a CPU profile"), kind.getMessage());
        assertThrows(IllegalArgumentException.class, () -> store.delete("../etc/passwd", HEAP, "heap snapshot"));

        assertTrue(store.delete(dir.resolve("snap.hprof").toString(), HEAP, "heap snapshot").isPresent());
        assertFalse(store.delete("snap.hprof", HEAP, "heap snapshot").isPresent(), "again: nothing to do, no error");
        assertTrue(store.list().isEmpty());
    }

    @Test
    void aFileTheSuiteMadeThatVanishedIsAQuietNoOpAlsoForTheNextRun() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        write(store, "by-hand.hprof");
        Files.delete(dir.resolve("by-hand.hprof"));
        assertFalse(store.delete("by-hand", HEAP, "heap snapshot").isPresent());
        assertFalse(new ArtifactStore(dir).delete("by-hand.hprof", HEAP, "heap snapshot").isPresent(),
                "an earlier run's file, known from the index");
    }

    @Test
    void aNameTheSuiteNeverMadeIsRefusedNamingItTheDirectoryAndTheClosestListedNames() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> store.delete("never-existed", HEAP, "heap snapshot"));
        assertEquals("'never-existed.hprof' was never made by oom-heapdump in " + dir + "; no heap snapshot is listed",
                none.getMessage());
        write(store, "before-deploy.hprof");
        write(store, "after-deploy.hprof");
        IllegalArgumentException typo = assertThrows(IllegalArgumentException.class,
                () -> store.delete("befor-deploy", HEAP, "heap snapshot"));
        assertTrue(typo.getMessage().endsWith("; did you mean 'before-deploy.hprof' or 'after-deploy.hprof'?"),
                typo.getMessage());
        IllegalArgumentException far = assertThrows(IllegalArgumentException.class,
                () -> store.delete("x", HEAP, "heap snapshot"));
        assertTrue(far.getMessage().contains("; listed: ") && far.getMessage().contains("'before-deploy.hprof'")
                && far.getMessage().contains("'after-deploy.hprof'"), far.getMessage());
        assertEquals(2, store.list().size(), "nothing was deleted");
    }

    @Test
    void hintsNameTheClosestFirstAndOnlyTheNewestFewOfALongListing() {
        assertEquals(1, NameHints.distance("snap.hprof", "snap1.hprof"));
        assertEquals(0, NameHints.distance("", ""));
        assertEquals(3, NameHints.distance("abc", ""));
        assertEquals("did you mean 'snap1.hprof' or 'snap12.hprof'?",
                NameHints.hint("snap.hprof", List.of("snap12.hprof", "other-file.hprof", "snap1.hprof"), "heap snapshot"));
        assertEquals("listed: 'c.jfr', 'd.jfr', 'e.jfr' and 2 older",
                NameHints.hint("profile-of-monday.jfr", List.of("a.jfr", "b.jfr", "c.jfr", "d.jfr", "e.jfr"), "CPU profile"));
    }

    @Test
    void deleteAllAfterAManualRemovalDeletesTheRest() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        write(store, "a.hprof");
        write(store, "b.hprof");
        Files.delete(dir.resolve("a.hprof"));
        List<Artifact> deleted = store.deleteAll(Set.of(ArtifactKind.HEAP_SNAPSHOT), "heap snapshot");
        assertEquals(1, deleted.size());
        assertEquals(dir.resolve("b.hprof"), deleted.get(0).path());
        assertTrue(store.list().isEmpty());
    }

    @Test
    void aFileBeingWrittenCannotBeDeleted() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        ArtifactStore.Reservation r = store.reserve("slow.hprof", ArtifactKind.HEAP_SNAPSHOT, false, false);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> store.delete("slow.hprof", HEAP, "heap snapshot"));
        assertTrue(e.getMessage().contains("is being written"), e.getMessage());
        store.abort(r);
        assertTrue(store.list().isEmpty());
    }

    @Test
    void aDamagedIndexLineIsSkipped() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        write(store, "ok.hprof");
        Files.writeString(dir.resolve(ArtifactStore.INDEX_NAME), "v1\tHEAP_SNAPSHOT\tx\tnot-a-number\tbad.hprof\nv1\tHEAP",
                java.nio.file.StandardOpenOption.APPEND);
        assertEquals(1, new ArtifactStore(dir).list().size());
    }
}
