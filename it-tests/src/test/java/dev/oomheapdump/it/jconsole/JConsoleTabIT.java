package dev.oomheapdump.it.jconsole;

import dev.oomheapdump.core.format.HprofFile;
import dev.oomheapdump.it.ChildJvm;
import dev.oomheapdump.it.ChildOutputOnFailure;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plugin in a real JConsole, in a private Xvfb display, connected to a child JVM over its loopback port:
 * the tab is selected and its "Heap snapshot" button clicked, then the file must exist on disk, be a complete
 * HPROF file and be listed by the bean; then "CPU profile" for 2 s, whose progress bar must move while the job
 * buttons are disabled; then a second snapshot is deleted with "Delete" and its confirmation; then the first is
 * analyzed with "Analyze", and the top suspect the report panel shows must be the one of the report JSON on disk
 * (the child, {@link HoardApp}, holds a known hoard); then it is saved with "Save to this computer…" through the file
 * chooser, and the copy must be the snapshot byte for byte, its SHA-256 verified. PNGs of the JConsole window are kept
 * in {@code target/}. Another run chooses "Allocations" in the kind chooser, takes a short profile and opens it with
 * "Open flame graph" in a "browser" (a script named by {@code -J-Doomheapdump.browser}) that keeps a copy of what
 * it was given: the JVM's flame graph, byte for byte. A JVM whose profiles have no flame graph
 * ({@code profileFormats=jfr}) gets one made in JConsole, by the converter the plugin jar carries.
 * The negative twin
 * connects JConsole to a JVM without the agent and expects the "not installed" panel. A third run replaces the
 * JVM behind the port: after JConsole's "Reconnect", files made by the new JVM must reach the tab by notification.
 *
 * <p>JConsole runs in its own process, so the clicking is done from inside it: the plugin's self-test, switched
 * on with {@code -J-Doomheapdump.jconsole.selftest=<png>}, answers JConsole's "retry insecurely?" sheet (the
 * suite's port has no SSL), selects the tab, calls {@code doClick()} on the button on the event thread, waits for
 * the result, paints the window into the PNG and prints {@code oom-heapdump-selftest: OK} or
 * {@code ... FAILED <why>} on standard output.
 */
@ExtendWith(ChildOutputOnFailure.class)
class JConsoleTabIT {

    private static final String SELFTEST = "oom-heapdump-selftest: ";
    /** The first suspect of a report: its class, retained bytes and path (the report's JSON as the suite writes it). */
    private static final Pattern TOP_SUSPECT = Pattern.compile("\"suspects\"\\s*:\\s*\\[\\s*\\{\\s*\"class\"\\s*:\\s*"
            + "\"([^\"]*)\".*?\"retainedBytes\"\\s*:\\s*(\\d+).*?\"path\"\\s*:\\s*\\[([^\\]]*)\\]", Pattern.DOTALL);

    @TempDir
    Path dir;

    /** This computer's side: the browser script and what it was given. */
    @TempDir
    Path local;

    static Path pluginJar() {
        return Paths.get(System.getProperty("oomheapdump.jconsolePluginJar",
                "../jconsole-plugin/target/oom-heapdump-jconsole-plugin.jar")).toAbsolutePath().normalize();
    }

    @Test
    void theHeapSnapshotButtonWritesACompleteSnapshotThatTheBeanListsAndAnalyzeShowsItsReport() throws Exception {
        Path png = Paths.get("target", "jconsole-tab.png").toAbsolutePath();
        try (Xvfb xvfb = Xvfb.start();
             ChildJvm child = ChildJvm.builder().heap("64m").agent("").directory(dir)
                     .mainClass(HoardApp.class.getName()).start()) {
            MBeanServerConnection bean = child.connect();
            try (Spawned console = selfTest(xvfb, child, png, "-J-Doomheapdump.jconsole.selftest.size=1200x960",
                    "-J-Doomheapdump.jconsole.selftest.steps=snapshot,profile:2,snapshot,delete,analyze,save")) {
                assertTrue(console.line(SELFTEST + "OK").isPresent(), console.output());

                String line = console.line(SELFTEST + "SNAPSHOT ").orElseThrow(() -> new AssertionError(console.output()));
                Path snapshot = Paths.get(line.substring((SELFTEST + "SNAPSHOT ").length()).replaceAll(" \\(\\d+ ms\\)$", ""));
                assertEquals(dir.toRealPath(), snapshot.getParent().toRealPath(), "written in the agent's directory");
                assertTrue(Files.isRegularFile(snapshot), snapshot + " exists");
                HprofFile.Check check = HprofFile.check(snapshot);
                assertTrue(check.complete(), check.toString());
                String[] listed = (String[]) bean.getAttribute(new ObjectName(ChildJvm.OBJECT_NAME), "HeapSnapshots");
                assertTrue(Arrays.asList(listed).contains(snapshot.toString()),
                        "the bean lists it complete: " + Arrays.toString(listed));

                String progress = console.line(SELFTEST + "PROGRESS ").orElseThrow(() -> new AssertionError(console.output()));
                assertTrue(progress.contains("Recording the CPU profile") && progress.endsWith(" of 2.0 s"), progress);
                String profile = console.line(SELFTEST + "PROFILE ").orElseThrow(() -> new AssertionError(console.output()))
                        .substring((SELFTEST + "PROFILE ").length());
                // the analysis step ran before this is read: its reports are not CPU profiles
                String[] profiles = (String[]) bean.getAttribute(new ObjectName(ChildJvm.OBJECT_NAME), "CpuProfiles");
                assertEquals(List.of(profile), Arrays.asList(profiles), "the bean lists the profile complete, alone");
                assertTrue(Files.size(Paths.get(profile)) > 0, profile);

                String deleted = console.line(SELFTEST + "DELETED ").orElseThrow(() -> new AssertionError(console.output()))
                        .substring((SELFTEST + "DELETED ").length());
                assertFalse(deleted.equals(snapshot.toString()), "the newest snapshot is deleted, not the first");
                assertFalse(Files.exists(Paths.get(deleted)), deleted + " is gone");
                listed = (String[]) bean.getAttribute(new ObjectName(ChildJvm.OBJECT_NAME), "HeapSnapshots");
                assertEquals(List.of(snapshot.toString()), Arrays.asList(listed), "the bean lists the first one only");

                String analyzed = console.line(SELFTEST + "ANALYZED ").orElseThrow(() -> new AssertionError(console.output()))
                        .substring((SELFTEST + "ANALYZED ").length());
                String base = snapshot.getFileName().toString().replaceFirst("\\.hprof$", "");
                assertEquals(snapshot.resolveSibling(base + ".report.json").toString(), analyzed,
                        "the report of the selected (remaining) snapshot");
                String running = console.line(SELFTEST + "ANALYZING ").orElseThrow(() -> new AssertionError(console.output()));
                assertTrue(running.contains("Analyzing " + snapshot.getFileName()) && running.endsWith(" s"), running);
                String[] shown = console.line(SELFTEST + "REPORT ").orElseThrow(() -> new AssertionError(console.output()))
                        .substring((SELFTEST + "REPORT ").length()).split(" ");
                String json = Files.readString(Paths.get(analyzed));
                Matcher top = TOP_SUSPECT.matcher(json);
                assertTrue(top.find(), "a suspect in " + json);
                assertEquals(List.of(top.group(1), top.group(2)), List.of(shown),
                        "the panel's top suspect is the report's, class and retained bytes");
                assertTrue(Long.parseLong(top.group(2)) >= (long) HoardApp.BLOCKS << 20, "it retains the hoard: " + json);
                assertTrue(top.group(3).contains("HoardApp.CACHE"), "its path names the field: " + top.group(3));

                Path saved = Paths.get(console.line(SELFTEST + "SAVED ").orElseThrow(() -> new AssertionError(
                        console.output())).substring((SELFTEST + "SAVED ").length()));
                assertEquals(png.resolveSibling("saved-" + snapshot.getFileName()), saved, "where the chooser said");
                assertTrue(Arrays.equals(Files.readAllBytes(snapshot), Files.readAllBytes(saved)),
                        "Save to this computer brought the snapshot byte for byte");
                String message = console.line(SELFTEST + "SAVE MESSAGE ").orElseThrow(() -> new AssertionError(
                        console.output()));
                assertTrue(message.endsWith("SHA-256 verified " + ChildJvm.sha256(snapshot)), message);
                assertFalse(Files.exists(Paths.get(saved + ".part")), "no part left");
                console.assertScreenshot(SELFTEST, png, 600, 400);
                console.assertScreenshot(SELFTEST, png.resolveSibling("jconsole-tab-progress.png"), 600, 400);
            }
        }
    }

    /**
     * A "browser" for {@code -J-Doomheapdump.browser}: copies the file it is given to {@code opened.html} and then
     * notes its path in {@code opened.txt}, both in {@link #local}.
     */
    private Path browser() throws IOException {
        Assumptions.assumeTrue(File.separatorChar == '/', "the browser is a shell script");
        Path script = local.resolve("browser.sh");
        Files.writeString(script, "#!/bin/sh\ncp \"$1\" '" + local.resolve("opened.html") + "' || exit 1\n"
                + "printf '%s\\n' \"$1\" >> '" + local.resolve("opened.txt") + "'\n");
        assertTrue(script.toFile().setExecutable(true), "executable " + script);
        return script;
    }

    /**
     * JConsole's temporary folder, in {@link #local}: its flame graphs are deleted when JConsole exits, and the test
     * kills it.
     */
    private String temporaryFolder() throws IOException {
        return "-J-Djava.io.tmpdir=" + Files.createDirectories(local.resolve("tmp"));
    }

    /** The file opened lies in a folder of its own in a private folder in JConsole's temporary folder. */
    private void assertPrivate(Path opened) throws IOException {
        Path root = opened.getParent().getParent();
        assertEquals(local.resolve("tmp"), root.getParent(), opened.toString());
        for (Path folder : List.of(root, opened.getParent())) {
            assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(folder)), "private: " + folder);
        }
    }

    private static String after(Spawned console, String prefix) {
        return console.line(SELFTEST + prefix).orElseThrow(() -> new AssertionError(console.output()))
                .substring((SELFTEST + prefix).length());
    }

    /** The bean's {@code Artifacts}: path to "KIND STATE". */
    private static Map<String, String> artifacts(MBeanServerConnection bean) throws Exception {
        Map<String, String> listed = new java.util.TreeMap<>();
        for (CompositeData a : (CompositeData[]) bean.getAttribute(new ObjectName(ChildJvm.OBJECT_NAME), "Artifacts")) {
            listed.put((String) a.get("path"), a.get("kind") + " " + a.get("state"));
        }
        return listed;
    }

    @Test
    void anAllocationProfileChosenInTheTabOpensAsTheJvmsFlameGraph() throws Exception {
        Path png = Paths.get("target", "jconsole-tab-flame.png").toAbsolutePath();
        Path browser = browser();
        try (Xvfb xvfb = Xvfb.start();
             ChildJvm child = ChildJvm.builder().heap("64m").agent("").directory(dir).start()) {
            MBeanServerConnection bean = child.connect();
            try (Spawned console = selfTest(xvfb, child, png, "-J-Doomheapdump.browser=" + browser, temporaryFolder(),
                    "-J-Doomheapdump.jconsole.selftest.steps=profile:1.5:Allocations,flame")) {
                assertTrue(console.line(SELFTEST + "OK").isPresent(), console.output());

                String progress = after(console, "PROGRESS ");
                assertTrue(progress.contains("Recording the allocation profile") && progress.endsWith(" of 1.5 s"),
                        progress);
                Path jfr = Paths.get(after(console, "PROFILE "));
                String base = jfr.getFileName().toString().replaceFirst("\\.jfr$", "");
                assertTrue(base.startsWith("allocprofile") && jfr.toString().endsWith(".jfr"), jfr.toString());
                Path html = jfr.resolveSibling(base + ".html");
                assertEquals(base + ".html " + base + ".jfr", after(console, "LISTED "), "the tab lists both");
                Map<String, String> listed = artifacts(bean);
                assertEquals("CPU_PROFILE COMPLETE", listed.get(jfr.toString()), listed.toString());
                assertEquals("CPU_PROFILE COMPLETE", listed.get(html.toString()), listed.toString());

                Path opened = Paths.get(after(console, "FLAME "));
                assertEquals(List.of(opened.toString()), Files.readAllLines(local.resolve("opened.txt")),
                        "the browser got the file once");
                assertEquals(base + ".html", opened.getFileName().toString());
                assertPrivate(opened);
                Path copy = local.resolve("opened.html");
                assertTrue(new String(Files.readAllBytes(copy), StandardCharsets.UTF_8).strip().endsWith("</html>"),
                        "a complete page");
                String sha = (String) bean.invoke(new ObjectName(ChildJvm.OBJECT_NAME), "artifactSha256",
                        new Object[]{html.toString()}, new String[]{String.class.getName()});
                assertEquals(sha, ChildJvm.sha256(copy), "the JVM's flame graph, byte for byte");
                String message = after(console, "FLAME MESSAGE ");
                assertTrue(message.startsWith("Opened " + base + ".html with " + browser + ": ")
                        && message.endsWith("SHA-256 verified " + sha), message);
                console.assertScreenshot(SELFTEST, png, 600, 400);
            }
        }
    }

    @Test
    void aProfileWithoutAFlameGraphGetsOneMadeInJConsole() throws Exception {
        Path png = Paths.get("target", "jconsole-tab-flame-made.png").toAbsolutePath();
        Path browser = browser();
        try (Xvfb xvfb = Xvfb.start();
             ChildJvm child = ChildJvm.builder().heap("64m").agent("profileFormats=jfr").directory(dir).start()) {
            MBeanServerConnection bean = child.connect();
            try (Spawned console = selfTest(xvfb, child, png, "-J-Doomheapdump.browser=" + browser, temporaryFolder(),
                    "-J-Doomheapdump.jconsole.selftest.steps=profile:1.5:CPU,flame")) {
                assertTrue(console.line(SELFTEST + "OK").isPresent(), console.output());

                Path jfr = Paths.get(after(console, "PROFILE "));
                String base = jfr.getFileName().toString().replaceFirst("\\.jfr$", "");
                assertEquals(base + ".jfr", after(console, "LISTED "), "the JVM made no flame graph");
                assertEquals(List.of(jfr.toString()), List.copyOf(artifacts(bean).keySet()));

                Path opened = Paths.get(after(console, "FLAME "));
                assertEquals(List.of(opened.toString()), Files.readAllLines(local.resolve("opened.txt")));
                assertEquals(base + ".html", opened.getFileName().toString());
                assertPrivate(opened);
                String page = Files.readString(local.resolve("opened.html"));
                assertTrue(page.strip().endsWith("</html>"), "a complete page");
                assertTrue(page.contains("CPU profile: " + base + ".jfr (made in JConsole)"),
                        "made by the plugin's converter from the recording, for its event");
                String sha = (String) bean.invoke(new ObjectName(ChildJvm.OBJECT_NAME), "artifactSha256",
                        new Object[]{jfr.toString()}, new String[]{String.class.getName()});
                String message = after(console, "FLAME MESSAGE ");
                assertTrue(message.startsWith("Opened " + base + ".html with " + browser + ": made here from " + base
                        + ".jfr (the JVM made no flame graph) to " + opened + "; ")
                        && message.endsWith("SHA-256 verified " + sha), message);
                console.assertScreenshot(SELFTEST, png, 600, 400);
            }
        }
    }

    @Test
    void withoutTheAgentTheTabSaysHowToAddIt() throws Exception {
        Path png = Paths.get("target", "jconsole-tab-not-installed.png").toAbsolutePath();
        int port = ChildJvm.freePort();
        try (Xvfb xvfb = Xvfb.start();
             ChildJvm child = ChildJvm.builder().heap("64m").agent(null).port(port).jvmArgs(
                     "-Dcom.sun.management.jmxremote.port=" + port, "-Dcom.sun.management.jmxremote.rmi.port=" + port,
                     "-Dcom.sun.management.jmxremote.host=127.0.0.1", "-Djava.rmi.server.hostname=127.0.0.1",
                     "-Dcom.sun.management.jmxremote.authenticate=false", "-Dcom.sun.management.jmxremote.ssl=false")
                     .start()) {
            assertFalse(child.connect().isRegistered(new ObjectName(ChildJvm.OBJECT_NAME)), "no agent, no bean");
            try (Spawned console = selfTest(xvfb, child, png)) {
                String failed = console.line(SELFTEST + "FAILED").orElseThrow(() -> new AssertionError(console.output()));
                assertTrue(failed.contains("the tab says the oom-heapdump agent is not installed"), console.output());
                assertFalse(console.line(SELFTEST + "clicked").isPresent(), "there is no button to click");
                console.assertScreenshot(SELFTEST, png, 600, 400);
            }
        }
    }

    @Test
    void afterJConsoleReconnectsToANewJvmTheTabListensToItsNotifications() throws Exception {
        Path png = Paths.get("target", "jconsole-tab-reconnected.png").toAbsolutePath();
        int port = ChildJvm.freePort();
        ObjectName name = new ObjectName(ChildJvm.OBJECT_NAME);
        String[] type = {String.class.getName()};
        try (Xvfb xvfb = Xvfb.start()) {
            ChildJvm first = ChildJvm.builder().heap("64m").agent("").port(port).directory(dir).start();
            ChildJvm second = null;
            try {
                first.connect();
                try (Spawned console = startJConsole(xvfb, port, png,
                        "-J-Doomheapdump.jconsole.selftest.steps=watch,reconnect,watch")) {
                    awaitOutput(console, xvfb, () -> first.process().isAlive(), "WATCHING", false,
                            lines -> lines.contains(SELFTEST + "WATCHING"));
                    first.connect().invoke(name, "createHeapSnapshot", new Object[]{"outside-1"}, type);
                    awaitOutput(console, xvfb, () -> first.process().isAlive(), "SEEN outside-1", false,
                            lines -> lines.stream().anyMatch(l -> l.startsWith(SELFTEST + "SEEN ") && l.endsWith("/outside-1.hprof")));
                    awaitOutput(console, xvfb, () -> true, "WAITING FOR RECONNECT", false,
                            lines -> lines.contains(SELFTEST + "WAITING FOR RECONNECT"));

                    first.close();
                    ChildJvm next = ChildJvm.builder().heap("64m").agent("").port(port).directory(dir).start();
                    second = next;
                    next.connect();
                    awaitOutput(console, xvfb, () -> next.process().isAlive(), "RECONNECTED, WATCHING again", false,
                            lines -> lines.contains(SELFTEST + "RECONNECTED")
                                    && lines.stream().filter((SELFTEST + "WATCHING")::equals).count() == 2);
                    next.connect().invoke(name, "createHeapSnapshot", new Object[]{"outside-2"}, type);
                    awaitOutput(console, xvfb, () -> next.process().isAlive(), "the verdict", false,
                            lines -> lines.contains(SELFTEST + "OK"));
                    System.out.println(String.join("\n", console.lines()));
                    assertTrue(console.lines().stream().anyMatch(l -> l.startsWith(SELFTEST + "SEEN ")
                            && l.endsWith("/outside-2.hprof")), "the new JVM's file came by notification\n" + console.output());
                    console.assertScreenshot(SELFTEST, png, 600, 400);
                }
            } finally {
                first.close();
                if (second != null) {
                    second.close();
                }
            }
        }
    }

    /** Starts JConsole with the plugin and its self-test, and waits until the self-test has its verdict. */
    private static Spawned selfTest(Xvfb xvfb, ChildJvm child, Path png, String... jconsoleOptions) throws IOException {
        long start = System.nanoTime();
        Spawned console = startJConsole(xvfb, child.port(), png, jconsoleOptions);
        awaitOutput(console, xvfb, () -> child.process().isAlive(), "the self-test's verdict", true,
                lines -> lines.contains(SELFTEST + "OK") || lines.stream().anyMatch(l -> l.startsWith(SELFTEST + "FAILED")));
        System.out.println("JConsole's self-test took " + Duration.ofNanos(System.nanoTime() - start).toMillis()
                + " ms from start to verdict\n" + String.join("\n", console.lines()));
        return console;
    }

    private static Spawned startJConsole(Xvfb xvfb, int port, Path png, String... jconsoleOptions) throws IOException {
        Path plugin = pluginJar();
        assertTrue(Files.isRegularFile(plugin), plugin + " is missing: build the reactor with the jconsole-plugin "
                + "module (mvn -B -pl jconsole-plugin,it-tests -am verify)");
        Path jconsole = ChildJvm.javaHome().resolve("bin").resolve("jconsole");
        assertTrue(Files.isExecutable(jconsole), "no jconsole in " + ChildJvm.javaHome());
        Assumptions.assumeTrue(Files.exists(ChildJvm.javaHome().resolve("lib").resolve("libawt_xawt.so")),
                "the JDK in " + ChildJvm.javaHome() + " is headless (no libawt_xawt.so): JConsole cannot open a window, "
                        + "so the JConsole tab test is skipped");
        Files.deleteIfExists(png);
        List<String> command = new ArrayList<>(List.of(jconsole.toString(), "-J-Duser.language=en",
                "-J-Duser.country=US", "-J-Doomheapdump.jconsole.selftest=" + png));
        command.addAll(List.of(jconsoleOptions));
        Path selfTest = plugin.resolveSibling("oom-heapdump-jconsole-plugin-tests.jar");
        assertTrue(Files.isRegularFile(selfTest), selfTest + " (the self-test plugin) is missing: build the reactor");
        command.addAll(List.of("-pluginpath", plugin + File.pathSeparator + selfTest, "127.0.0.1:" + port));
        return new Spawned("jconsole", command, Map.of("DISPLAY", xvfb.display()));
    }

    /**
     * Waits (150 s at most: an analysis starts a JVM of its own, on a host that may be busy) until JConsole's output satisfies {@code done}; fails at once, with JConsole's and
     * Xvfb's output, when a process dies or (unless {@code failureIsAnAnswer}) the self-test reports a failure.
     * JConsole is killed when the wait fails.
     */
    private static void awaitOutput(Spawned console, Xvfb xvfb, BooleanSupplier childAlive, String alias,
                                    boolean failureIsAnAnswer, Predicate<List<String>> done) {
        try {
            await(alias).atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(100))
                    .failFast("JConsole, Xvfb or the child died, or the self-test failed", () -> {
                        boolean failed = !failureIsAnAnswer && console.line(SELFTEST + "FAILED").isPresent();
                        if (failed || !console.alive() || !xvfb.alive() || !childAlive.getAsBoolean()) {
                            throw new AssertionError(console.output() + "\n" + xvfb.output());
                        }
                    })
                    .until(() -> done.test(console.lines()));
        } catch (RuntimeException | AssertionError e) {
            console.close();
            throw new AssertionError("waiting for " + alias + "\n" + console.output() + "\n" + xvfb.output(), e);
        }
    }
}
