package dev.oomheapdump.jconsole;

import org.graalvm.visualvm.core.snapshot.RegisteredSnapshotCategories;
import org.graalvm.visualvm.core.snapshot.SnapshotCategory;
import org.openide.modules.ModuleInfo;
import org.openide.util.Lookup;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * "Open in VisualVM": hands a fetched file to the VisualVM snapshot category that opens it, as File, Load does — the
 * heap viewer for a {@code .hprof}, the JFR viewer for a {@code .jfr} where a module gives VisualVM a JFR loader
 * (VisualVM's own builds have one; Debian's 2.1.5 has none). Only VisualVM's core API: no dependency on its heap dump
 * or JFR modules.
 */
final class VisualVmViewer implements LocalViewer {

    /** What VisualVM's JFR loaders provide ({@code OpenIDE-Module-Provides} of its jfr.generic and jfr.jdk11). */
    static final String JFR_LOADER = "jfr.implementation";

    @Override
    public String action() {
        return "Open in VisualVM";
    }

    @Override
    public boolean readsRecordings() {
        return Lookup.getDefault().lookupAll(ModuleInfo.class).stream()
                .anyMatch(m -> m.isEnabled() && Arrays.asList(m.getProvides()).contains(JFR_LOADER))
                && category(new File("profile" + FlameGraphs.JFR)) != null;
    }

    @Override
    public String whyNoRecordings() {
        return readsRecordings() ? "" : "this VisualVM reads no JFR recordings (no module gives it a JFR loader)";
    }

    @Override
    public String open(Path file) {
        File f = file.toFile();
        SnapshotCategory<?> category = category(f);
        if (category == null) {
            throw new IllegalStateException("VisualVM has no viewer for " + file.getFileName());
        }
        category.openSnapshot(f);
        return "in VisualVM's " + (file.getFileName().toString().endsWith(FlameGraphs.JFR) ? "JFR" : "heap") + " viewer";
    }

    /** The category that opens {@code file} (by its name, or for a heap dump by its header), or null. */
    private static SnapshotCategory<?> category(File file) {
        for (SnapshotCategory<?> category : RegisteredSnapshotCategories.sharedInstance().getOpenSnapshotCategories()) {
            if (category.supportsOpenSnapshot() && category.getFileFilter().accept(file)) {
                return category;
            }
        }
        return null;
    }
}
