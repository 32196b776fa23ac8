package dev.oomheapdump.jconsole;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kind chooser's choices, the duration typed beside them, and how the table names a profile's files. */
class ProfileKindTest {

    @Test
    void theChooserOffersFourKindsEachAskingTheBeanForItsEvent() {
        assertEquals(List.of("CPU", "Wall clock", "Allocations", "Locks"),
                Arrays.stream(ProfileKind.values()).map(ProfileKind::toString).collect(Collectors.toList()));
        assertEquals(List.of("cpu", "wall", "alloc", "lock"),
                Arrays.stream(ProfileKind.values()).map(k -> k.event().id()).collect(Collectors.toList()));
        assertEquals(List.of("CPU profile", "Wall-clock profile", "Allocation profile", "Lock profile"),
                Arrays.stream(ProfileKind.values()).map(ProfileKind::title).collect(Collectors.toList()));
        assertEquals("an allocation profile", ProfileKind.ALLOC.withArticle());
        assertEquals("a wall-clock profile", ProfileKind.WALL.withArticle());
    }

    @Test
    void aKindIsFoundByItsTextOrItsEvent() {
        assertEquals(ProfileKind.ALLOC, ProfileKind.of("Allocations"));
        assertEquals(ProfileKind.WALL, ProfileKind.of("wall clock"));
        assertEquals(ProfileKind.LOCK, ProfileKind.of("lock"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProfileKind.of("heap"));
        assertTrue(e.getMessage().startsWith("'heap' is not a profile kind"), e.getMessage());
    }

    @Test
    void theDurationIsSecondsAsTyped() {
        assertEquals(1500, ProfileControls.millis(" 1.5 "));
        assertEquals(30_000, ProfileControls.millis("30"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProfileControls.millis("ten"));
        assertEquals("Profile duration must be a number of seconds, not 'ten'", e.getMessage());
    }

    @Test
    void theTableNamesAProfilesFilesByWhatTheyShow() {
        assertEquals("Allocation profile", ArtifactTable.profileFile("allocprofile-20260101-120000.jfr"));
        assertEquals("Wall-clock profile", ArtifactTable.profileFile("wallprofile-20260101-120000.jfr"));
        assertEquals("CPU profile", ArtifactTable.profileFile("cpuprofile-20260101-120000.jfr"));
        assertEquals("Profile", ArtifactTable.profileFile("mine.jfr"));
        assertEquals("Flame graph", ArtifactTable.profileFile("allocprofile-20260101-120000.html"));
        assertEquals("Collapsed stacks", ArtifactTable.profileFile("mine.collapsed"));
        assertEquals("pprof", ArtifactTable.profileFile("mine.pprof"));
        assertEquals("Heap snapshot", ArtifactTable.kind(new TabState.ArtifactRow("/d/x.hprof", "HEAP_SNAPSHOT", 1, 1,
                "COMPLETE", "THIS_RUN", "")));
    }
}
