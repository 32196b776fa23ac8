package dev.oomheapdump.jconsole;

import dev.oomheapdump.core.transfer.Fetch;
import dev.oomheapdump.core.transfer.FetchResult;
import dev.oomheapdump.jconsole.TabState.ArtifactRow;
import dev.oomheapdump.mbean.client.JmxArtifactSource;

import javax.management.MBeanServerConnection;
import javax.swing.JButton;
import javax.swing.JComponent;
import javax.swing.JFileChooser;
import javax.swing.JProgressBar;
import javax.swing.SwingUtilities;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * "Save to this computer…" for the file selected in the table: a file chooser for where, then the same resumable,
 * verified fetch as the command line's ({@code core.transfer} over {@link JmxArtifactSource}, bundled into the
 * plugin jar), with the tab's {@link FetchDisplay} (a progress bar and a Cancel button under the table). A cancelled or cut-off save leaves
 * {@code <file>.part}; saving the same file to the same place again continues it. Swing state on the event thread,
 * the fetch on the tab's action threads.
 */
final class SaveAction {

    private final Supplier<MBeanServerConnection> connection;
    private final Executor calls;
    private final Consumer<Result> done;
    private final FetchDisplay display;
    private final JButton save = new JButton("Save to this computer…");

    // event thread only
    private File folder;

    /**
     * @param done called on the event thread with each save's outcome
     */
    SaveAction(Supplier<MBeanServerConnection> connection, Executor calls, FetchDisplay display, Consumer<Result> done) {
        this.connection = connection;
        this.calls = calls;
        this.display = display;
        this.done = done;
        save.setToolTipText("Copy the selected file to this computer over JMX (readArtifact): resumable, verified by "
                + "SHA-256; needs a JMX user with readwrite access");
        save.setEnabled(false);
    }

    /** The button, for the tab's button row. */
    JButton button() {
        return save;
    }

    /** The progress bar and Cancel, shown while a save runs (shared with the tab's other fetches). */
    JComponent progressPanel() {
        return display.panel();
    }

    /** Wires the button to the chooser; {@code selected} gives the table's selection when it is pressed. */
    void onPress(Supplier<List<ArtifactRow>> selected) {
        save.addActionListener(e -> {
            List<ArtifactRow> rows = selected.get();
            if (rows.size() == 1) {
                choose(rows.get(0));
            }
        });
    }

    /** Enabled for one complete file while nothing is being saved. */
    void update(boolean ready, List<ArtifactRow> selected) {
        save.setEnabled(ready && !display.busy() && selected.size() == 1 && selected.get(0).complete());
    }

    private void choose(ArtifactRow row) {
        JFileChooser chooser = new JFileChooser(folder);
        chooser.setDialogTitle("Save " + row.name() + " to this computer");
        chooser.setSelectedFile(new File(folder, row.name()));
        if (chooser.showSaveDialog(SwingUtilities.getWindowAncestor(save)) == JFileChooser.APPROVE_OPTION) {
            File target = chooser.getSelectedFile();
            folder = target.getParentFile();
            start(row, target.toPath());
        }
    }

    /** Saves {@code row} to {@code target} (a file, or a folder to save into under the file's name). */
    void start(ArtifactRow row, Path target) {
        if (display.busy()) {
            return;
        }
        FetchDisplay.Listener listener = display.begin("Saving " + row.name() + " ...", "Saving", row.name(),
                "Stop the save; saving the same file to the same place again resumes it");
        Fetch fetch = new Fetch(target, 0, listener);
        display.cancels(fetch);
        save.setEnabled(false);
        calls.execute(() -> {
            Result result = run(fetch, listener, row);
            SwingUtilities.invokeLater(() -> {
                display.end();
                done.accept(result);
            });
        });
    }

    private Result run(Fetch fetch, FetchDisplay.Listener listener, ArtifactRow row) {
        MBeanServerConnection c = connection.get();
        if (c == null) {
            return Result.failed("Not connected: " + row.name() + " was not saved");
        }
        try {
            FetchResult result = fetch.run(new JmxArtifactSource(c, row.path()));
            String discarded = listener.note().startsWith("discarded") ? " (" + listener.note() + ")" : "";
            return Result.made("Saved " + row.name() + ": " + result.summary() + discarded, result.file().toString());
        } catch (CancellationException e) {
            return Result.ok("Save of " + row.name() + " cancelled: " + e.getMessage()
                    + "; save it to the same place again to resume");
        } catch (Exception | Error e) {
            return Result.failed("Cannot save " + row.name() + ": " + Errors.message(e));
        }
    }

    JProgressBar progressBar() {
        return display.progressBar();
    }

    JButton cancelButton() {
        return display.cancelButton();
    }
}
