package dev.oomheapdump.jconsole;

import dev.oomheapdump.jconsole.AnalysisReport.ClassRow;
import dev.oomheapdump.jconsole.AnalysisReport.Suspect;
import dev.oomheapdump.jconsole.TabState.ArtifactRow;

import javax.swing.BorderFactory;
import javax.swing.JButton;
import javax.swing.JEditorPane;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JProgressBar;
import javax.swing.JScrollPane;
import javax.swing.JSplitPane;
import javax.swing.JTable;
import javax.swing.SwingConstants;
import javax.swing.SwingUtilities;
import javax.swing.Timer;
import javax.swing.table.DefaultTableCellRenderer;
import java.awt.BorderLayout;
import java.awt.Color;
import java.awt.Dimension;
import java.awt.FlowLayout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * "What filled the heap" for the dump selected in the file table: an Analyze button, a progress bar with the
 * seconds elapsed while the bean's blocking {@code analyzeHeapSnapshot} runs, and, when the dump has a report, its
 * totals, top suspects (with their paths from a GC root) and the histogram's top rows. Swing state lives on the
 * event thread; the JMX calls run on the tab's action threads.
 */
final class ReportPanel extends JPanel {

    static final String TITLE = "What filled the heap";
    static final int SUSPECTS = 5;
    static final int CLASSES = 25;
    private static final Color ERROR = new Color(0xB0, 0x00, 0x00);
    private static final int CACHED = 8;

    private final ReportModel model;
    private final Executor calls;
    private final Consumer<Result> afterAnalysis;

    private final JButton analyze = new JButton("Analyze");
    private final JLabel subject = new JLabel(" ");
    private final JProgressBar progress = new JProgressBar();
    private final JLabel message = new JLabel(" ");
    private final JLabel totals = new JLabel(" ");
    private final JEditorPane suspects = new JEditorPane("text/html", "");
    private final ListModel<ClassRow> classes = new ListModel<>(new String[]{"Class", "Instances", "Shallow",
            "Retained"}, ReportPanel::classCell);
    private final Timer ticker = new Timer(1000, e -> tick());

    // event thread only
    private boolean ready;
    private ArtifactRow selected;
    private ArtifactRow report;
    private String analyzing;
    private long analyzeStart;
    private String loading;
    private final Map<String, Object> loaded = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Object> eldest) {
            return size() > CACHED;
        }
    };
    private AnalysisReport shown;
    private int generation;

    /**
     * @param afterAnalysis called on the event thread with each analysis' outcome (the tab refreshes the files)
     */
    ReportPanel(ReportModel model, Executor calls, Consumer<Result> afterAnalysis) {
        super(new BorderLayout(0, 4));
        this.model = model;
        this.calls = calls;
        this.afterAnalysis = afterAnalysis;
        setBorder(BorderFactory.createCompoundBorder(BorderFactory.createTitledBorder(TITLE),
                BorderFactory.createEmptyBorder(2, 6, 4, 6)));
        analyze.setToolTipText("Analyze the selected heap dump in a separate low-priority JVM on the JVM's host "
                + "(analyzeHeapSnapshot): histogram, dominators, retained sizes, leak suspects");
        analyze.addActionListener(e -> analyzeSelected());
        progress.setStringPainted(true);
        progress.setVisible(false);
        ticker.setRepeats(true);

        JPanel top = new JPanel(new FlowLayout(FlowLayout.LEFT, 6, 2));
        top.add(analyze);
        top.add(subject);
        JPanel status = new JPanel(new BorderLayout(0, 2)); // the hidden progress bar leaves no gap
        status.add(progress, BorderLayout.NORTH);
        status.add(message, BorderLayout.CENTER);
        status.add(totals, BorderLayout.SOUTH);
        JPanel north = new JPanel(new BorderLayout());
        north.add(top, BorderLayout.NORTH);
        north.add(status, BorderLayout.CENTER);

        suspects.setEditable(false);
        suspects.putClientProperty(JEditorPane.HONOR_DISPLAY_PROPERTIES, Boolean.TRUE);
        JTable table = new JTable(classes);
        table.setFillsViewportHeight(true);
        DefaultTableCellRenderer right = new DefaultTableCellRenderer();
        right.setHorizontalAlignment(SwingConstants.RIGHT);
        int[] widths = {320, 80, 80, 80};
        for (int i = 0; i < widths.length; i++) {
            table.getColumnModel().getColumn(i).setPreferredWidth(widths[i]);
            if (i > 0) {
                table.getColumnModel().getColumn(i).setCellRenderer(right);
            }
        }
        table.setPreferredScrollableViewportSize(new Dimension(420, 12 * table.getRowHeight()));
        JScrollPane suspectsScroll = new JScrollPane(suspects);
        suspectsScroll.setPreferredSize(new Dimension(420, 12 * table.getRowHeight()));
        JPanel left = titledPane("Top suspects: retained size, path from a GC root", suspectsScroll);
        JPanel rightPane = titledPane("Largest classes (by retained size)", new JScrollPane(table));
        JSplitPane split = new JSplitPane(JSplitPane.HORIZONTAL_SPLIT, left, rightPane);
        split.setResizeWeight(0.5);
        split.setBorder(null);

        add(north, BorderLayout.NORTH);
        add(split, BorderLayout.CENTER);
        render();
    }

    private static JPanel titledPane(String title, JScrollPane content) {
        JPanel panel = new JPanel(new BorderLayout(0, 2));
        panel.add(new JLabel(title), BorderLayout.NORTH);
        panel.add(content, BorderLayout.CENTER);
        return panel;
    }

    /** The table's selection or the files changed (event thread): show the selected dump's report, loading it once. */
    void update(boolean connected, List<ArtifactRow> selection, List<ArtifactRow> artifacts) {
        ready = connected;
        selected = selection.size() == 1 ? selection.get(0) : null;
        report = ReportModel.reportFor(selected, artifacts).orElse(null);
        if (report != null && ready && !loaded.containsKey(key(report)) && !key(report).equals(loading)) {
            load(report);
        }
        render();
    }

    /** JConsole lost the connection: the running call's answer, if any, is dropped. */
    void reset() {
        generation++;
        analyzing = null;
        loading = null;
        ticker.stop();
        render();
    }

    void stop() {
        ticker.stop();
    }

    /** What identifies a report's content: a rewritten report has another size or time. */
    private static String key(ArtifactRow row) {
        return row.path() + "#" + row.bytes() + "#" + row.createdMillis();
    }

    private void load(ArtifactRow row) {
        String key = key(row);
        loading = key;
        int startedIn = generation;
        calls.execute(() -> {
            Object outcome;
            try {
                outcome = model.load(row.path());
            } catch (Exception e) {
                outcome = "Cannot read the report " + row.name() + ": " + Errors.message(e);
            }
            Object done = outcome;
            SwingUtilities.invokeLater(() -> {
                if (startedIn != generation) {
                    return;
                }
                if (key.equals(loading)) {
                    loading = null;
                }
                loaded.put(key, done);
                render();
            });
        });
    }

    private void analyzeSelected() {
        ArtifactRow dump = selected;
        if (!ReportModel.analyzable(dump) || analyzing != null) {
            return;
        }
        analyzing = dump.name();
        analyzeStart = System.nanoTime();
        setMessage(" ", false);
        ticker.start();
        int startedIn = generation;
        calls.execute(() -> {
            Result result = model.analyze(dump.path());
            SwingUtilities.invokeLater(() -> {
                if (startedIn != generation) {
                    return;
                }
                analyzing = null;
                ticker.stop();
                setMessage(result.ok() ? result.message() + " (" + Format.seconds(elapsedMillis()) + ")"
                        : result.message(), !result.ok());
                render();
                afterAnalysis.accept(result);
            });
        });
        render();
    }

    private long elapsedMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - analyzeStart);
    }

    private void tick() {
        if (analyzing != null) {
            progress.setString(String.format(Locale.ROOT, "Analyzing %s in a separate low-priority JVM on the JVM's "
                    + "host: %d s", analyzing, TimeUnit.MILLISECONDS.toSeconds(elapsedMillis())));
        }
    }

    private void setMessage(String text, boolean error) {
        message.setForeground(error ? ERROR : getForeground());
        message.setText(text);
        message.setToolTipText(text.isBlank() ? null : text);
    }

    // ---- rendering (event thread) --------------------------------------------------------------------------

    private void render() {
        analyze.setEnabled(ready && analyzing == null && ReportModel.analyzable(selected));
        progress.setVisible(analyzing != null);
        progress.setIndeterminate(analyzing != null);
        tick();
        Object content = report == null ? null : loaded.get(key(report));
        if (selected == null) {
            subject.setText("Select one heap snapshot or OOM dump in the table above");
        } else if (report == null) {
            subject.setText(selected.heapDump() ? selected.name() + ": no report yet; Analyze writes "
                    + ReportModel.baseName(selected.name()) + ReportModel.JSON + " beside it"
                    : selected.name() + " is not a heap dump");
        } else if (content == null) {
            subject.setText("Loading " + report.name() + " ...");
        } else {
            subject.setText("Report " + report.name());
        }
        if (content instanceof String problem) {
            setMessage(problem, true);
        }
        show(content instanceof AnalysisReport r ? r : null);
    }

    private void show(AnalysisReport r) {
        if (r == shown) {
            return;
        }
        shown = r;
        if (r == null) {
            totals.setText(" ");
            suspects.setText("");
            classes.set(List.of());
            return;
        }
        totals.setText(String.format(Locale.ROOT, "%,d objects of %,d classes, %s; reachable from GC roots %s, "
                        + "unreachable (garbage) %s; analyzed in %s", r.objects(), r.classes(),
                Format.bytes(r.shallowBytes()), Format.bytes(r.reachableBytes()), Format.bytes(r.unreachableBytes()),
                Format.seconds(r.durationMillis())));
        suspects.setText(suspectsHtml(r.suspects()));
        suspects.setCaretPosition(0);
        classes.set(r.histogram().subList(0, Math.min(CLASSES, r.histogram().size())));
    }

    static String suspectsHtml(List<Suspect> list) {
        StringBuilder html = new StringBuilder("<html><body>");
        if (list.isEmpty()) {
            html.append("<p>No suspects: no object retains a large share of the heap.</p>");
        }
        for (int i = 0; i < Math.min(SUSPECTS, list.size()); i++) {
            Suspect s = list.get(i);
            html.append("<p><b>").append(i + 1).append(". ").append(escape(s.className())).append("</b> retains <b>")
                    .append(Format.bytes(s.retainedBytes())).append(String.format(Locale.ROOT, "</b> (%.1f%%)",
                            s.retainedPercent()));
            for (int step = 0; step < s.path().size(); step++) {
                html.append("<br>&nbsp;&nbsp;").append(step == 0 ? "root: " : "&nbsp;&nbsp;&nbsp;")
                        .append("<font face=\"Monospaced\">").append(escape(s.path().get(step))).append("</font>");
            }
            html.append("</p>");
        }
        return html.append("</body></html>").toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    // ---- for the self-test and the unit tests ---------------------------------------------------------------

    JButton analyzeButton() {
        return analyze;
    }

    JProgressBar progressBar() {
        return progress;
    }

    JLabel messageLabel() {
        return message;
    }

    /** The report on screen, if any (event thread). */
    Optional<AnalysisReport> shownReport() {
        return Optional.ofNullable(shown);
    }

    private static Object classCell(ClassRow c, int column) {
        switch (column) {
            case 0:
                return c.className();
            case 1:
                return String.format(Locale.ROOT, "%,d", c.instances());
            case 2:
                return Format.bytes(c.shallowBytes());
            default:
                return Format.bytes(c.retainedBytes());
        }
    }
}
