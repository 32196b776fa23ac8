package dev.oomheapdump.jconsole;

import dev.oomheapdump.jconsole.TabState.Link;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServerConnection;
import javax.swing.SwingUtilities;
import javax.swing.border.LineBorder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Swing tab (headless): buttons reach the bean, results show as readable text, and no JMX call ever runs on
 * the event thread (every call goes through a connection that records the thread it was made on).
 */
class OomHeapdumpTabTest {

    @TempDir
    Path dir;

    private BeanFixture fixture;
    private OomHeapdumpTab tab;
    private final List<String> callsOnEdt = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws Exception {
        if (tab != null) {
            tab.dispose();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    private MBeanServerConnection watched(MBeanServerConnection connection) {
        return TabTesting.observed(connection, (method, args) -> {
            if (SwingUtilities.isEventDispatchThread()) {
                callsOnEdt.add(method.getName());
            }
        });
    }

    private static <T> T onEdt(Callable<T> call) throws Exception {
        return TabTesting.onEdt(call);
    }

    private void openTab() throws Exception {
        openTab("");
    }

    private void openTab(String options) throws Exception {
        fixture = new BeanFixture(dir, true, options);
        MBeanServerConnection connection = watched(fixture.remote());
        tab = onEdt(() -> new OomHeapdumpTab(() -> connection));
        tab.connected();
        await("the tab shows the bean").atMost(Duration.ofSeconds(10))
                .until(() -> onEdt(() -> tab.shownState().link() == Link.READY && tab.heapSnapshotButton().isEnabled()));
    }

    @Test
    void aRejectedThresholdIsShownNextToItsFieldAsTheBeansMessage() throws Exception {
        openTab();

        onEdt(() -> {
            tab.thresholdField().setText("150");
            tab.applyButton().doClick();
            return null;
        });

        await("the policy message").atMost(Duration.ofSeconds(10)).until(() -> onEdt(() ->
                tab.policyMessageLabel().getText().equals("Option 'threshold' must be from 1 to 99, not 150")));
        assertInstanceOf(LineBorder.class, onEdt(() -> tab.thresholdField().getBorder()), "the field is outlined");
        assertEquals(70, fixture.bean().getThreshold());
        assertEquals(List.of(), callsOnEdt);
    }

    @Test
    void theHeapSnapshotButtonWritesAFileThatTheTableListsComplete() throws Exception {
        openTab();

        onEdt(() -> {
            tab.heapSnapshotButton().doClick();
            return tab.heapSnapshotButton().isEnabled();
        });

        await("the file is listed complete").atMost(Duration.ofSeconds(20)).until(() -> onEdt(() ->
                tab.table().rows().stream().anyMatch(a -> a.complete() && "HEAP_SNAPSHOT".equals(a.kind()))
                        && tab.heapSnapshotButton().isEnabled()));
        String message = onEdt(() -> tab.messageLabel().getText());
        assertTrue(message.contains("Heap snapshot written: " + dir.toAbsolutePath().normalize()), message);
        assertEquals(List.of(), callsOnEdt);
    }

    @Test
    void shipAsksTheJvmToShipTheSelectedSnapshotAndIsOffWithoutAStore() throws Exception {
        openTab("ship=s3://dumps/console,shipEndpoint=http://127.0.0.1:1");
        onEdt(() -> {
            tab.heapSnapshotButton().doClick();
            return null;
        });
        await("the snapshot is listed complete").atMost(Duration.ofSeconds(20)).until(() -> onEdt(() ->
                tab.table().rows().stream().anyMatch(a -> a.complete() && "HEAP_SNAPSHOT".equals(a.kind()))
                        && tab.heapSnapshotButton().isEnabled()));
        assertEquals(false, onEdt(() -> tab.shipButton().isEnabled()), "nothing selected");

        onEdt(() -> {
            tab.table().setRowSelectionInterval(0, 0);
            assertTrue(tab.shipButton().isEnabled(), tab.shipButton().getToolTipText());
            assertTrue(tab.shipButton().getToolTipText().contains("s3://dumps/console"));
            tab.shipButton().doClick();
            return null;
        });
        await("the JVM's answer").atMost(Duration.ofSeconds(20)).until(() -> onEdt(() ->
                tab.messageLabel().getText().contains("Shipping heapsnapshot-")));
        assertTrue(onEdt(() -> tab.filesTitleText()).endsWith(" · shipped to s3://dumps/console"));
        assertEquals(List.of(), callsOnEdt);
    }

    @Test
    void withoutAStoreShipStaysOffAndSaysHowToTurnItOn() throws Exception {
        openTab();
        onEdt(() -> {
            tab.heapSnapshotButton().doClick();
            return null;
        });
        await("the snapshot is listed complete").atMost(Duration.ofSeconds(20)).until(() -> onEdt(() ->
                tab.table().rows().stream().anyMatch(a -> a.complete() && "HEAP_SNAPSHOT".equals(a.kind()))));
        onEdt(() -> {
            tab.table().setRowSelectionInterval(0, 0);
            assertEquals(false, tab.shipButton().isEnabled());
            assertTrue(tab.shipButton().getToolTipText().contains("ship=s3://bucket/prefix"),
                    tab.shipButton().getToolTipText());
            return null;
        });
    }

    @Test
    void theKindChosenIsTheProfileTakenAndTheTableNamesItsFiles() throws Exception {
        openTab();

        onEdt(() -> {
            tab.profileControls().kindBox().setSelectedItem(ProfileKind.ALLOC);
            tab.durationField().setText("0.5");
            tab.profileButton().doClick();
            return null;
        });

        await("the profile is written").atMost(Duration.ofSeconds(20)).until(() -> onEdt(() ->
                tab.messageLabel().getText().contains("Allocation profile written: ")));
        String message = onEdt(() -> tab.messageLabel().getText());
        String jfr = message.substring(message.indexOf("Allocation profile written: ") + 28);
        String html = jfr.replaceFirst("\\.jfr$", ".html");
        await("the recording and its flame graph are listed").atMost(Duration.ofSeconds(10)).until(() -> onEdt(() ->
                tab.table().rows().stream().filter(a -> a.complete() && (a.path().equals(jfr) || a.path().equals(html)))
                        .count() == 2));
        assertEquals(List.of("Allocation profile", "Flame graph"), onEdt(() -> {
            List<String> kinds = new java.util.ArrayList<>();
            for (int row = 0; row < tab.table().getRowCount(); row++) {
                kinds.add(String.valueOf(tab.table().getValueAt(row, 1)));
            }
            kinds.sort(null);
            return kinds;
        }));
        assertEquals(ProfileKind.ALLOC, onEdt(() -> tab.profileControls().kind()), "the choice stays");
        assertEquals(List.of(), callsOnEdt);
    }

    @Test
    void aWallClockProfileRefusedUnderJfrShowsTheBeansReason() throws Exception {
        openTab("profiler=jfr");

        onEdt(() -> {
            tab.profileControls().kindBox().setSelectedItem(ProfileKind.WALL);
            tab.durationField().setText("1");
            tab.profileButton().doClick();
            return null;
        });

        await("the refusal").atMost(Duration.ofSeconds(10)).until(() -> onEdt(() ->
                tab.messageLabel().getText().contains("Wall-clock profile failed: ") && tab.profileButton().isEnabled()));
        String message = onEdt(() -> tab.messageLabel().getText());
        assertTrue(message.contains("Wall-clock profile failed: A wall-clock profile needs async-profiler, and profiles "
                + "here are recorded by JDK Flight Recorder (option profiler=jfr)."), message);
        assertEquals(new java.awt.Color(0xB0, 0x00, 0x00), onEdt(() -> tab.messageLabel().getForeground()),
                "shown as an error");
        assertEquals(List.of(), callsOnEdt);
    }

    @Test
    void aDurationThatIsNoNumberIsSaidAndNothingRuns() throws Exception {
        openTab();

        onEdt(() -> {
            tab.durationField().setText("soon");
            tab.profileButton().doClick();
            return null;
        });

        String message = onEdt(() -> tab.messageLabel().getText());
        assertTrue(message.endsWith("Profile duration must be a number of seconds, not 'soon'"), message);
        assertTrue(onEdt(() -> tab.profileButton().isEnabled()), "no job started");
    }
}
