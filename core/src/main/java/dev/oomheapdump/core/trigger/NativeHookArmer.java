package dev.oomheapdump.core.trigger;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Arms the JVM's own OOM hook at runtime: {@code HeapDumpOnOutOfMemoryError=true}, {@code HeapDumpPath}
 * set to one file that does not exist yet, and {@code HeapDumpGzipLevel} to the policy's {@code gzip} (the JVM
 * compresses its dump itself; 0 writes it plain even when the application asked for gzip). Disarming restores the
 * values the JVM had before the first arm, so an application's own {@code -XX:+HeapDumpOnOutOfMemoryError} comes
 * back when the suite lets go.
 *
 * <p>HotSpot fires the hook once per JVM lifetime, refuses an existing file, and does not create folders;
 * the caller passes a fresh file in an existing folder.
 */
public final class NativeHookArmer {

    public static final String ON_OOM = "HeapDumpOnOutOfMemoryError";
    public static final String PATH = "HeapDumpPath";
    public static final String GZIP_LEVEL = "HeapDumpGzipLevel";

    private final HotSpotDiagnosticMXBean hotspot;
    private String savedOnOom;
    private String savedPath;
    private String savedGzipLevel;
    private Path armed;

    public NativeHookArmer() {
        this(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class));
    }

    /** Arms through another flag bean than the platform's (tests give one that fails). */
    public NativeHookArmer(HotSpotDiagnosticMXBean hotspot) {
        this.hotspot = hotspot;
    }

    /** Points the hook at {@code file}, plain, and turns it on. */
    public void arm(Path file) {
        arm(file, 0);
    }

    /** Points the hook at {@code file}, compressed at {@code gzipLevel} (0: plain), and turns it on. */
    public synchronized void arm(Path file, int gzipLevel) {
        if (armed == null) {
            savedOnOom = hotspot.getVMOption(ON_OOM).getValue();
            savedPath = hotspot.getVMOption(PATH).getValue();
            savedGzipLevel = hotspot.getVMOption(GZIP_LEVEL).getValue();
        }
        hotspot.setVMOption(GZIP_LEVEL, Integer.toString(gzipLevel));
        hotspot.setVMOption(PATH, file.toString());
        hotspot.setVMOption(ON_OOM, "true");
        armed = file;
    }

    /** Restores the values from before the first arm. Harmless when not armed. */
    public synchronized void disarm() {
        if (armed == null) {
            return;
        }
        hotspot.setVMOption(ON_OOM, savedOnOom);
        hotspot.setVMOption(PATH, savedPath);
        hotspot.setVMOption(GZIP_LEVEL, savedGzipLevel);
        armed = null;
    }

    /** The file the hook writes to, when armed. */
    public synchronized Optional<Path> armed() {
        return Optional.ofNullable(armed);
    }

    /** The JVM's current value of a VM option, for diagnostics and tests. */
    public String vmOption(String name) {
        return hotspot.getVMOption(name).getValue();
    }
}
