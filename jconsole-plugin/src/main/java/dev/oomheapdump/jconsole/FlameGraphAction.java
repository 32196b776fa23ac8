package dev.oomheapdump.jconsole;

import dev.oomheapdump.core.transfer.FetchResult;
import dev.oomheapdump.jconsole.FlameGraphs.Plan;
import dev.oomheapdump.jconsole.TabState.ArtifactRow;

import javax.management.MBeanServerConnection;
import javax.swing.JButton;
import javax.swing.JOptionPane;
import javax.swing.JTextField;
import javax.swing.SwingUtilities;
import java.awt.GraphicsEnvironment;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * "Open flame graph" for the profile selected in the table (any of its files): brings its flame graph to this
 * computer with the verified fetch of "Save to this computer…" (or its recording, converted here when the JVM made
 * no flame graph) into a private folder, and opens it in the browser. The fetch shows on the tab's
 * {@link FetchDisplay}; the outcome on the tab's message line; when no browser opens, a dialog shows the file's
 * path to open by hand. Swing state on the event thread, the rest on the tab's action threads.
 */
final class FlameGraphAction {

    private final Supplier<MBeanServerConnection> connection;
    private final Executor calls;
    private final FetchDisplay display;
    private final FlameGraphs graphs;
    private final Supplier<Browser> browser;
    private final Consumer<Result> done;
    private final JButton open = new JButton("Open flame graph");

    /**
     * @param browser gives the way to open a file, when one is opened (the system property may change meanwhile)
     * @param done    called on the event thread with each outcome
     */
    FlameGraphAction(Supplier<MBeanServerConnection> connection, Executor calls, FetchDisplay display,
                     FlameGraphs graphs, Supplier<Browser> browser, Consumer<Result> done) {
        this.connection = connection;
        this.calls = calls;
        this.display = display;
        this.graphs = graphs;
        this.browser = browser;
        this.done = done;
        open.setToolTipText("Open the flame graph of the selected profile in this computer's browser: the JVM's .html, "
                + "fetched over JMX and verified by SHA-256, or one made here from the .jfr when the JVM made none");
        open.setEnabled(false);
    }

    JButton button() {
        return open;
    }

    /** Wires the button; {@code selected} and {@code listed} give the table's selection and rows when it is pressed. */
    void onPress(Supplier<List<ArtifactRow>> selected, Supplier<List<ArtifactRow>> listed) {
        open.addActionListener(e -> FlameGraphs.plan(selected.get(), listed.get()).ifPresent(this::start));
    }

    /** Enabled for the files of one profile that has a complete flame graph or recording, while nothing is fetched. */
    void update(boolean ready, List<ArtifactRow> selected, List<ArtifactRow> listed) {
        open.setEnabled(ready && !display.busy() && FlameGraphs.plan(selected, listed).isPresent());
    }

    /** Fetches (or finds again) the flame graph of {@code plan} and opens it. */
    void start(Plan plan) {
        start(plan, "");
    }

    /**
     * Fetches (or finds again) the flame graph of {@code plan} and opens it; {@code note} starts the outcome's
     * sentence (why the flame graph opens rather than what was asked for), or is empty.
     */
    void start(Plan plan, String note) {
        if (display.busy()) {
            return;
        }
        String name = plan.source().name();
        FetchDisplay.Listener listener = display.begin("Fetching " + name + " ...", "Fetching", name,
                "Stop fetching " + name);
        open.setEnabled(false);
        calls.execute(() -> {
            Result ran = run(plan, listener);
            Result result = note.isEmpty() ? ran : new Result(ran.ok(), note + ran.message(), ran.field(), ran.path());
            SwingUtilities.invokeLater(() -> {
                display.end();
                done.accept(result);
                if (!result.ok() && !result.path().isEmpty()) {
                    showPath(result.path());
                }
            });
        });
    }

    private Result run(Plan plan, FetchDisplay.Listener listener) {
        String name = plan.source().name();
        Path html = graphs.known(plan);
        String detail;
        if (html != null) {
            detail = "again, " + html;
        } else {
            MBeanServerConnection c = connection.get();
            if (c == null) {
                return Result.failed("Not connected: the flame graph of " + plan.base() + " was not fetched");
            }
            FetchResult fetched;
            try {
                fetched = display.fetch(graphs.newFolder(), c, plan.source().path(), listener);
            } catch (CancellationException e) {
                return Result.ok("Open flame graph of " + plan.base() + " cancelled");
            } catch (Exception | Error e) {
                return Result.failed("Cannot fetch " + name + ": " + Errors.message(e));
            }
            if (plan.convert()) {
                display.stage("Making the flame graph of " + name + " here ...");
                try {
                    html = FlameGraphs.convert(fetched.file(), plan.base(), graphs.console());
                } catch (IOException | RuntimeException | OutOfMemoryError e) {
                    return Result.failed("Cannot make a flame graph of " + name + " here: " + (e instanceof OutOfMemoryError
                            ? graphs.console() + "'s heap is too small (start it with -J-Xmx2g, say)" : e.getMessage()));
                }
                detail = "made here from " + name + " (the JVM made no flame graph) to " + html + "; " + name + ": "
                        + fetched.summary();
            } else {
                html = fetched.file();
                detail = fetched.summary();
            }
            graphs.remember(plan, html);
        }
        display.stage("Opening " + html.getFileName() + " ...");
        try {
            String opener = browser.get().open(html);
            return Result.made("Opened " + html.getFileName() + " " + opener + ": " + detail, html.toString());
        } catch (IOException | RuntimeException e) {
            return new Result(false, "No browser opened " + html + ": " + e.getMessage() + "; open it yourself", "",
                    html.toString());
        }
    }

    /** No browser opened the file: its path, to copy. */
    private void showPath(String path) {
        if (GraphicsEnvironment.isHeadless()) {
            return;
        }
        JTextField field = new JTextField(path, Math.min(Math.max(path.length(), 20), 80));
        field.setEditable(false);
        field.selectAll();
        JOptionPane.showMessageDialog(SwingUtilities.getWindowAncestor(open),
                new Object[]{"No browser opened the flame graph. Open this file in one:", field}, "Open flame graph",
                JOptionPane.INFORMATION_MESSAGE);
    }
}
