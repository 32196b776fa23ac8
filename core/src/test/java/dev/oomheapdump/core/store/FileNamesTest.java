package dev.oomheapdump.core.store;

import dev.oomheapdump.core.ArtifactKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileNamesTest {

    private static final Path DIR = Path.of("/srv/dumps");

    @Test
    void namesGetTheirExtensionOnce() {
        assertEquals("snap.hprof", FileNames.resolveRequest("path", "snap", DIR, ArtifactKind.HEAP_SNAPSHOT));
        assertEquals("snap.hprof", FileNames.resolveRequest("path", "snap.hprof", DIR, ArtifactKind.HEAP_SNAPSHOT));
        assertEquals("p.jfr", FileNames.resolveRequest("path", "p", DIR, ArtifactKind.CPU_PROFILE));
        assertEquals("a.b-c_d.hprof", FileNames.resolveRequest("path", " a.b-c_d ", DIR, ArtifactKind.HEAP_SNAPSHOT));
    }

    @Test
    void anAbsolutePathInsideTheDirectoryIsAccepted() {
        assertEquals("x.hprof", FileNames.resolveRequest("path", "/srv/dumps/x.hprof", DIR, ArtifactKind.HEAP_SNAPSHOT));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "/var/x", "/srv/dumps/../x", "/srv/dumps/sub/x", "sub/x", "..\\x", "/srv/dumps/./x",
            "", ".", "..", ".hidden", "dump\u00e9", "a b", "x\u0000y", "x:y"})
    void escapesAndOddNamesAreRefused(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FileNames.resolveRequest("path", name, DIR, ArtifactKind.HEAP_SNAPSHOT));
        assertTrue(e.getMessage().startsWith("Path "), e.getMessage());
    }

    @Test
    void aVeryLongNameIsRefusedWithoutQuotingAllOfIt() {
        String name = "x".repeat(10_000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FileNames.resolveRequest("path", name, DIR, ArtifactKind.HEAP_SNAPSHOT));
        assertTrue(e.getMessage().contains("10000 characters long"), e.getMessage());
        assertTrue(e.getMessage().length() < 300, e.getMessage());
    }

    @Test
    void temporaryNamesAreHiddenAndKeepTheExtension() {
        assertEquals(".snap.inprogress.hprof", FileNames.temporaryName("snap.hprof", ArtifactKind.HEAP_SNAPSHOT));
        assertEquals(".p.inprogress.jfr", FileNames.temporaryName("p.jfr", ArtifactKind.CPU_PROFILE));
        assertEquals("heapsnapshot-19700101-000000-000", FileNames.generated("heapsnapshot", Instant.EPOCH));
    }
}
