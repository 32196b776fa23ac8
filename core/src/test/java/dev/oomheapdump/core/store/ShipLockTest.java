package dev.oomheapdump.core.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One uploader per file: a held lock is seen, survives reads and appends of the index, and goes when closed. */
class ShipLockTest {

    @TempDir
    Path dir;

    @Test
    void aHeldLockKeepsASecondUploaderOffTheFileUntilClosed() throws Exception {
        Path dump = Files.writeString(dir.resolve("a.hprof"), "x");
        Path other = Files.writeString(dir.resolve("b.hprof"), "y");
        assertFalse(ShipLock.held(dump), "nobody ever locked here");
        try (ShipLock lock = ShipLock.tryLock(dump).orElseThrow()) {
            assertTrue(ShipLock.held(dump));
            assertTrue(ShipLock.tryLock(dump).isEmpty(), "a second upload of the same file is refused");
            // the uploader reads and appends to the index while it holds the lock: that must not drop it
            ShipLog.append(dir, new ShipLog.Shipment("b.hprof", ShipLog.identity(other), "s3://b/k", "00", 1));
            ShipLog.read(dir);
            assertTrue(ShipLock.held(dump), "the index's reads and appends leave the lock alone");
        }
        assertFalse(ShipLock.held(dump), "closed: the file can be shipped again");
    }

    @Test
    void anotherFileCanBeShippedMeanwhile() throws Exception {
        Path a = Files.writeString(dir.resolve("a.hprof"), "x");
        Path b = Files.writeString(dir.resolve("b.hprof"), "y");
        try (ShipLock lock = ShipLock.tryLock(a).orElseThrow()) {
            try (ShipLock second = ShipLock.tryLock(b).orElseThrow()) {
                assertTrue(ShipLock.held(b));
            }
            assertTrue(ShipLock.held(a), "closing one lock leaves the other held");
        }
    }
}
