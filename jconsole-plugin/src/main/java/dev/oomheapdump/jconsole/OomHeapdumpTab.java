package dev.oomheapdump.jconsole;

import dev.oomheapdump.jconsole.TabState.ArtifactRow;
import dev.oomheapdump.jconsole.TabState.Heap;
import dev.oomheapdump.jconsole.TabState.Link;
import dev.oomheapdump.jconsole.TabState.Policy;
import dev.oomheapdump.jconsole.TabState.Progress;

import javax.management.MBeanServerConnection;
import javax.swing.BorderFactory;
import javax.swing.Box;
import javax.swing.JButton;
import javax.swing.JComponent;
import javax.swing.JEditorPane;
import javax.swing.JLabel;
import javax.swing.JOptionPane;
import javax.swing.JPanel;
import javax.swing.JProgressBar;
import javax.swing.JScrollPane;
import javax.swing.JSplitPane;
import javax.swing.JTextField;
import javax.swing.SwingUtilities;
import javax.swing.SwingWorker;
import javax.swing.Timer;
import javax.swing.border.Border;
import java.awt.BorderLayout;
import java.awt.CardLayout;
import java.awt.Color;
import java.awt.Dimension;
import java.awt.FlowLayout;
import java.awt.GridBagConstraints;
import java.awt.GridBagLayout;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The "OOM Heapdump" tab, in JConsole and in VisualVM ({@link ConsoleHost}). It renders {@link TabState}s on the
 * event thread and never calls JMX there: polls run on the host's schedule (JConsole's SwingWorker at its update
 * interval, VisualVM's timer), on notifications and, while a job runs, twice a second, on one refresh thread;
 * operations run on their own threads, because a profile blocks its call for its whole duration.
 */
final class OomHeapdumpTab extends JPanel {

    static final String TITLE = "OOM Heapdump";
    private static final Color ERROR = new Color(0xB0, 0x00, 0x00);
    private static final int FAST_REFRESH_MS = 500;
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);

    private final TabModel model;
    private final ConsoleHost host;
    private final ExecutorService refresher;
    private final ExecutorService actions;
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private final Timer fastRefresh = new Timer(FAST_REFRESH_MS, e -> requestRefresh());
    private final List<Consumer<Result>> resultListeners = new CopyOnWriteArrayList<>();

    private final CardLayout cards = new CardLayout();
    private final JLabel connectingLabel = new JLabel("Connecting to " + TabModel.OBJECT_NAME + " ...");
    private final JEditorPane missingText = new JEditorPane("text/html", "");

    private final JLabel heapLabel = new JLabel(" ");
    private final HeapGauge gauge = new HeapGauge();

    private final JButton heapSnapshot = new JButton("Heap snapshot");
    private final ProfileControls profile = new ProfileControls(this::profile, text -> setMessage(text, true));
    private final JButton delete = new JButton("Delete");
    private final JButton deleteAll = new JButton("Delete all");
    private final JButton ship = new JButton("Ship");
    private final JProgressBar progress = new JProgressBar(0, 1000);
    private final JLabel message = new JLabel(" ");
    private final JLabel filesTitle = new JLabel(" ");
    private final ArtifactTable table = new ArtifactTable();
    private final PolicyPanel policyPanel;
    private final ReportPanel reportPanel;
    private final FetchDisplay fetches;
    private final SaveAction save;
    private final FlameGraphAction flame;
    /** "Open in VisualVM"; null in a console without views of its own. */
    private final OpenHereAction openHere;

    // event thread only
    private TabState shown = TabState.initial();
    private boolean jobInFlight;
    /** The message line shows a connection problem, to be replaced once the bean answers again. */
    private boolean showingProblem;
    private int generation;

    /** In JConsole. */
    OomHeapdumpTab(Supplier<MBeanServerConnection> connection) {
        this(ConsoleHost.jconsole(connection));
    }

    OomHeapdumpTab(ConsoleHost host) {
        this.host = host;
        String threads = "oom-heapdump-" + host.name().toLowerCase(Locale.ROOT);
        this.refresher = Executors.newSingleThreadExecutor(daemon(threads + "-refresh"));
        this.actions = Executors.newCachedThreadPool(daemon(threads + "-action"));
        Supplier<MBeanServerConnection> connection = host.connection();
        this.model = new TabModel(host, this::requestRefresh);
        this.policyPanel = new PolicyPanel(model, actions, this::showResult);
        this.reportPanel = new ReportPanel(new ReportModel(connection), actions, this::afterCall);
        this.fetches = new FetchDisplay(this::updateButtons);
        this.save = new SaveAction(connection, actions, fetches, this::showResult);
        PrivateFolder folder = new PrivateFolder(null, host.name());
        this.flame = new FlameGraphAction(connection, actions, fetches, new FlameGraphs(folder, host.name()),
                Browser::system, this::showResult);
        this.openHere = host.viewer() == null ? null
                : new OpenHereAction(connection, actions, fetches, folder, host.viewer(), flame, this::showResult);
        save.onPress(table::selected);
        flame.onPress(table::selected, table::rows);
        if (openHere != null) {
            openHere.onPress(table::selected, table::rows);
        }
        setLayout(cards);
        add(connectingPanel(), Link.CONNECTING.name());
        add(missingPanel(), Link.NOT_INSTALLED.name());
        add(mainPanel(), Link.READY.name());
        cards.show(this, Link.CONNECTING.name());
        fastRefresh.setRepeats(true);
        render(shown);
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    // ---- layout ----------------------------------------------------------------------------------------------

    private JPanel connectingPanel() {
        JPanel panel = new JPanel(new FlowLayout(FlowLayout.LEFT, 16, 16));
        panel.add(connectingLabel);
        return panel;
    }

    private JComponent missingPanel() {
        missingText.setEditable(false);
        missingText.setOpaque(false);
        missingText.putClientProperty(JEditorPane.HONOR_DISPLAY_PROPERTIES, Boolean.TRUE);
        missingText.setBorder(BorderFactory.createEmptyBorder(16, 16, 16, 16));
        setMissingText(-1);
        JPanel panel = new JPanel(new BorderLayout());
        panel.add(missingText, BorderLayout.NORTH);
        return panel;
    }

    private void setMissingText(long pid) {
        String target = pid > 0 ? Long.toString(pid) : "&lt;pid&gt;";
        missingText.setText("<html><body>"
                + "<h2>The oom-heapdump agent is not installed in this JVM</h2>"
                + "<p>This tab drives the MBean " + code(TabModel.OBJECT_NAME) + ": heap dumps on "
                + "OutOfMemoryError, heap snapshots, profiles and their flame graphs. This JVM does not have it.</p>"
                + "<p><b>Add it at startup</b>, on the application's java command line:<br>"
                + code("java -javaagent:oom-heapdump-agent.jar=port=9010 ...") + "</p>"
                + "<p><b>Or load it into this running JVM</b>, on its host:<br>"
                + code("java -jar oom-heapdump-agent.jar attach " + target) + "</p>"
                + "<p>This tab turns on by itself when the MBean appears.</p></body></html>");
    }

    /** Monospaced at the text's size (Swing's {@code <code>} is tiny). */
    private static String code(String text) {
        return "<font face=\"Monospaced\">" + text + "</font>";
    }

    private JComponent mainPanel() {
        JPanel top = stack(policyPanel, heapPanel(), jobsPanel());

        JPanel files = new JPanel(new BorderLayout(0, 4));
        files.setBorder(titled("Heap snapshots, OOM dumps and profiles"));
        JPanel fileActions = new JPanel(new FlowLayout(FlowLayout.RIGHT, 6, 0));
        if (openHere != null) {
            fileActions.add(openHere.button());
        }
        fileActions.add(save.button());
        fileActions.add(flame.button());
        ship.addActionListener(e -> shipSelected());
        fileActions.add(ship);
        JPanel header = new JPanel(new BorderLayout(6, 0));
        header.add(filesTitle, BorderLayout.CENTER);
        header.add(fileActions, BorderLayout.EAST);
        files.add(header, BorderLayout.NORTH);
        table.setPreferredScrollableViewportSize(new Dimension(600, 7 * table.getRowHeight()));
        files.add(new JScrollPane(table), BorderLayout.CENTER);
        files.add(fetches.panel(), BorderLayout.SOUTH);
        table.getSelectionModel().addListSelectionListener(e -> updateButtons());

        JSplitPane filesAndReport = new JSplitPane(JSplitPane.VERTICAL_SPLIT, files, reportPanel);
        filesAndReport.setResizeWeight(0.3);
        filesAndReport.setBorder(null);

        JPanel panel = new JPanel(new BorderLayout());
        panel.setBorder(BorderFactory.createEmptyBorder(4, 4, 4, 4));
        panel.add(top, BorderLayout.NORTH);
        panel.add(filesAndReport, BorderLayout.CENTER);
        return panel;
    }

    private static Border titled(String title) {
        return BorderFactory.createCompoundBorder(BorderFactory.createTitledBorder(title),
                BorderFactory.createEmptyBorder(2, 6, 4, 6));
    }

    /** One component per line, each as wide as the panel. */
    private static JPanel stack(JComponent... lines) {
        JPanel panel = new JPanel(new GridBagLayout());
        GridBagConstraints c = new GridBagConstraints();
        c.gridx = 0;
        c.weightx = 1;
        c.fill = GridBagConstraints.HORIZONTAL;
        c.anchor = GridBagConstraints.WEST;
        for (JComponent line : lines) {
            panel.add(line, c);
        }
        return panel;
    }

    private JPanel heapPanel() {
        JPanel panel = new JPanel(new BorderLayout(0, 2));
        panel.setBorder(titled("Heap"));
        panel.add(heapLabel, BorderLayout.NORTH);
        panel.add(gauge, BorderLayout.CENTER);
        return panel;
    }

    private JPanel jobsPanel() {
        heapSnapshot.setToolTipText("Dump the live objects of the heap (a full GC runs first) to a .hprof (createHeapSnapshot)");
        delete.setToolTipText("Delete the selected files (deleteHeapSnapshot / deleteCpuProfile)");
        deleteAll.setToolTipText("Delete every heap snapshot and profile; OOM dumps are kept");
        heapSnapshot.addActionListener(e -> heapSnapshot());
        delete.addActionListener(e -> deleteSelected());
        deleteAll.addActionListener(e -> deleteAll());
        progress.setStringPainted(true);
        progress.setVisible(false);

        JPanel row = new JPanel(new FlowLayout(FlowLayout.LEFT, 6, 2));
        row.add(heapSnapshot);
        row.add(Box.createHorizontalStrut(12));
        profile.addTo(row);
        row.add(Box.createHorizontalStrut(12));
        row.add(delete);
        row.add(deleteAll);

        JPanel panel = new JPanel(new BorderLayout(0, 2));
        panel.setBorder(titled("Snapshots and profiles"));
        panel.add(row, BorderLayout.NORTH);
        panel.add(progress, BorderLayout.CENTER);
        panel.add(message, BorderLayout.SOUTH);
        return panel;
    }

    // ---- refreshing ----------------------------------------------------------------------------------------

    /** The console connected or reconnected: listen to the bean again on the new connection and read it all. */
    void connected() {
        SwingUtilities.invokeLater(() -> {
            generation++;
            refresher.execute(() -> show(model.connected()));
        });
    }

    /** The console lost the connection: forget what runs (its calls fail or hang), wait for the reconnect. */
    void disconnected() {
        SwingUtilities.invokeLater(() -> {
            generation++;
            jobInFlight = false;
            policyPanel.reset();
            reportPanel.reset();
            render(model.disconnected());
        });
    }

    /** A poll for JConsole's update timer (JConsole skips a round while the previous one runs). */
    SwingWorker<TabState, Void> newPollWorker() {
        return new SwingWorker<>() {
            @Override
            protected TabState doInBackground() {
                return model.poll();
            }

            @Override
            protected void done() {
                try {
                    render(get());
                } catch (Exception e) {
                    // poll() does not throw; an interrupted worker shows nothing
                }
            }
        };
    }

    /** Any thread: one poll soon; requests while one waits are merged. */
    void requestRefresh() {
        if (refreshQueued.compareAndSet(false, true)) {
            try {
                refresher.execute(() -> {
                    refreshQueued.set(false);
                    show(model.poll());
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                refreshQueued.set(false); // disposed
            }
        }
    }

    private void show(TabState state) {
        SwingUtilities.invokeLater(() -> render(state));
    }

    void dispose() {
        fetches.cancel();
        fastRefresh.stop();
        reportPanel.stop();
        refresher.shutdownNow();
        actions.shutdownNow();
        Thread closer = new Thread(model::close, "oom-heapdump-" + host.name().toLowerCase(Locale.ROOT) + "-close");
        closer.setDaemon(true);
        closer.start();
    }

    // ---- rendering (event thread) --------------------------------------------------------------------------

    private void render(TabState state) {
        if (state.sequence() < shown.sequence()) {
            return; // an older poll finished late
        }
        shown = state;
        switch (state.link()) {
            case READY:
                cards.show(this, Link.READY.name());
                break;
            case NOT_INSTALLED:
                setMissingText(state.pid());
                cards.show(this, Link.NOT_INSTALLED.name());
                break;
            case DISCONNECTED:
                if (state.policy() == null) {
                    connectingLabel.setText(state.problem().isBlank() ? "Not connected" : state.problem());
                    cards.show(this, Link.CONNECTING.name());
                }
                break;
            default:
                cards.show(this, Link.CONNECTING.name());
        }
        if (state.policy() != null) {
            policyPanel.render(state.policy(), state.oomDumpCount());
            filesTitle.setText("In " + state.policy().directory() + (state.policy().ships() ? " · shipped to "
                    + state.policy().ship() : ""));
        }
        renderHeap(state.heap(), state.policy());
        table.setRows(state.artifacts());
        renderProgress(state.progress());
        if (!state.problem().isBlank()) {
            setMessage(state.problem(), true);
            showingProblem = true;
        } else if (showingProblem && state.link() == Link.READY) {
            setMessage("Connected to " + TabModel.OBJECT_NAME + " again", false);
        }
        boolean fast = state.link() == Link.READY && (state.busy() || jobInFlight);
        if (fast && !fastRefresh.isRunning()) {
            fastRefresh.start();
        } else if (!fast && fastRefresh.isRunning()) {
            fastRefresh.stop();
        }
        updateButtons();
    }

    private void renderHeap(Heap heap, Policy policy) {
        if (heap == null) {
            heapLabel.setText(" ");
            gauge.set(0, 0, 0, 0, false);
            return;
        }
        long limitBytes = heap.limit();
        int percent = limitBytes > 0 ? (int) (heap.used() * 100 / limitBytes) : 0;
        String of = heap.max() > 0 ? "maximum " + Format.bytes(heap.max()) : "committed " + Format.bytes(heap.committed()) + " (no maximum)";
        heapLabel.setText(String.format(Locale.ROOT, "In use %s of %s (%d%%), committed %s", Format.bytes(heap.used()), of,
                percent, Format.bytes(heap.committed())) + (policy == null ? "" : policy.gcMonitoring()
                ? "; GC_MONITORING dumps above " + policy.threshold() + "% after a GC"
                : "; the threshold applies under GC_MONITORING only"));
        gauge.set(heap.used(), heap.committed(), limitBytes, policy == null ? 0 : policy.threshold(),
                policy != null && policy.gcMonitoring());
    }

    private void renderProgress(Progress p) {
        if (p == null) {
            progress.setVisible(false);
            progress.setIndeterminate(false);
            return;
        }
        progress.setVisible(true);
        progress.setIndeterminate(p.indeterminate());
        progress.setValue(p.permille());
        progress.setString(p.label());
    }

    private void updateButtons() {
        boolean ready = shown.link() == Link.READY;
        boolean jobs = ready && !shown.busy() && !jobInFlight;
        heapSnapshot.setEnabled(jobs);
        profile.setEnabled(jobs);
        deleteAll.setEnabled(jobs && shown.artifacts().stream().anyMatch(a -> "HEAP_SNAPSHOT".equals(a.kind())
                || a.cpuProfile()));
        List<ArtifactRow> selected = table.selected();
        delete.setEnabled(jobs && !selected.isEmpty() && selected.stream().allMatch(a -> !a.inProgress()
                && (a.heapDump() || a.cpuProfile())));
        updateShip(ready, selected);
        reportPanel.update(ready, selected, shown.artifacts());
        save.update(ready, selected);
        flame.update(ready, selected, shown.artifacts());
        if (openHere != null) {
            openHere.update(ready, selected, shown.artifacts());
        }
        policyPanel.setReady(ready);
    }

    /** Ship: for complete files not shipped yet, where the policy names a store. */
    private void updateShip(boolean ready, List<ArtifactRow> selected) {
        String to = shown.policy() == null ? "" : shown.policy().ship();
        ship.setEnabled(ready && !to.isBlank() && !selected.isEmpty()
                && selected.stream().allMatch(a -> a.complete() && !a.shipped()));
        ship.setToolTipText(to.isBlank()
                ? "Shipping to object storage is off: set the agent's option ship=s3://bucket/prefix (or the Ship "
                + "attribute) first"
                : "Upload the selected complete files to " + to + " (shipArtifact): a process of its own uploads "
                + "them; the Shipped column tells when each is there");
    }

    private void setMessage(String text, boolean error) {
        showingProblem = false;
        message.setForeground(error ? ERROR : getForeground());
        message.setText(LocalTime.now().format(CLOCK) + "  " + text);
        message.setToolTipText(text);
    }

    // ---- actions (event thread; the JMX call on an action thread) -----------------------------------------

    private interface Call {
        Result run();
    }

    /** Runs a job or a delete: the job buttons stay disabled until it returns. */
    private void runJob(String starting, Call call) {
        jobInFlight = true;
        setMessage(starting, false);
        updateButtons();
        int startedIn = generation;
        actions.execute(() -> {
            Result result = call.run();
            SwingUtilities.invokeLater(() -> {
                if (startedIn == generation) {
                    jobInFlight = false;
                    showResult(result);
                }
            });
        });
        requestRefresh();
        fastRefresh.start();
    }

    private void showResult(Result result) {
        setMessage(result.message(), !result.ok());
        afterCall(result);
    }

    /** An operation returned (its panel showed the outcome): read the files again, tell the listeners. */
    private void afterCall(Result result) {
        updateButtons();
        requestRefresh();
        for (Consumer<Result> listener : resultListeners) {
            listener.accept(result);
        }
    }

    private void heapSnapshot() {
        runJob("Taking a heap snapshot (a full GC runs first; the JVM pauses while it dumps) ...",
                () -> model.createHeapSnapshot(""));
    }

    private void profile(ProfileKind kind, long millis) {
        runJob("Recording " + kind.withArticle() + " for " + Format.seconds(millis) + " ...",
                () -> model.createProfile("", kind, millis));
    }

    private void deleteSelected() {
        List<ArtifactRow> selected = table.selected();
        if (selected.isEmpty()) {
            return;
        }
        boolean oomDump = selected.stream().anyMatch(a -> "OOM_DUMP".equals(a.kind()));
        String names = selected.size() == 1 ? selected.get(0).name() : selected.size() + " files";
        int answer = JOptionPane.showConfirmDialog(this, "Delete " + names + " on the JVM's host?"
                        + (oomDump ? "\nThis includes an OOM dump: the heap of a JVM that ran out of memory." : ""),
                "Delete", JOptionPane.OK_CANCEL_OPTION, JOptionPane.WARNING_MESSAGE);
        if (answer == JOptionPane.OK_OPTION) {
            runJob("Deleting " + names + " ...", () -> model.delete(selected));
        }
    }

    private void shipSelected() {
        List<ArtifactRow> selected = table.selected();
        runJob("Asking the JVM to ship " + selected.size() + (selected.size() == 1 ? " file" : " files") + " ...",
                () -> model.ship(selected));
    }

    private void deleteAll() {
        int answer = JOptionPane.showConfirmDialog(this, "Delete every heap snapshot and profile in\n"
                        + (policyPanel.shown() == null ? "the dump directory" : policyPanel.shown().directory())
                        + "\non the JVM's host? OOM dumps are kept (delete them one by one).",
                "Delete all", JOptionPane.OK_CANCEL_OPTION, JOptionPane.WARNING_MESSAGE);
        if (answer == JOptionPane.OK_OPTION) {
            runJob("Deleting all heap snapshots and profiles ...", model::deleteAll);
        }
    }

    // ---- for the self-test and the unit tests ---------------------------------------------------------------

    JButton heapSnapshotButton() {
        return heapSnapshot;
    }

    JButton profileButton() {
        return profile.button();
    }

    ProfileControls profileControls() {
        return profile;
    }

    JButton deleteButton() {
        return delete;
    }

    JButton shipButton() {
        return ship;
    }

    String filesTitleText() {
        return filesTitle.getText();
    }

    JButton deleteAllButton() {
        return deleteAll;
    }

    JTextField durationField() {
        return profile.durationField();
    }

    JProgressBar progressBar() {
        return progress;
    }

    PolicyPanel policyPanel() {
        return policyPanel;
    }

    JButton applyButton() {
        return policyPanel.applyButton();
    }

    JTextField thresholdField() {
        return policyPanel.thresholdField();
    }

    JLabel policyMessageLabel() {
        return policyPanel.messageLabel();
    }

    JLabel messageLabel() {
        return message;
    }

    ArtifactTable table() {
        return table;
    }

    ReportPanel reportPanel() {
        return reportPanel;
    }

    SaveAction saveAction() {
        return save;
    }

    FlameGraphAction flameGraphAction() {
        return flame;
    }

    /** "Open in VisualVM", or null in JConsole. */
    OpenHereAction openHereAction() {
        return openHere;
    }

    long notificationCount() {
        return model.notificationCount();
    }

    /** The state on screen (event thread). */
    TabState shownState() {
        return shown;
    }

    /** Called on the event thread after each operation's result is shown. */
    void addResultListener(Consumer<Result> listener) {
        resultListeners.add(listener);
    }
}
