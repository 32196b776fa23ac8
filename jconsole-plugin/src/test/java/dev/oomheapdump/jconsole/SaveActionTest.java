package dev.oomheapdump.jconsole;

import dev.oomheapdump.jconsole.TabState.ArtifactRow;
import dev.oomheapdump.jconsole.TabState.Link;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServerConnection;
import javax.swing.SwingUtilities;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "Save to this computer…" through the real JMX source against the real bean behind a loopback RMI connector: the
 * file byte for byte with its SHA-256 verified, a progress bar and Cancel while it runs, a cancelled save resumed,
 * a refusal shown as the bean's sentence; no JMX call on the event thread.
 */
class SaveActionTest {

    /** Makes the test JVM's heap dump several reads long (the fetch reads 8 MiB at a time). */
    private static final byte[][] BALLAST = new byte[40][];

    @TempDir
    Path dir;

    @TempDir
    Path home;

    private BeanFixture fixture;
    private OomHeapdumpTab tab;
    private final AtomicInteger reads = new AtomicInteger();
    private final AtomicInteger callsOnEdt = new AtomicInteger();
    /** Reads from {@link #passing} bytes on wait here until released. */
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private volatile long passing = Long.MAX_VALUE;

    @AfterEach
    void close() throws Exception {
        java.util.Arrays.fill(BALLAST, null); // other tests analyze this JVM's heap
        gate.countDown();
        if (tab != null) {
            tab.dispose();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    /** The remote connection, counting reads, holding them at the gate, noting any call on the event thread. */
    private MBeanServerConnection gated(MBeanServerConnection connection) {
        return TabTesting.observed(connection, (method, args) -> {
            if (SwingUtilities.isEventDispatchThread()) {
                callsOnEdt.incrementAndGet();
            }
            if (method.getName().equals("invoke") && "readArtifact".equals(args[1])) {
                reads.incrementAndGet();
                if ((Long) ((Object[]) args[2])[1] >= passing) {
                    gate.await(30, TimeUnit.SECONDS);
                }
            }
        });
    }

    private static <T> T onEdt(Callable<T> call) throws Exception {
        return TabTesting.onEdt(call);
    }

    private ArtifactRow openTabWithSnapshot(String name) throws Exception {
        for (int i = 0; i < BALLAST.length; i++) {
            BALLAST[i] = new byte[1 << 20];
            BALLAST[i][i] = (byte) i;
        }
        fixture = new BeanFixture(dir, true);
        fixture.bean().createHeapSnapshot(name);
        MBeanServerConnection connection = gated(fixture.remote());
        tab = onEdt(() -> new OomHeapdumpTab(() -> connection));
        tab.connected();
        await("the tab lists the snapshot").atMost(Duration.ofSeconds(10)).until(() -> onEdt(() ->
                tab.shownState().link() == Link.READY && tab.table().rows().stream().anyMatch(ArtifactRow::complete)));
        return onEdt(() -> {
            tab.table().setRowSelectionInterval(0, 0);
            return tab.table().rows().get(0);
        });
    }

    private CompletableFuture<Result> nextResult() {
        CompletableFuture<Result> result = new CompletableFuture<>();
        tab.addResultListener(r -> result.complete(r));
        return result;
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    @Test
    void theSelectedFileIsSavedByteForByteAndVerified() throws Exception {
        ArtifactRow row = openTabWithSnapshot("saved");
        assertTrue(onEdt(() -> tab.saveAction().button().isEnabled()), "enabled for one complete file");
        CompletableFuture<Result> result = nextResult();
        onEdt(() -> {
            tab.saveAction().start(row, home);
            return null;
        });
        Result outcome = result.get(60, TimeUnit.SECONDS);
        Path source = Path.of(row.path());
        Path saved = home.resolve("saved.hprof");
        assertTrue(outcome.ok(), outcome.message());
        assertEquals(saved.toString(), outcome.path());
        assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(saved));
        assertTrue(outcome.message().startsWith("Saved saved.hprof: " + Files.size(source) + " bytes in ")
                && outcome.message().endsWith("SHA-256 verified " + sha256(source)), outcome.message());
        assertTrue(onEdt(() -> tab.messageLabel().getText()).endsWith(outcome.message()), "the tab shows it");
        assertFalse(onEdt(() -> tab.saveAction().progressPanel().isVisible()), "the progress bar is gone");
        assertEquals(0, callsOnEdt.get(), "no JMX call on the event thread");
    }

    @Test
    void aCancelledSaveKeepsItsPartAndTheNextSaveResumesIt() throws Exception {
        ArtifactRow row = openTabWithSnapshot("resumed");
        long size = Files.size(Path.of(row.path()));
        assertTrue(size > 3 * (8 << 20), "several reads long: " + size);
        passing = 2L * (8 << 20);
        gate = new CountDownLatch(1);
        CompletableFuture<Result> cancelled = nextResult();
        Path target = home.resolve("copy.hprof");
        onEdt(() -> {
            tab.saveAction().start(row, target);
            return null;
        });
        int twoParts = (int) Math.round(2.0 * (8 << 20) / size * 1000);
        await("two parts written, the progress bar shows them").atMost(Duration.ofSeconds(30)).until(() -> onEdt(() ->
                tab.saveAction().progressBar().getValue() >= twoParts && tab.saveAction().progressPanel().isVisible()));
        String shown = onEdt(() -> tab.saveAction().progressBar().getString());
        assertTrue(shown.startsWith("Saving resumed.hprof: ") && shown.contains(" MB/s  ETA "), shown);
        assertFalse(onEdt(() -> tab.saveAction().button().isEnabled()), "one save at a time");
        onEdt(() -> {
            tab.saveAction().cancelButton().doClick();
            return null;
        });
        Result outcome = cancelled.get(60, TimeUnit.SECONDS); // while the third read still waits at the gate
        gate.countDown();
        assertTrue(outcome.ok() && outcome.message().startsWith("Save of resumed.hprof cancelled: fetch cancelled at "
                + "byte ") && outcome.message().endsWith("save it to the same place again to resume"), outcome.message());
        long kept = Files.size(home.resolve("copy.hprof.part"));
        assertEquals(2L * (8 << 20), kept, "the two parts written before the cancel");
        assertFalse(Files.exists(target));

        passing = Long.MAX_VALUE;
        CompletableFuture<Result> resumed = nextResult();
        onEdt(() -> {
            tab.saveAction().start(row, target);
            return null;
        });
        Result done = resumed.get(60, TimeUnit.SECONDS);
        assertTrue(done.ok() && done.message().contains(", resumed at byte " + kept + " to " + target), done.message());
        assertArrayEquals(Files.readAllBytes(Path.of(row.path())), Files.readAllBytes(target));
        assertEquals(List.of(target), List.of(Files.list(home).toArray(Path[]::new)), "no part, no record left");
        assertEquals(0, callsOnEdt.get());
    }

    @Test
    void anExistingFileIsNotOverwrittenAndTheRefusalIsShown() throws Exception {
        ArtifactRow row = openTabWithSnapshot("taken");
        Path target = Files.writeString(home.resolve("taken.hprof"), "mine");
        CompletableFuture<Result> result = nextResult();
        onEdt(() -> {
            tab.saveAction().start(row, home);
            return null;
        });
        Result outcome = result.get(60, TimeUnit.SECONDS);
        assertFalse(outcome.ok());
        assertEquals("Cannot save taken.hprof: '" + target + "' exists; nothing is overwritten: choose another file or "
                + "delete it first", outcome.message());
        assertEquals("mine", Files.readString(target));
        assertEquals(0, reads.get(), "not a byte was read");
    }
}
