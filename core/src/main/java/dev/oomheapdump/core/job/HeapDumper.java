package dev.oomheapdump.core.job;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.oomheapdump.core.store.ArtifactStore;
import dev.oomheapdump.core.store.DumpEstimate;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

/**
 * Writes HPROF heap dumps of this JVM through {@link HotSpotDiagnosticMXBean#dumpHeap}, which cannot compress: a
 * {@code .hprof.gz} is dumped plain to its reservation's stage first and then compressed, streaming, into its
 * temporary file.
 */
public final class HeapDumper {

    /** Small: the compression of an OOM dump runs with the heap nearly full. */
    private static final int BUFFER = 64 << 10;

    private final HotSpotDiagnosticMXBean hotspot;

    public HeapDumper() {
        this(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class));
    }

    HeapDumper(HotSpotDiagnosticMXBean hotspot) {
        this.hotspot = hotspot;
    }

    /**
     * Dumps the heap to {@code file}, which must end in {@code .hprof} and must not exist.
     *
     * @param live true to dump only reachable objects (a full GC runs first), false to dump everything
     * @throws IOException when the file cannot be written (full disk, missing folder)
     */
    public void dump(Path file, boolean live) throws IOException {
        hotspot.dumpHeap(file.toString(), live);
    }

    /**
     * Dumps the heap for a reservation, uncompressed: to its stage when it is to be compressed ({@link #compress}
     * next), else to its temporary file.
     */
    public void dumpPlain(ArtifactStore.Reservation reservation, boolean live) throws IOException {
        dump(reservation.stagePath().orElse(reservation.writePath()), live);
    }

    /**
     * Compresses a reservation's plain stage into its temporary file at {@code level} (1-9), streaming; the stage
     * stays until the store commits the compressed file. Nothing to do for a reservation without a stage.
     *
     * @throws IOException when reading or writing fails (full disk)
     */
    public void compress(ArtifactStore.Reservation reservation, int level) throws IOException {
        Optional<Path> stage = reservation.stagePath();
        if (stage.isEmpty()) {
            return;
        }
        byte[] buffer = new byte[BUFFER];
        try (InputStream in = Files.newInputStream(stage.get());
             OutputStream out = new GZIPOutputStream(Files.newOutputStream(reservation.writePath(),
                     StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), BUFFER) {
                 {
                     def.setLevel(level);
                 }
             }) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                out.write(buffer, 0, n);
            }
        }
    }

    /** Dumps the heap for a reservation: plain, then compressed when it is a {@code .hprof.gz}. */
    public void write(ArtifactStore.Reservation reservation, boolean live, int level) throws IOException {
        dumpPlain(reservation, live);
        compress(reservation, level);
    }

    /** The disk a dump of the heap as it is now will take. */
    public DumpEstimate estimate(int gzip) {
        return DumpEstimate.ofDumpHeap(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), gzip);
    }
}
