package dev.oomheapdump.jconsole;

import dev.oomheapdump.core.transfer.Fetch;
import dev.oomheapdump.core.transfer.FetchListener;
import dev.oomheapdump.core.transfer.FetchProgress;
import dev.oomheapdump.core.transfer.FetchResult;
import dev.oomheapdump.core.transfer.SourceFile;
import dev.oomheapdump.mbean.client.JmxArtifactSource;

import javax.management.MBeanServerConnection;
import javax.swing.JButton;
import javax.swing.JComponent;
import javax.swing.JPanel;
import javax.swing.JProgressBar;
import javax.swing.SwingUtilities;
import java.awt.BorderLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The progress bar and Cancel under the table, for the one fetch the tab runs at a time: "Save to this computer…" or
 * the flame graph "Open flame graph" brings. Swing state on the event thread; its {@link Listener}s report from the
 * fetching thread.
 */
final class FetchDisplay {

    private final JButton cancel = new JButton("Cancel");
    private final JProgressBar progress = new JProgressBar(0, 1000);
    private final JPanel panel = new JPanel(new BorderLayout(6, 0));
    private final Runnable changed;

    // event thread only
    private boolean busy;
    private Fetch running;
    private int task;

    /**
     * @param changed called on the event thread when a task begins or ends (the buttons that start one follow it)
     */
    FetchDisplay(Runnable changed) {
        this.changed = changed;
        progress.setStringPainted(true);
        panel.add(progress, BorderLayout.CENTER);
        panel.add(cancel, BorderLayout.EAST);
        panel.setVisible(false);
        cancel.addActionListener(e -> cancel());
    }

    /** The bar and Cancel, shown while a task runs. */
    JComponent panel() {
        return panel;
    }

    /** A task runs: no other may begin. */
    boolean busy() {
        return busy;
    }

    /**
     * Shows the bar for a task that starts with a fetch; {@link #cancels} then names the fetch that Cancel stops.
     *
     * @param verb      how the bar says what the fetch does to the file: "Saving", "Fetching"
     * @param cancelTip what Cancel does to this fetch
     * @return a listener (for the fetch) that puts its progress on the bar while this task runs
     */
    Listener begin(String text, String verb, String name, String cancelTip) {
        busy = true;
        running = null;
        int mine = ++task;
        progress.setIndeterminate(false);
        progress.setValue(0);
        progress.setString(text);
        progress.setToolTipText(null);
        cancel.setToolTipText(cancelTip);
        cancel.setEnabled(false);
        panel.setVisible(true);
        changed.run();
        return new Listener(mine, verb, name);
    }

    /** The fetch of the task begun last: Cancel stops it. */
    void cancels(Fetch fetch) {
        running = fetch;
        cancel.setEnabled(busy);
    }

    /**
     * Any thread but the event thread: fetches the listed file {@code path} over {@code connection} into
     * {@code folder} (verified, as "Save to this computer…" does), Cancel stopping it; blocks until it ends.
     *
     * @throws java.util.concurrent.CancellationException when Cancel stopped it
     */
    FetchResult fetch(Path folder, MBeanServerConnection connection, String path, Listener listener)
            throws IOException {
        Fetch fetch = new Fetch(folder, 0, listener);
        SwingUtilities.invokeLater(() -> cancels(fetch));
        return fetch.run(new JmxArtifactSource(connection, path));
    }

    /** Any thread: the fetch is done, a stage that cannot be cancelled runs ("Making the flame graph ..."). */
    void stage(String text) {
        SwingUtilities.invokeLater(() -> {
            if (busy) {
                running = null;
                cancel.setEnabled(false);
                progress.setIndeterminate(true);
                progress.setString(text);
            }
        });
    }

    /** The task ended: hides the bar. */
    void end() {
        busy = false;
        running = null;
        progress.setIndeterminate(false);
        panel.setVisible(false);
        changed.run();
    }

    /** Stops the running fetch, if any (a save's part stays for a resume). */
    void cancel() {
        Fetch fetch = running;
        if (fetch != null) {
            fetch.cancel();
            progress.setString("Cancelling ...");
        }
    }

    JProgressBar progressBar() {
        return progress;
    }

    JButton cancelButton() {
        return cancel;
    }

    /** Puts a fetch's progress on the bar, on the event thread, while its task runs. */
    final class Listener implements FetchListener {
        private final int of;
        private final String verb;
        private final String name;
        private volatile String resumed = "";
        private volatile String note = "";

        private Listener(int of, String verb, String name) {
            this.of = of;
            this.verb = verb;
            this.name = name;
        }

        /** What happened to a {@code .part} that was there (resumed, or discarded and why); empty when none. */
        String note() {
            return note;
        }

        @Override
        public void started(SourceFile source, Path target, long resumedFrom, String what) {
            resumed = resumedFrom > 0 ? String.format(Locale.ROOT, " (resumed at %.1f MB)", resumedFrom / 1e6) : "";
            note = what;
            SwingUtilities.invokeLater(() -> {
                if (busy && task == of) {
                    progress.setToolTipText(what.isEmpty() ? "to " + target : what);
                }
            });
        }

        @Override
        public void progress(FetchProgress p) {
            String text = verb + " " + name + resumed + ": " + p.describe();
            int permille = (int) Math.round(p.fraction() * 1000);
            SwingUtilities.invokeLater(() -> {
                if (busy && task == of && running != null) {
                    progress.setValue(permille);
                    progress.setString(text);
                }
            });
        }
    }
}
