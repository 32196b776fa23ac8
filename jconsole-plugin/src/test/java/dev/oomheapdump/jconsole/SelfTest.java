package dev.oomheapdump.jconsole;

import dev.oomheapdump.jconsole.TabState.Link;

import javax.imageio.ImageIO;
import javax.swing.JComponent;
import javax.swing.JLabel;
import javax.swing.JOptionPane;
import javax.swing.JTabbedPane;
import javax.swing.SwingUtilities;
import java.awt.Component;
import java.awt.Container;
import java.awt.Dimension;
import java.awt.Graphics2D;
import java.awt.Window;
import java.awt.image.BufferedImage;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * A click-through of the tab inside a real JConsole or VisualVM, for the integration tests and the README's
 * screenshots. Off unless the console runs with {@code -J-Doomheapdump.jconsole.selftest=<file.png>} (JConsole) or
 * {@code -J-Doomheapdump.visualvm.selftest=<file.png>} (VisualVM; the test jar joins the VisualVM module as a NetBeans
 * patch, and {@link SelfTestVisualVm} starts this). In JConsole it answers the "Secure connection failed, retry
 * insecurely?" sheet (the suite's port is loopback-only, without SSL). It selects the tab, runs the steps of
 * {@code -J-Doomheapdump.<console>.selftest.steps} (default {@code snapshot}), paints the console's
 * window into the PNG and prints lines starting with {@value #PREFIX} on the process's standard output,
 * ending with {@code OK} or {@code FAILED <why>}. A failure still paints the window when the tab exists (the "not
 * installed" panel, an error message), so that a failed run shows what JConsole showed. Steps, comma-separated:
 * <ul>
 *   <li>{@code snapshot}: click "Heap snapshot", wait for the file listed complete; prints {@code SNAPSHOT <path>}</li>
 *   <li>{@code profile:N[:KIND]}: choose KIND in the kind chooser ({@code CPU}, the default, {@code Wall clock},
 *   {@code Allocations}, {@code Locks}), click "Profile" for N seconds (1.5 will do), check that the progress bar
 *   moves while the job buttons are disabled, paint {@code <name>-progress.png}; prints {@code PROGRESS <label>},
 *   {@code PROFILE <path>} and {@code LISTED <name> <name>...}, the files of the profile the table lists</li>
 *   <li>{@code flame}: select the recording of the last profile, click "Open flame graph", wait for the outcome;
 *   prints {@code FLAME <the file opened>} and {@code FLAME MESSAGE <the tab's message>}</li>
 *   <li>{@code delete}: select the newest heap snapshot, click "Delete", confirm; prints {@code DELETED <path>}</li>
 *   <li>{@code analyze}: select the newest heap snapshot, click "Analyze", check that the progress bar runs while
 *   the button is disabled, wait until the report shows; prints {@code ANALYZING <label>}, {@code ANALYZED
 *   <report path>} and {@code REPORT <top suspect class> <its retained bytes>}</li>
 *   <li>{@code watch}: print {@code WATCHING}, wait until a file made by someone else is listed complete and a
 *   notification of the bean has arrived; prints {@code SEEN <path>}</li>
 *   <li>{@code reconnect}: print {@code WAITING FOR RECONNECT}, wait until JConsole loses the connection, press
 *   its "Reconnect" until the tab shows the bean again; prints {@code RECONNECTED}</li>
 *   <li>{@code save}: select the newest heap snapshot, click "Save to this computer…", choose
 *   {@code saved-<name>} beside the PNG in the file chooser, wait for the verified copy; prints {@code SAVED <path>}
 *   and the tab's message</li>
 *   <li>{@code open} (VisualVM): select the newest heap snapshot, click "Open in VisualVM", wait until VisualVM's heap
 *   viewer shows, paint {@code <name>-heapviewer.png}, bring the tab's window back; prints {@code OPENED <the local
 *   file>} and {@code OPEN MESSAGE <the tab's message>}</li>
 * </ul>
 * {@code -J-Doomheapdump.<console>.selftest.size=1000x640} sizes the window first. In VisualVM it also prints
 * {@code JAVA <java.version> <java.home>}, the JDK VisualVM runs on.
 */
final class SelfTest implements Runnable {

    static final String PROPERTY = "oomheapdump.jconsole.selftest";
    static final String VISUALVM_PROPERTY = "oomheapdump.visualvm.selftest";
    static final String PREFIX = "oom-heapdump-selftest: ";
    /** The whole click-through; an analysis starts a JVM of its own, on a host that may be busy. */
    private static final long TIMEOUT_MS = 120_000;
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    private static final AtomicReference<OomHeapdumpTab> TAB = new AtomicReference<>();
    private static final PrintStream OUT = new PrintStream(new FileOutputStream(FileDescriptor.out), true,
            StandardCharsets.UTF_8);

    private final Path png;
    private final String property;
    /** JConsole asks whether to connect without SSL; VisualVM does not. */
    private final boolean jconsole;
    /** The .jfr of the last profile step. */
    private String lastProfile;
    private final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);

    private SelfTest(Path png, String property) {
        this.png = png;
        this.property = property;
        this.jconsole = PROPERTY.equals(property);
    }

    private static OomHeapdumpTab lookForTab() {
        findTab();
        return TAB.get();
    }

    /** In JConsole. */
    static void startIfRequested() {
        startIfRequested(PROPERTY);
    }

    /** Starts the click-through when the console runs with {@code -J-D<property>=<file.png>}. */
    static void startIfRequested(String property) {
        String target = System.getProperty(property);
        if (target == null || target.isBlank() || !STARTED.compareAndSet(false, true)) {
            return;
        }
        Thread thread = new Thread(new SelfTest(Paths.get(target).toAbsolutePath(), property),
                "oom-heapdump-selftest");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Finds the plugin's tab in the console's windows once the console made it (the plugin keeps no test hook); again
     * when the console made a new one (VisualVM remakes its views when asked to reload).
     */
    private static void findTab() {
        OomHeapdumpTab known = TAB.get();
        if (known != null && known.isDisplayable()) {
            return;
        }
        try {
            javax.swing.SwingUtilities.invokeAndWait(() -> {
                for (java.awt.Window window : java.awt.Window.getWindows()) {
                    OomHeapdumpTab found = find(window);
                    if (found != null && found.isDisplayable()) {
                        TAB.set(found);
                        return;
                    }
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (InvocationTargetException e) {
            // not yet: the next look tries again
        }
    }

    private static OomHeapdumpTab find(java.awt.Component component) {
        if (component instanceof OomHeapdumpTab) {
            return (OomHeapdumpTab) component;
        }
        if (component instanceof java.awt.Container) {
            for (java.awt.Component child : ((java.awt.Container) component).getComponents()) {
                OomHeapdumpTab found = find(child);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    @Override
    public void run() {
        String failure = null;
        try {
            say("started; the screenshot goes to " + png);
            if (!jconsole) {
                say("JAVA " + System.getProperty("java.version") + " " + System.getProperty("java.home"));
            }
            clickThrough();
        } catch (Throwable e) {
            Throwable cause = e instanceof InvocationTargetException || e instanceof ExecutionException ? e.getCause() : e;
            failure = String.valueOf(cause);
        }
        OomHeapdumpTab tab = TAB.get();
        if (tab != null) {
            try {
                // JConsole keeps its "Connecting" sheet up for two seconds at least
                long sheetDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                waitFor(() -> onEdt(SelfTest::noSheetShowing), "JConsole's connection sheet is gone", sheetDeadline);
                onEdt(() -> select(tab));
                onEdt(() -> screenshot(tab, png));
                say("SCREENSHOT " + png);
            } catch (Throwable e) {
                failure = failure != null ? failure : "no screenshot: " + e;
            }
        }
        say(failure == null ? "OK" : "FAILED " + failure);
    }

    private void clickThrough() throws Exception {
        awaitReady(3);
        OomHeapdumpTab tab = TAB.get();
        onEdt(() -> select(tab));
        onEdt(() -> resize(tab));
        for (String step : System.getProperty(property + ".steps", "snapshot").split(",")) {
            String[] words = step.trim().split(":");
            switch (words[0]) {
                case "snapshot":
                    snapshot(tab);
                    break;
                case "profile":
                    profile(tab, words.length > 1 ? words[1] : "2", words.length > 2 ? words[2] : "CPU");
                    break;
                case "flame":
                    flame(tab);
                    break;
                case "delete":
                    delete(tab);
                    break;
                case "analyze":
                    analyze(tab);
                    break;
                case "watch":
                    watch(tab);
                    break;
                case "reconnect":
                    reconnect(tab);
                    break;
                case "save":
                    save(tab);
                    break;
                case "open":
                    openHere(tab);
                    break;
                default:
                    throw new IllegalArgumentException("unknown self-test step '" + step + "'");
            }
        }
    }

    /** Waits until the tab shows the bean, answering at most {@code answers} of JConsole's connection sheets. */
    private void awaitReady(int answers) throws Exception {
        int answered = 0;
        while (lookForTab() == null || onEdt(() -> TAB.get().shownState().link()) != Link.READY) {
            checkDeadline(() -> "the tab did not show the bean; tab state: "
                    + (TAB.get() == null ? "no tab yet" : onEdt(() -> TAB.get().shownState()).toString()), deadline);
            if (TAB.get() != null && onEdt(() -> TAB.get().shownState().link()) == Link.NOT_INSTALLED) {
                throw new IllegalStateException("the tab says the oom-heapdump agent is not installed in this JVM");
            }
            String answer = jconsole ? onEdt(SelfTest::answerConnectionQuestion) : null;
            if (answer != null) {
                say("answered JConsole's question '" + answer + "'");
                if (++answered > answers) {
                    throw new IllegalStateException("JConsole keeps failing to connect: " + answer);
                }
            }
            TimeUnit.MILLISECONDS.sleep(answer == null ? 100 : 500);
        }
    }

    private void snapshot(OomHeapdumpTab tab) throws Exception {
        waitFor(() -> onEdt(() -> tab.heapSnapshotButton().isEnabled()), "the Heap snapshot button is enabled", deadline);
        CompletableFuture<Result> result = new CompletableFuture<>();
        tab.addResultListener(result::complete);
        long start = System.nanoTime();
        onEdt(() -> {
            tab.heapSnapshotButton().doClick();
            return null;
        });
        say("clicked Heap snapshot");
        Result outcome = result.get(remainingMillis(), TimeUnit.MILLISECONDS);
        if (!outcome.ok()) {
            throw new IllegalStateException("the tab shows: " + outcome.message());
        }
        say("SNAPSHOT " + outcome.path() + " (" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms)");
        waitFor(() -> onEdt(() -> tab.table().rows().stream()
                .anyMatch(a -> a.path().equals(outcome.path()) && a.complete())), "the table lists it complete", deadline);
    }

    /** Selects the newest complete heap snapshot in the table (rows are newest first) and returns its path. */
    private static String selectNewestSnapshot(OomHeapdumpTab tab, String what) {
        List<TabState.ArtifactRow> rows = tab.table().rows();
        for (int i = 0; i < rows.size(); i++) {
            if ("HEAP_SNAPSHOT".equals(rows.get(i).kind()) && rows.get(i).complete()) {
                tab.table().setRowSelectionInterval(i, i);
                return rows.get(i).path();
            }
        }
        throw new IllegalStateException("no heap snapshot to " + what);
    }

    /** Selects the newest heap snapshot, clicks "Delete", confirms, and waits until it is gone from the table. */
    private void delete(OomHeapdumpTab tab) throws Exception {
        waitFor(() -> onEdt(() -> tab.heapSnapshotButton().isEnabled()), "the buttons are enabled", deadline);
        String path = onEdt(() -> selectNewestSnapshot(tab, "delete"));
        CompletableFuture<Result> result = new CompletableFuture<>();
        tab.addResultListener(result::complete);
        // the confirmation is modal: click later, then answer it from here
        SwingUtilities.invokeLater(() -> tab.deleteButton().doClick());
        say("clicked Delete on " + path);
        AtomicReference<String> question = new AtomicReference<>();
        waitFor(() -> onEdt(() -> {
            for (Window window : Window.getWindows()) {
                JOptionPane pane = find(window, JOptionPane.class);
                if (pane != null && pane.isShowing() && pane.getOptionType() == JOptionPane.OK_CANCEL_OPTION) {
                    question.set(String.valueOf(pane.getMessage()).replace('\n', ' '));
                    pane.setValue(JOptionPane.OK_OPTION);
                    return true;
                }
            }
            return false;
        }), "the confirmation shows", deadline);
        say("confirmed '" + question.get() + "'");
        Result outcome = result.get(remainingMillis(), TimeUnit.MILLISECONDS);
        if (!outcome.ok()) {
            throw new IllegalStateException("the tab shows: " + outcome.message());
        }
        waitFor(() -> onEdt(() -> tab.table().rows().stream().noneMatch(a -> a.path().equals(path))),
                "the table no longer lists it", deadline);
        say("DELETED " + path);
    }

    /** Selects the newest heap snapshot, clicks "Analyze" and waits until its report shows in the panel. */
    private void analyze(OomHeapdumpTab tab) throws Exception {
        ReportPanel panel = tab.reportPanel();
        String path = onEdt(() -> selectNewestSnapshot(tab, "analyze"));
        waitFor(() -> onEdt(() -> panel.analyzeButton().isEnabled()), "the Analyze button is enabled", deadline);
        CompletableFuture<Result> result = new CompletableFuture<>();
        tab.addResultListener(result::complete);
        String running = onEdt(() -> {
            panel.analyzeButton().doClick();
            if (!panel.progressBar().isVisible() || !panel.progressBar().isIndeterminate()
                    || panel.analyzeButton().isEnabled()) {
                throw new IllegalStateException("no running progress bar, or Analyze still enabled, after the click");
            }
            return panel.progressBar().getString();
        });
        say("clicked Analyze on " + path);
        say("ANALYZING " + running);
        Result outcome = result.get(remainingMillis(), TimeUnit.MILLISECONDS);
        if (!outcome.ok()) {
            throw new IllegalStateException("the tab shows: " + outcome.message());
        }
        say("ANALYZED " + outcome.path());
        String dumpName = Paths.get(path).getFileName().toString();
        waitFor(() -> onEdt(() -> panel.shownReport().map(r -> r.file().endsWith(dumpName)).orElse(false)),
                "the report of " + dumpName + " shows", deadline);
        AnalysisReport report = onEdt(() -> panel.shownReport().orElseThrow());
        if (report.suspects().isEmpty() || report.histogram().isEmpty()) {
            throw new IllegalStateException("the report shows no suspects or no classes: " + report);
        }
        if (onEdt(() -> panel.progressBar().isVisible() || !panel.analyzeButton().isEnabled())) {
            throw new IllegalStateException("the progress bar stays, or Analyze stays disabled, after the report");
        }
        AnalysisReport.Suspect top = report.suspects().get(0);
        say("REPORT " + top.className() + " " + top.retainedBytes());
    }

    /**
     * Selects the newest heap snapshot, clicks "Save to this computer…", answers the file chooser with a file beside
     * the PNG, and waits for the save's outcome.
     */
    private void save(OomHeapdumpTab tab) throws Exception {
        waitFor(() -> onEdt(() -> tab.heapSnapshotButton().isEnabled()), "the buttons are enabled", deadline);
        String path = onEdt(() -> selectNewestSnapshot(tab, "save"));
        waitFor(() -> onEdt(() -> tab.saveAction().button().isEnabled()), "Save to this computer is enabled", deadline);
        Path target = png.resolveSibling("saved-" + Paths.get(path).getFileName());
        CompletableFuture<Result> result = new CompletableFuture<>();
        tab.addResultListener(result::complete);
        // the chooser is modal: click later, then answer it from here
        SwingUtilities.invokeLater(() -> tab.saveAction().button().doClick());
        say("clicked Save to this computer on " + path);
        waitFor(() -> onEdt(() -> {
            for (Window window : Window.getWindows()) {
                javax.swing.JFileChooser chooser = find(window, javax.swing.JFileChooser.class);
                if (chooser != null && chooser.isShowing()) {
                    chooser.setSelectedFile(target.toFile());
                    chooser.approveSelection();
                    return true;
                }
            }
            return false;
        }), "the file chooser shows", deadline);
        say("chose " + target);
        Result outcome = result.get(remainingMillis(), TimeUnit.MILLISECONDS);
        if (!outcome.ok()) {
            throw new IllegalStateException("the tab shows: " + outcome.message());
        }
        if (onEdt(() -> tab.saveAction().progressPanel().isVisible())) {
            throw new IllegalStateException("the save's progress bar stays after the save");
        }
        say("SAVED " + outcome.path());
        say("SAVE MESSAGE " + outcome.message());
    }

    /**
     * Selects the newest heap snapshot, clicks "Open in VisualVM", waits for the outcome and for VisualVM's heap viewer,
     * paints it, and brings the tab's window back to the front.
     */
    private void openHere(OomHeapdumpTab tab) throws Exception {
        OpenHereAction action = tab.openHereAction();
        if (action == null) {
            throw new IllegalStateException("this console has no button that opens files in it");
        }
        waitFor(() -> onEdt(() -> tab.heapSnapshotButton().isEnabled()), "the buttons are enabled", deadline);
        String path = onEdt(() -> selectNewestSnapshot(tab, "open"));
        waitFor(() -> onEdt(() -> action.button().isEnabled()), action.button().getText() + " is enabled", deadline);
        CompletableFuture<Result> result = new CompletableFuture<>();
        tab.addResultListener(result::complete);
        onEdt(() -> {
            action.button().doClick();
            return null;
        });
        say("clicked " + action.button().getText() + " on " + path);
        Result outcome = result.get(remainingMillis(), TimeUnit.MILLISECONDS);
        if (!outcome.ok()) {
            throw new IllegalStateException("the tab shows: " + outcome.message());
        }
        say("OPENED " + outcome.path());
        say("OPEN MESSAGE " + outcome.message());
        waitFor(() -> onEdt(SelfTest::heapViewerShowing), "VisualVM's heap viewer shows the dump", deadline);
        Path viewerPng = png.resolveSibling(png.getFileName().toString().replaceFirst("(\\.png)?$", "-heapviewer.png"));
        onEdt(() -> screenshot(tab, viewerPng));
        say("SCREENSHOT " + viewerPng);
        onEdt(() -> bringToFront(tab));
        waitFor(() -> onEdt(tab::isShowing), "the tab's window is in front again", deadline);
    }

    /**
     * VisualVM's heap viewer shows the dump read: its component ({@code HeapViewerComponent}, which VisualVM makes once
     * it has opened the file) no longer holds only its "Opening heap dump..." label but its toolbar and views.
     */
    private static boolean heapViewerShowing() {
        for (Window window : Window.getWindows()) {
            Component viewer = window.isShowing() ? findShowing(window, HEAP_VIEWER) : null;
            if (viewer instanceof Container && ((Container) viewer).getComponentCount() > 0
                    && !(((Container) viewer).getComponent(0) instanceof JLabel)) {
                return true;
            }
        }
        return false;
    }

    private static final String HEAP_VIEWER = "org.graalvm.visualvm.heapviewer.ui.HeapViewerComponent";

    private static Component findShowing(Component component, String className) {
        if (component.isShowing() && component.getClass().getName().equals(className)) {
            return component;
        }
        if (component instanceof Container) {
            for (Component child : ((Container) component).getComponents()) {
                Component found = findShowing(child, className);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /**
     * Activates the NetBeans window (TopComponent) that holds the tab, as a click on its title does; by reflection, the
     * module has no dependency on the window system.
     */
    private static Void bringToFront(JComponent tab) throws Exception {
        for (Container parent = tab.getParent(); parent != null; parent = parent.getParent()) {
            for (Class<?> type = parent.getClass(); type != null; type = type.getSuperclass()) {
                if ("org.openide.windows.TopComponent".equals(type.getName())) {
                    type.getMethod("requestActive").invoke(parent);
                    return null;
                }
            }
        }
        throw new IllegalStateException("the tab is in no NetBeans window");
    }

    /** Waits for a file someone else makes to show up, carried by a notification (the periodic poll is slower). */
    private void watch(OomHeapdumpTab tab) throws Exception {
        long notifications = tab.notificationCount();
        Set<String> known = onEdt(() -> tab.table().rows().stream().map(TabState.ArtifactRow::path)
                .collect(Collectors.toSet()));
        say("WATCHING");
        AtomicReference<String> seen = new AtomicReference<>();
        waitFor(() -> onEdt(() -> {
            tab.table().rows().stream().filter(a -> a.complete() && !known.contains(a.path())).findFirst()
                    .ifPresent(a -> seen.set(a.path()));
            return seen.get() != null && tab.notificationCount() > notifications;
        }), "a new file is listed after a notification", deadline);
        say("SEEN " + seen.get());
    }

    /** Waits until JConsole loses the connection, then presses "Reconnect" until the tab shows the bean again. */
    private void reconnect(OomHeapdumpTab tab) throws Exception {
        say("WAITING FOR RECONNECT");
        waitFor(() -> onEdt(() -> tab.shownState().link() == Link.DISCONNECTED), "JConsole loses the connection",
                deadline);
        say("DISCONNECTED: " + onEdt(() -> tab.shownState().problem()));
        awaitReady(20);
        waitFor(() -> onEdt(() -> tab.heapSnapshotButton().isEnabled()), "the buttons are back", deadline);
        say("RECONNECTED");
    }

    /**
     * Chooses the kind, clicks "Profile", checks the progress bar moves while the job buttons are off, and waits for
     * the file.
     */
    private void profile(OomHeapdumpTab tab, String seconds, String kind) throws Exception {
        waitFor(() -> onEdt(() -> tab.profileButton().isEnabled()), "the Profile button is enabled", deadline);
        CompletableFuture<Result> result = new CompletableFuture<>();
        tab.addResultListener(result::complete);
        onEdt(() -> {
            tab.profileControls().kindBox().setSelectedItem(ProfileKind.of(kind));
            tab.durationField().setText(seconds);
            tab.profileButton().doClick();
            return null;
        });
        say("clicked Profile, " + kind + ", for " + seconds + " s");
        waitFor(() -> onEdt(() -> tab.progressBar().isVisible() && !tab.progressBar().isIndeterminate()
                && tab.progressBar().getValue() >= 300), "the progress bar moves to 30%", deadline);
        if (onEdt(() -> tab.heapSnapshotButton().isEnabled() || tab.profileButton().isEnabled()
                || tab.deleteAllButton().isEnabled())) {
            throw new IllegalStateException("a job button is enabled while the profile runs");
        }
        say("PROGRESS " + onEdt(() -> tab.progressBar().getString()));
        Path progressPng = png.resolveSibling(png.getFileName().toString().replaceFirst("(\\.png)?$", "-progress.png"));
        onEdt(() -> screenshot(tab, progressPng));
        say("SCREENSHOT " + progressPng);
        Result outcome = result.get(remainingMillis(), TimeUnit.MILLISECONDS);
        if (!outcome.ok()) {
            throw new IllegalStateException("the tab shows: " + outcome.message());
        }
        say("PROFILE " + outcome.path());
        lastProfile = outcome.path();
        waitFor(() -> onEdt(() -> tab.table().rows().stream()
                .anyMatch(a -> a.path().equals(outcome.path()) && a.complete())), "the table lists it complete", deadline);
        waitFor(() -> onEdt(() -> !tab.progressBar().isVisible() && tab.heapSnapshotButton().isEnabled()),
                "the progress bar is gone and the buttons are back", deadline);
        String base = FlameGraphs.basePath(onEdt(() -> tab.table().rows().stream()
                .filter(a -> a.path().equals(outcome.path())).findFirst().orElseThrow()));
        say("LISTED " + onEdt(() -> tab.table().rows().stream().filter(a -> base.equals(FlameGraphs.basePath(a))
                && a.complete()).map(TabState.ArtifactRow::name).sorted().collect(Collectors.joining(" "))));
    }

    /** Selects the recording of the last profile, clicks "Open flame graph" and waits for the outcome. */
    private void flame(OomHeapdumpTab tab) throws Exception {
        if (lastProfile == null) {
            throw new IllegalStateException("no profile step before flame");
        }
        onEdt(() -> {
            List<TabState.ArtifactRow> rows = tab.table().rows();
            for (int i = 0; i < rows.size(); i++) {
                if (rows.get(i).path().equals(lastProfile)) {
                    tab.table().setRowSelectionInterval(i, i);
                    return null;
                }
            }
            throw new IllegalStateException(lastProfile + " is not listed");
        });
        waitFor(() -> onEdt(() -> tab.flameGraphAction().button().isEnabled()), "Open flame graph is enabled", deadline);
        CompletableFuture<Result> result = new CompletableFuture<>();
        tab.addResultListener(result::complete);
        onEdt(() -> {
            tab.flameGraphAction().button().doClick();
            return null;
        });
        say("clicked Open flame graph on " + lastProfile);
        Result outcome = result.get(remainingMillis(), TimeUnit.MILLISECONDS);
        if (!outcome.ok()) {
            throw new IllegalStateException("the tab shows: " + outcome.message());
        }
        if (onEdt(() -> tab.saveAction().progressPanel().isVisible())) {
            throw new IllegalStateException("the fetch's progress bar stays after the flame graph opened");
        }
        say("FLAME " + outcome.path());
        say("FLAME MESSAGE " + outcome.message());
    }

    /** Presses the first button of JConsole's connection sheet: "Insecure connection" (or "Connect" again). */
    private static String answerConnectionQuestion() {
        for (Window window : Window.getWindows()) {
            JOptionPane pane = find(window, JOptionPane.class);
            if (pane != null && pane.isShowing() && pane.getOptions() != null && pane.getOptions().length == 2
                    && pane.getOptions()[0] instanceof String && pane.getValue() == JOptionPane.UNINITIALIZED_VALUE) {
                Object option = pane.getOptions()[0];
                String text = pane.getMessage() instanceof JLabel ? ((JLabel) pane.getMessage()).getText()
                        : Objects.toString(pane.getMessage());
                pane.setValue(option);
                return text.replaceAll("<[^>]*>", " ").replaceAll("\\s+", " ").trim() + "' -> '" + option;
            }
        }
        return null;
    }

    private static boolean noSheetShowing() {
        for (Window window : Window.getWindows()) {
            JOptionPane pane = find(window, JOptionPane.class);
            if (pane != null && pane.isShowing()) {
                return false;
            }
        }
        return true;
    }

    private static <T> T find(Component component, Class<T> type) {
        if (type.isInstance(component)) {
            return type.cast(component);
        }
        if (component instanceof Container) {
            for (Component child : ((Container) component).getComponents()) {
                T found = find(child, type);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static Void select(JComponent tab) {
        Component child = tab;
        for (Container parent = tab.getParent(); parent != null; parent = parent.getParent()) {
            if (parent instanceof JTabbedPane) {
                ((JTabbedPane) parent).setSelectedComponent(child);
                return null;
            }
            child = parent;
        }
        throw new IllegalStateException("the tab is not in a JTabbedPane");
    }

    /** Sizes the window as asked, early: JConsole lays out its maximized inner frame on a later event. */
    private Void resize(JComponent tab) {
        String size = System.getProperty(property + ".size", "");
        Window window = SwingUtilities.getWindowAncestor(tab);
        if (window != null && size.matches("\\d+x\\d+")) {
            String[] wh = size.split("x");
            window.setSize(new Dimension(Integer.parseInt(wh[0]), Integer.parseInt(wh[1])));
            window.validate();
        }
        return null;
    }

    private static Void screenshot(JComponent tab, Path png) throws IOException {
        Window window = SwingUtilities.getWindowAncestor(tab);
        if (window == null) {
            throw new IllegalStateException("the tab is not in a window");
        }
        Container root = SwingUtilities.getRootPane(window);
        BufferedImage image = new BufferedImage(root.getWidth(), root.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            root.paint(g);
        } finally {
            g.dispose();
        }
        Files.createDirectories(png.toAbsolutePath().getParent());
        if (!ImageIO.write(image, "png", png.toFile())) {
            throw new IOException("no PNG writer");
        }
        return null;
    }

    private static void waitFor(BooleanSupplier condition, String what, long until) throws Exception {
        while (!condition.getAsBoolean()) {
            checkDeadline(() -> "timed out waiting until " + what, until);
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    private static void checkDeadline(Callable<String> why, long until) throws Exception {
        if (System.nanoTime() > until) {
            throw new TimeoutException(why.call());
        }
    }

    private long remainingMillis() {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    private static <T> T onEdt(Callable<T> call) {
        AtomicReference<T> value = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        try {
            SwingUtilities.invokeAndWait(() -> {
                try {
                    value.set(call.call());
                } catch (Exception e) {
                    failure.set(e);
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(e.getCause());
        }
        if (failure.get() != null) {
            throw new IllegalStateException(failure.get());
        }
        return value.get();
    }

    /** To the process's standard output: the jconsole launcher sends System.out to its "Output" window. */
    private static void say(String line) {
        OUT.println(PREFIX + line);
        OUT.flush();
    }
}
