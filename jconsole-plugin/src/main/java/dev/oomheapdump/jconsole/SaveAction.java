package dev.oomheapdump.jconsole;

import dev.oomheapdump.core.transfer.Fetch;
import dev.oomheapdump.core.transfer.FetchListener;
import dev.oomheapdump.core.transfer.FetchProgress;
import dev.oomheapdump.core.transfer.FetchResult;
import dev.oomheapdump.core.transfer.SourceFile;
import dev.oomheapdump.jconsole.TabState.ArtifactRow;
import dev.oomheapdump.mbean.client.JmxArtifactSource;

import javax.management.MBeanServerConnection;
import javax.swing.JButton;
import javax.swing.JComponent;
import javax.swing.JFileChooser;
import javax.swing.JPanel;
import javax.swing.JProgressBar;
import javax.swing.SwingUtilities;
import java.awt.BorderLayout;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * "Save to this computer…" for the file selected in the table: a file chooser for where, then the same resumable,
 * verified fetch as the command line's ({@code core.transfer} over {@link JmxArtifactSource}, bundled into the
 * plugin jar), with a progress bar and a Cancel button under the table. A cancelled or cut-off save leaves
 * {@code <file>.part}; saving the same file to the same place again continues it. Swing state on the event thread,
 * the fetch on the tab's action threads.
 */
final class SaveAction {

    private final Supplier<MBeanServerConnection> connection;
    private final Executor calls;
    private final Consumer<Result> done;
    private final JButton save = new JButton("Save to this computer…");
    private final JButton cancel = new JButton("Cancel");
    private final JProgressBar progress = new JProgressBar(0, 1000);
    private final JPanel panel = new JPanel(new BorderLayout(6, 0));

    // event thread only
    private Fetch running;
    private File folder;

    /**
     * @param done called on the event thread with each save's outcome
     */
    SaveAction(Supplier<MBeanServerConnection> connection, Executor calls, Consumer<Result> done) {
        this.connection = connection;
        this.calls = calls;
        this.done = done;
        save.setToolTipText("Copy the selected file to this computer over JMX (readArtifact): resumable, verified by "
                + "SHA-256; needs a JMX user with readwrite access");
        cancel.setToolTipText("Stop the save; saving the same file to the same place again resumes it");
        save.setEnabled(false);
        progress.setStringPainted(true);
        panel.add(progress, BorderLayout.CENTER);
        panel.add(cancel, BorderLayout.EAST);
        panel.setVisible(false);
        cancel.addActionListener(e -> cancel());
    }

    /** The button, for the tab's button row. */
    JButton button() {
        return save;
    }

    /** The progress bar and Cancel, shown while a save runs. */
    JComponent progressPanel() {
        return panel;
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
        save.setEnabled(ready && running == null && selected.size() == 1 && selected.get(0).complete());
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
        if (running != null) {
            return;
        }
        Display display = new Display(row.name());
        Fetch fetch = new Fetch(target, 0, display);
        running = fetch;
        save.setEnabled(false);
        progress.setValue(0);
        progress.setString("Saving " + row.name() + " ...");
        panel.setVisible(true);
        calls.execute(() -> {
            Result result = run(fetch, display, row);
            SwingUtilities.invokeLater(() -> {
                running = null;
                panel.setVisible(false);
                done.accept(result);
            });
        });
    }

    private Result run(Fetch fetch, Display display, ArtifactRow row) {
        MBeanServerConnection c = connection.get();
        if (c == null) {
            return Result.failed("Not connected: " + row.name() + " was not saved");
        }
        try {
            FetchResult result = fetch.run(new JmxArtifactSource(c, row.path()));
            String discarded = display.note.startsWith("discarded") ? " (" + display.note + ")" : "";
            return Result.made("Saved " + row.name() + ": " + result.summary() + discarded, result.file().toString());
        } catch (CancellationException e) {
            return Result.ok("Save of " + row.name() + " cancelled: " + e.getMessage()
                    + "; save it to the same place again to resume");
        } catch (Exception | Error e) {
            return Result.failed("Cannot save " + row.name() + ": " + Errors.message(e));
        }
    }

    /** Stops the running save, if any (its part stays for a resume). */
    void cancel() {
        Fetch fetch = running;
        if (fetch != null) {
            fetch.cancel();
            progress.setString("Cancelling ...");
        }
    }

    boolean saving() {
        return running != null;
    }

    JProgressBar progressBar() {
        return progress;
    }

    JButton cancelButton() {
        return cancel;
    }

    /** Puts the fetch's progress on the bar, on the event thread. */
    private final class Display implements FetchListener {
        private final String name;
        private volatile String resumed = "";
        private volatile String note = "";

        Display(String name) {
            this.name = name;
        }

        @Override
        public void started(SourceFile source, Path target, long resumedFrom, String what) {
            resumed = resumedFrom > 0 ? String.format(Locale.ROOT, " (resumed at %.1f MB)", resumedFrom / 1e6) : "";
            note = what;
            SwingUtilities.invokeLater(() -> progress.setToolTipText(what.isEmpty() ? "to " + target : what));
        }

        @Override
        public void progress(FetchProgress p) {
            String text = "Saving " + name + resumed + ": " + p.describe();
            int permille = (int) Math.round(p.fraction() * 1000);
            SwingUtilities.invokeLater(() -> {
                if (running != null) {
                    progress.setValue(permille);
                    progress.setString(text);
                }
            });
        }
    }
}
