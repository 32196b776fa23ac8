package dev.oomheapdump.jconsole;

import dev.oomheapdump.core.transfer.Fetch;
import dev.oomheapdump.core.transfer.FetchResult;
import dev.oomheapdump.jconsole.TabState.ArtifactRow;

import javax.management.MBeanServerConnection;
import javax.swing.JButton;
import javax.swing.SwingUtilities;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;

/**
 * "Open in VisualVM" (the {@link LocalViewer}'s action) for the file selected in the table, in a console with views of
 * its own: a complete heap dump (snapshot or OOM dump) is fetched with the verified fetch of "Save to this computer…"
 * into the tab's {@link PrivateFolder} (a {@code .hprof.gz} is unpacked there) and handed to the console's heap
 * viewer; a profile (any of its files) opens as its JFR recording where the console reads JFR, else as its flame graph
 * in the browser ({@link FlameGraphAction}), and the tab's sentence says why. The fetch shows on the tab's
 * {@link FetchDisplay}. Swing state on the event thread, the rest on the tab's action threads.
 */
final class OpenHereAction {

    private static final String GZ = ".gz";

    private final Supplier<MBeanServerConnection> connection;
    private final Executor calls;
    private final FetchDisplay display;
    private final PrivateFolder folder;
    private final LocalViewer viewer;
    private final FlameGraphAction flame;
    private final Consumer<Result> done;
    private final JButton open;

    /** What the button does for a selection: fetch {@code source} and open it here, or open a flame graph. */
    record Plan(ArtifactRow source, FlameGraphs.Plan flameGraph) {
    }

    /**
     * @param flame opens a profile's flame graph where the console reads no JFR
     * @param done  called on the event thread with each outcome
     */
    OpenHereAction(Supplier<MBeanServerConnection> connection, Executor calls, FetchDisplay display, PrivateFolder folder,
                   LocalViewer viewer, FlameGraphAction flame, Consumer<Result> done) {
        this.connection = connection;
        this.calls = calls;
        this.display = display;
        this.folder = folder;
        this.viewer = viewer;
        this.flame = flame;
        this.done = done;
        this.open = new JButton(viewer.action());
        open.setToolTipText("Fetch the selected heap dump or profile over JMX (verified by SHA-256) into a private "
                + "temporary folder and open it here" + (viewer.readsRecordings() ? ""
                : "; a profile opens as its flame graph in the browser: " + viewer.whyNoRecordings()));
        open.setEnabled(false);
    }

    JButton button() {
        return open;
    }

    /**
     * What to open for the selected rows: one complete heap dump; or the files of one profile: its complete
     * {@code .jfr} where the console reads recordings, else its flame graph ({@link FlameGraphs#plan}). Empty otherwise.
     */
    static Optional<Plan> plan(List<ArtifactRow> selected, List<ArtifactRow> listed, boolean readsRecordings) {
        if (selected.size() == 1 && selected.get(0).heapDump()) {
            ArtifactRow dump = selected.get(0);
            return dump.complete() ? Optional.of(new Plan(dump, null)) : Optional.empty();
        }
        if (!readsRecordings) {
            return FlameGraphs.plan(selected, listed).map(graph -> new Plan(null, graph));
        }
        String base = selected.isEmpty() ? null : FlameGraphs.basePath(selected.get(0));
        if (base == null || selected.stream().anyMatch(row -> !base.equals(FlameGraphs.basePath(row)))) {
            return Optional.empty();
        }
        return listed.stream().filter(row -> row.cpuProfile() && row.complete()
                && row.path().equals(base + FlameGraphs.JFR)).findFirst().map(row -> new Plan(row, null));
    }

    /** Wires the button; {@code selected} and {@code listed} give the table's selection and rows when it is pressed. */
    void onPress(Supplier<List<ArtifactRow>> selected, Supplier<List<ArtifactRow>> listed) {
        open.addActionListener(e -> plan(selected.get(), listed.get(), viewer.readsRecordings()).ifPresent(this::start));
    }

    /** Enabled for one heap dump or the files of one profile, while nothing is fetched. */
    void update(boolean ready, List<ArtifactRow> selected, List<ArtifactRow> listed) {
        open.setEnabled(ready && !display.busy() && plan(selected, listed, viewer.readsRecordings()).isPresent());
    }

    void start(Plan plan) {
        if (display.busy()) {
            return;
        }
        if (plan.source() == null) {
            String why = viewer.whyNoRecordings();
            flame.start(plan.flameGraph(), why.isEmpty() ? "" : Character.toUpperCase(why.charAt(0)) + why.substring(1)
                    + ", so the profile's flame graph opens in the browser: ");
            return;
        }
        ArtifactRow row = plan.source();
        FetchDisplay.Listener listener = display.begin("Fetching " + row.name() + " ...", "Fetching", row.name(),
                "Stop fetching " + row.name());
        open.setEnabled(false);
        calls.execute(() -> {
            Result result = run(row, listener);
            SwingUtilities.invokeLater(() -> {
                display.end();
                done.accept(result);
            });
        });
    }

    private Result run(ArtifactRow row, FetchDisplay.Listener listener) {
        MBeanServerConnection c = connection.get();
        if (c == null) {
            return Result.failed("Not connected: " + row.name() + " was not fetched");
        }
        FetchResult fetched;
        try {
            fetched = display.fetch(folder.newFolder(), c, row.path(), listener);
        } catch (CancellationException e) {
            return Result.ok(viewer.action() + " of " + row.name() + " cancelled");
        } catch (Exception | Error e) {
            return Result.failed("Cannot fetch " + row.name() + ": " + Errors.message(e));
        }
        Path file = fetched.file();
        try {
            if (file.getFileName().toString().endsWith(GZ)) {
                display.stage("Unpacking " + file.getFileName() + " ...");
                file = gunzip(file);
            }
            display.stage("Opening " + file.getFileName() + " ...");
            String where = viewer.open(file);
            return Result.made("Opened " + file.getFileName() + " " + where + ": " + fetched.summary(), file.toString());
        } catch (Exception | Error e) {
            return new Result(false, "Cannot open " + file.getFileName() + " here: " + Errors.message(e), "",
                    file.toString());
        }
    }

    /** Unpacks {@code x.hprof.gz} beside it as {@code x.hprof} (the heap viewers read plain HPROF) and deletes it. */
    static Path gunzip(Path gz) throws IOException {
        String name = gz.getFileName().toString();
        Path plain = gz.resolveSibling(name.substring(0, name.length() - GZ.length()));
        Path part = gz.resolveSibling("." + plain.getFileName() + ".part");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz), 1 << 16);
             OutputStream out = Files.newOutputStream(part)) {
            in.transferTo(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(part);
            throw e;
        }
        Files.move(part, plain, StandardCopyOption.ATOMIC_MOVE);
        Files.delete(gz);
        return plain;
    }
}
