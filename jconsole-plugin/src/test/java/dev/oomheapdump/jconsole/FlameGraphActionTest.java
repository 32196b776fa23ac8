package dev.oomheapdump.jconsole;

import dev.oomheapdump.jconsole.TabState.ArtifactRow;
import dev.oomheapdump.jconsole.TabState.Link;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServerConnection;
import javax.swing.SwingUtilities;
import java.awt.Color;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * "Open flame graph" in the tab against the real bean behind a loopback RMI connector, with a browser (system
 * property {@value Browser#PROPERTY}) that records what it was given: the JVM's flame graph byte for byte, verified;
 * one made here when the JVM made none; the path shown when no browser opens; no JMX call on the event thread.
 */
class FlameGraphActionTest {

    @TempDir
    Path dir;

    @TempDir
    Path browserDir;

    private BeanFixture fixture;
    private OomHeapdumpTab tab;
    private final AtomicInteger reads = new AtomicInteger();
    private final AtomicInteger callsOnEdt = new AtomicInteger();

    @BeforeEach
    void posix() {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "a shell script browser");
    }

    @AfterEach
    void close() throws Exception {
        System.clearProperty(Browser.PROPERTY);
        if (tab != null) {
            tab.dispose();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    /** A browser that copies the file it gets to {@code opened.html}, notes its argument, and exits with status. */
    private void browser(int status) throws Exception {
        Path script = browserDir.resolve("browser");
        Files.writeString(script, "#!/bin/sh\ncp \"$1\" '" + browserDir.resolve("opened.html") + "'\nprintf '%s\\n' \"$1\" >> '"
                + browserDir.resolve("args.txt") + "'\n" + (status == 0 ? "" : "echo 'cannot open display' >&2\n")
                + "exit " + status + "\n");
        assertTrue(script.toFile().setExecutable(true));
        System.setProperty(Browser.PROPERTY, script.toString());
    }

    private List<String> opened() throws Exception {
        Path args = browserDir.resolve("args.txt");
        return Files.exists(args) ? Files.readAllLines(args) : List.of();
    }

    private static <T> T onEdt(Callable<T> call) throws Exception {
        return TabTesting.onEdt(call);
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    /** Takes an allocation profile, opens the tab and selects the recording; returns its path on the host. */
    private Path openTabWithProfile(String options) throws Exception {
        fixture = new BeanFixture(dir, true, options);
        Path jfr = Paths.get(fixture.bean().createProfile("p", "alloc", 300));
        MBeanServerConnection connection = TabTesting.observed(fixture.remote(), (method, args) -> {
            if (SwingUtilities.isEventDispatchThread()) {
                callsOnEdt.incrementAndGet();
            }
            if (method.getName().equals("invoke") && "readArtifact".equals(args[1])) {
                reads.incrementAndGet();
            }
        });
        tab = onEdt(() -> new OomHeapdumpTab(() -> connection));
        tab.connected();
        await("the tab lists the profile").atMost(Duration.ofSeconds(10)).until(() -> onEdt(() ->
                tab.shownState().link() == Link.READY && tab.table().rows().stream()
                        .anyMatch(a -> a.path().equals(jfr.toString()) && a.complete())));
        onEdt(() -> {
            List<ArtifactRow> rows = tab.table().rows();
            for (int i = 0; i < rows.size(); i++) {
                if (rows.get(i).path().equals(jfr.toString())) {
                    tab.table().setRowSelectionInterval(i, i);
                }
            }
            return null;
        });
        return jfr;
    }

    private Result clickOpen() throws Exception {
        CompletableFuture<Result> result = new CompletableFuture<>();
        tab.addResultListener(result::complete);
        assertTrue(onEdt(() -> tab.flameGraphAction().button().isEnabled()), "Open flame graph is enabled");
        onEdt(() -> {
            tab.flameGraphAction().button().doClick();
            return null;
        });
        return result.get(60, TimeUnit.SECONDS);
    }

    @Test
    void theJvmsFlameGraphIsFetchedVerifiedIntoAPrivateFolderAndOpened() throws Exception {
        browser(0);
        Path jfr = openTabWithProfile("");
        Path html = jfr.resolveSibling("p.html");
        assertTrue(Files.exists(html), "the JVM made a flame graph");

        Result outcome = clickOpen();

        assertTrue(outcome.ok(), outcome.message());
        Path local = Paths.get(outcome.path());
        assertEquals(List.of(local.toString()), opened(), "the browser got the local file");
        assertEquals("p.html", local.getFileName().toString());
        assertArrayEquals(Files.readAllBytes(html), Files.readAllBytes(browserDir.resolve("opened.html")));
        assertTrue(outcome.message().startsWith("Opened p.html with " + System.getProperty(Browser.PROPERTY) + ": ")
                && outcome.message().endsWith("SHA-256 verified " + sha256(html)), outcome.message());
        assertTrue(onEdt(() -> tab.messageLabel().getText()).endsWith(outcome.message()), "the tab shows it");
        for (Path folder : List.of(local.getParent(), local.getParent().getParent())) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)),
                    "private: " + folder);
        }
        assertFalse(onEdt(() -> tab.saveAction().progressPanel().isVisible()), "the progress bar is gone");
        int readsBefore = reads.get();
        assertTrue(readsBefore > 0);

        Result again = clickOpen();

        assertTrue(again.ok() && again.message().startsWith("Opened p.html with ")
                && again.message().endsWith(": again, " + local), again.message());
        assertEquals(readsBefore, reads.get(), "not fetched twice");
        assertEquals(2, opened().size());
        assertEquals(0, callsOnEdt.get(), "no JMX call on the event thread");
    }

    @Test
    void withoutAFlameGraphOnTheHostOneIsMadeHereFromTheRecording() throws Exception {
        browser(0);
        Path jfr = openTabWithProfile("profileFormats=jfr");
        assertFalse(Files.exists(jfr.resolveSibling("p.html")), "the JVM made no flame graph");

        Result outcome = clickOpen();

        assertTrue(outcome.ok(), outcome.message());
        Path local = Paths.get(outcome.path());
        assertTrue(outcome.message().startsWith("Opened p.html with " + System.getProperty(Browser.PROPERTY)
                + ": made here from p.jfr (the JVM made no flame graph) to " + local + "; p.jfr: ")
                && outcome.message().endsWith("SHA-256 verified " + sha256(jfr)), outcome.message());
        assertEquals(List.of(local.toString()), opened());
        String page = Files.readString(browserDir.resolve("opened.html"));
        assertTrue(page.strip().endsWith("</html>") && page.contains("(made in JConsole)"), "a complete flame graph");
        try (var files = Files.list(local.getParent())) {
            assertEquals(List.of(local), files.toList(), "the fetched recording is deleted");
        }
        assertEquals(0, callsOnEdt.get(), "no JMX call on the event thread");
    }

    @Test
    void whenNoBrowserOpensItTheTabShowsWhereTheFileIs() throws Exception {
        browser(3);
        openTabWithProfile("");

        Result outcome = clickOpen();

        assertFalse(outcome.ok());
        Path local = Paths.get(outcome.path());
        assertTrue(Files.isRegularFile(local), "the file is there to open by hand");
        assertEquals("No browser opened " + local + ": " + System.getProperty(Browser.PROPERTY) + " exited with "
                + "status 3: cannot open display; open it yourself", outcome.message());
        assertTrue(onEdt(() -> tab.messageLabel().getText()).endsWith(outcome.message()));
        assertEquals(new Color(0xB0, 0x00, 0x00), onEdt(() -> tab.messageLabel().getForeground()), "as an error");
    }

    @Test
    void theButtonIsForTheFilesOfOneProfile() throws Exception {
        browser(0);
        Path jfr = openTabWithProfile("");
        fixture.bean().createHeapSnapshot("dump");
        await("the snapshot is listed").atMost(Duration.ofSeconds(10)).until(() -> onEdt(() ->
                tab.table().rows().stream().anyMatch(a -> a.heapDump() && a.complete())));

        for (String name : List.of("p.html", "p.jfr")) {
            assertTrue(onEdt(() -> select(name)), name + ": enabled");
        }
        assertFalse(onEdt(() -> select("dump.hprof")), "a heap snapshot has no flame graph");
        assertFalse(onEdt(() -> {
            tab.table().selectAll();
            return tab.flameGraphAction().button().isEnabled();
        }), "a profile and a snapshot");
        assertTrue(jfr.toFile().exists());
    }

    /** Selects the one row of that name; returns whether Open flame graph is enabled then. */
    private boolean select(String name) {
        List<ArtifactRow> rows = tab.table().rows();
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).name().equals(name)) {
                tab.table().setRowSelectionInterval(i, i);
            }
        }
        return tab.flameGraphAction().button().isEnabled();
    }
}
