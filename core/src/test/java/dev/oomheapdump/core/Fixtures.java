package dev.oomheapdump.core;

import jdk.jfr.Recording;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Real files made by this JVM, once per test run: a heap dump and a JFR recording. */
public final class Fixtures {

    private static Path dump;
    private static Path recording;

    private Fixtures() {
    }

    public static synchronized Path heapDump() {
        if (dump == null) {
            try {
                Path dir = Files.createTempDirectory("oom-heapdump-fixture");
                dump = dir.resolve("fixture.hprof");
                new dev.oomheapdump.core.job.HeapDumper().dump(dump, true);
                dump.toFile().deleteOnExit();
                dir.toFile().deleteOnExit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dump;
    }

    public static synchronized Path jfr() {
        if (recording == null) {
            try (Recording r = new Recording()) {
                Path dir = Files.createTempDirectory("oom-heapdump-fixture");
                recording = dir.resolve("fixture.jfr");
                r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
                r.start();
                long end = System.nanoTime() + 50_000_000L;
                long x = 0;
                while (System.nanoTime() < end) {
                    x += Long.numberOfTrailingZeros(x + System.nanoTime());
                }
                r.stop();
                r.dump(recording);
                recording.toFile().deleteOnExit();
                dir.toFile().deleteOnExit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return recording;
    }

    /** The fixture heap dump written into a store as the suite writes a snapshot: reserved, copied, committed. */
    public static Artifact snapshot(dev.oomheapdump.core.store.ArtifactStore store, String name) throws IOException {
        dev.oomheapdump.core.store.ArtifactStore.Reservation r = store.reserve(name, ArtifactKind.HEAP_SNAPSHOT, false,
                false);
        Files.copy(heapDump(), r.writePath());
        return store.commit(r);
    }

    /** Adds a listener to a service's events from a test outside this package. */
    public static void listen(OomEvents events, java.util.function.Consumer<OomEvent> listener) {
        events.add(listener);
    }

    /** A copy of the first {@code bytes} bytes of a file. */
    public static Path truncatedCopy(Path source, long bytes, Path target) throws IOException {
        try (var in = Files.newInputStream(source); var out = Files.newOutputStream(target)) {
            byte[] buffer = new byte[1 << 16];
            long left = bytes;
            int n;
            while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
                out.write(buffer, 0, n);
                left -= n;
            }
        }
        return target;
    }
}
