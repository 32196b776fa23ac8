package dev.oomheapdump.core.trigger;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Arms the JVM's own OOM hook at runtime: {@code HeapDumpOnOutOfMemoryError=true} and {@code HeapDumpPath}
 * set to one file that does not exist yet. Disarming restores the values the JVM had before the first arm,
 * so an application's own {@code -XX:+HeapDumpOnOutOfMemoryError} comes back when the suite lets go.
 *
 * <p>HotSpot fires the hook once per JVM lifetime, refuses an existing file, and does not create folders;
 * the caller passes a fresh file in an existing folder.
 */
public final class NativeHookArmer {

    public static final String ON_OOM = "HeapDumpOnOutOfMemoryError";
    public static final String PATH = "HeapDumpPath";

    private final HotSpotDiagnosticMXBean hotspot;
    private String savedOnOom;
    private String savedPath;
    private Path armed;

    public NativeHookArmer() {
        this(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class));
    }

    /** Arms through another flag bean than the platform's (tests give one that fails). */
    public NativeHookArmer(HotSpotDiagnosticMXBean hotspot) {
        this.hotspot = hotspot;
    }

    /** Points the hook at {@code file} and turns it on. */
    public synchronized void arm(Path file) {
        if (armed == null) {
            savedOnOom = hotspot.getVMOption(ON_OOM).getValue();
            savedPath = hotspot.getVMOption(PATH).getValue();
        }
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
