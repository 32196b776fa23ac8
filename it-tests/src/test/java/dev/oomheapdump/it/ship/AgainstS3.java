package dev.oomheapdump.it.ship;

import dev.oomheapdump.it.ChildOutputOnFailure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The shipping tests' ground: one real S3-compatible store ({@link S3Server}) per test class, started before its
 * first test and stopped after its last, and a fresh folder per test; a failed test shows its child JVMs' output.
 */
@ExtendWith(ChildOutputOnFailure.class)
abstract class AgainstS3 {

    @TempDir
    static Path serverWork;
    static S3Server s3;

    @TempDir
    Path work;

    @BeforeAll
    static void startStore() throws IOException {
        s3 = S3Server.start(serverWork);
    }

    @AfterAll
    static void stopStore() {
        if (s3 != null) {
            s3.close();
            s3 = null;
        }
    }
}
