package dev.oomheapdump.core.job;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;

/** Writes HPROF heap dumps of this JVM through {@link HotSpotDiagnosticMXBean#dumpHeap}. */
public final class HeapDumper {

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
}
