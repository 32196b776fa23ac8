package dev.oomheapdump.it.visualvm;

import dev.oomheapdump.core.format.HprofFile;
import dev.oomheapdump.it.ChildJvm;
import dev.oomheapdump.it.ChildOutputOnFailure;
import dev.oomheapdump.it.jconsole.HoardApp;
import dev.oomheapdump.it.jconsole.Spawned;
import dev.oomheapdump.it.jconsole.Xvfb;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plugin jar in a real VisualVM (Debian's 2.1.5, which {@code .ci/run} installs) in a private Xvfb display: put in
 * with the README's install command into a fresh user directory, VisualVM started as the README says,
 * {@code visualvm --userdir DIR --openjmx 127.0.0.1:PORT}, on a child JVM with the agent. In the application's
 * OOM Heapdump tab, "Heap snapshot" is clicked: the file must be on disk, a complete HPROF file, listed by the bean,
 * and its SHA-256 the bean's {@code artifactSha256}. Then "Open in VisualVM" on it: the copy fetched into VisualVM's
 * temporary folder must be the snapshot byte for byte, and VisualVM's heap viewer must show it read. PNGs of the
 * VisualVM window are kept in {@code target/}.
 *
 * <p>VisualVM runs in its own process, so the clicking is done from inside it, as in JConsole: the test jar joins the
 * installed module as a NetBeans patch ({@code -J-Dnetbeans.patches.dev.oomheapdump.visualvm=<jar>}) and its
 * self-test, switched on by {@code -J-Doomheapdump.visualvm.selftest=<png>}, presses the real buttons. VisualVM shows
 * its licence once per user directory and records the acceptance as {@code var/license_accepted} there; the test
 * writes that file for the click. VisualVM 2.1 runs on JDK 8 to 19 (it refuses newer ones with a dialog) and the plugin
 * needs 17: the test names the JDK with {@code --jdkhome}, its own when that is 17 to 19, else Debian's default JDK
 * (what Debian's launcher picks); {@code -Doomheapdump.visualvmJdk=DIR} chooses another. Skipped, saying why, where
 * VisualVM or such a JDK is missing.
 */
@ExtendWith(ChildOutputOnFailure.class)
class VisualVmTabIT {

    /** The README's install command, run as written (plus a user directory of the test's own). */
    static final String README_INSTALL = "java -jar jconsole-plugin/target/oom-heapdump-jconsole-plugin.jar visualvm-install";
    private static final String SELFTEST = "oom-heapdump-selftest: ";
    private static final String CODE_NAME_FILE = "dev-oomheapdump-visualvm";
    /** The JDKs VisualVM 2.1 accepts, from 17 (what the plugin is built for) up. */
    private static final int OLDEST_JDK = 17;
    private static final int NEWEST_JDK = 19;

    /** The agent's directory, on the JVM's host. */
    @TempDir
    Path dir;

    /** This computer's side: VisualVM's user directory, home and temporary folder. */
    @TempDir
    Path local;

    @Test
    void theReadmeInstallPutsTheTabIntoVisualVmWhereHeapSnapshotWritesACompleteDumpThatOpensInVisualVm() throws Exception {
        Path visualvm = visualVm();
        Path jdk = visualVmJdk();
        Path userdir = local.resolve("userdir");
        install(userdir);

        Path png = Paths.get("target", "visualvm-tab.png").toAbsolutePath();
        Files.deleteIfExists(png);
        Path tmp = Files.createDirectories(local.resolve("tmp"));
        try (Xvfb xvfb = Xvfb.start();
             ChildJvm child = ChildJvm.builder().heap("64m").agent("").directory(dir)
                     .mainClass(HoardApp.class.getName()).start()) {
            MBeanServerConnection bean = child.connect();
            long start = System.nanoTime();
            try (Spawned console = new Spawned("visualvm", List.of(visualvm.toString(), "--jdkhome", jdk.toString(),
                    "--userdir", userdir.toString(), "-J-Duser.language=en", "-J-Duser.country=US",
                    "-J-Dnetbeans.patches.dev.oomheapdump.visualvm=" + selfTestJar(),
                    "-J-Doomheapdump.visualvm.selftest=" + png, "-J-Doomheapdump.visualvm.selftest.steps=snapshot,open",
                    "-J-Doomheapdump.visualvm.selftest.size=1200x900", "-J-Djava.io.tmpdir=" + tmp,
                    "--openjmx", "127.0.0.1:" + child.port()),
                    // a home of its own: no settings of an earlier VisualVM to import, nothing left in the real one
                    Map.of("DISPLAY", xvfb.display(), "HOME", Files.createDirectories(local.resolve("home")).toString()))) {
                awaitVerdict(console, xvfb, child);
                System.out.println("VisualVM's self-test took " + Duration.ofNanos(System.nanoTime() - start).toMillis()
                        + " ms from start to verdict\n" + String.join("\n", console.lines()));
                assertTrue(console.line(SELFTEST + "OK").isPresent(), console.output());
                String java = after(console, "JAVA ");
                assertTrue(java.endsWith(" " + jdk.toRealPath()) || java.endsWith(" " + jdk), "VisualVM runs on " + java);

                Path snapshot = Paths.get(after(console, "SNAPSHOT ").replaceAll(" \\(\\d+ ms\\)$", ""));
                assertEquals(dir.toRealPath(), snapshot.getParent().toRealPath(), "written in the agent's directory");
                HprofFile.Check check = HprofFile.check(snapshot);
                assertTrue(check.complete(), check.toString());
                ObjectName name = new ObjectName(ChildJvm.OBJECT_NAME);
                String[] listed = (String[]) bean.getAttribute(name, "HeapSnapshots");
                assertEquals(List.of(snapshot.toString()), Arrays.asList(listed), "the bean lists it complete");
                String sha = (String) bean.invoke(name, "artifactSha256", new Object[]{snapshot.toString()},
                        new String[]{String.class.getName()});
                assertEquals(sha, ChildJvm.sha256(snapshot),
                        "the file on disk is the one the bean vouches for, byte for byte");

                // Open in VisualVM: the verified copy, in a private folder of VisualVM's temporary folder (checked
                // while VisualVM runs: it deletes the folder when it exits)
                Path opened = Paths.get(after(console, "OPENED "));
                assertEquals(snapshot.getFileName(), opened.getFileName());
                assertEquals(tmp, opened.getParent().getParent().getParent(), "in VisualVM's temporary folder");
                assertEquals(sha, ChildJvm.sha256(opened), "Open in VisualVM fetched the snapshot byte for byte");
                String message = after(console, "OPEN MESSAGE ");
                assertTrue(message.startsWith("Opened " + snapshot.getFileName() + " in VisualVM's heap viewer: ")
                        && message.endsWith("SHA-256 verified " + sha), message);
                console.assertScreenshot(SELFTEST, png, 800, 600);
                console.assertScreenshot(SELFTEST, png.resolveSibling("visualvm-tab-heapviewer.png"), 800, 600);
            }
        }
    }

    /** Runs the README's install command in the project's folder, as a reader would, into {@code userdir}. */
    private static void install(Path userdir) throws Exception {
        Path project = Paths.get(System.getProperty("oomheapdump.projectDir", "..")).toAbsolutePath().normalize();
        String readme = Files.readString(project.resolve("README.md"), StandardCharsets.UTF_8);
        assertTrue(readme.contains("\n" + README_INSTALL + "\n"), "the README shows the install command " + README_INSTALL);
        Path plugin = project.resolve("jconsole-plugin/target/oom-heapdump-jconsole-plugin.jar");
        assertTrue(Files.isRegularFile(plugin), plugin + " is missing: build the reactor (mvn -B install -DskipTests)");

        List<String> command = new ArrayList<>(List.of(README_INSTALL.split(" ")));
        command.set(0, ChildJvm.javaHome().resolve("bin").resolve("java").toString());
        command.addAll(List.of("--userdir", userdir.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile()).redirectErrorStream(true);
        Process process = builder.start();
        process.getOutputStream().close();
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8); // the command ends by itself in a second
        }
        assertTrue(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the install ends");
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.startsWith("Installed the OOM Heapdump tab into VisualVM's user directory " + userdir), output);
        assertArrayEquals(Files.readAllBytes(plugin),
                Files.readAllBytes(userdir.resolve("modules").resolve(CODE_NAME_FILE + ".jar")), "the plugin jar, whole");
        String status = Files.readString(userdir.resolve("config/Modules/" + CODE_NAME_FILE + ".xml"));
        assertTrue(status.contains("<param name=\"enabled\">true</param>"), status);

        // VisualVM's licence, accepted once per user directory: the file VisualVM writes when "I Accept" is pressed
        Files.createDirectories(userdir.resolve("var"));
        Files.writeString(userdir.resolve("var").resolve("license_accepted"), "");
    }

    /** The {@code visualvm} launcher: {@code -Doomheapdump.visualvm=PATH}, else the one on the PATH. */
    static Path visualVm() {
        String named = System.getProperty("oomheapdump.visualvm", "");
        Optional<Path> launcher = named.isBlank() ? onPath("visualvm") : Optional.of(Paths.get(named));
        Assumptions.assumeTrue(launcher.isPresent() && Files.isExecutable(launcher.get()),
                "VisualVM is not installed (apt-get install visualvm default-jdk-headless; .ci/run does): the VisualVM "
                        + "tab test is skipped");
        return launcher.get();
    }

    /**
     * The JDK to run VisualVM on: {@code -Doomheapdump.visualvmJdk=DIR}, else the test's own JDK when VisualVM 2.1
     * accepts it, else Debian's default JDK (what Debian's launcher picks itself). It must have a display-capable AWT.
     */
    static Path visualVmJdk() {
        String named = System.getProperty("oomheapdump.visualvmJdk", "");
        Set<Path> candidates = new LinkedHashSet<>();
        if (!named.isBlank()) {
            candidates.add(Paths.get(named));
        } else {
            candidates.add(ChildJvm.javaHome());
            candidates.add(Paths.get("/usr/lib/jvm/default-java"));
        }
        List<String> refused = new ArrayList<>();
        for (Path jdk : candidates) {
            int feature = feature(jdk);
            boolean awt = Files.exists(jdk.resolve("lib").resolve("libawt_xawt.so"));
            if (feature >= OLDEST_JDK && feature <= NEWEST_JDK && awt && Files.isExecutable(jdk.resolve("bin/java"))) {
                return jdk;
            }
            refused.add(jdk + " (" + (feature < 0 ? "no JDK" : "Java " + feature) + (awt ? "" : ", headless") + ")");
        }
        Assumptions.abort("no JDK for VisualVM 2.1 (Java " + OLDEST_JDK + " to " + NEWEST_JDK + " with a display-capable "
                + "AWT): " + refused + "; the VisualVM tab test is skipped (-Doomheapdump.visualvmJdk=DIR names one)");
        return null;
    }

    /** The feature version in a JDK's {@code release} file ({@code JAVA_VERSION="17.0.15"}), or -1. */
    private static int feature(Path jdk) {
        try {
            Matcher m = Pattern.compile("(?m)^JAVA_VERSION=\"(?:1\\.)?(\\d+)").matcher(Files.readString(jdk.resolve("release")));
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static Optional<Path> onPath(String name) {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Paths.get(entry.isEmpty() ? "." : entry, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static Path selfTestJar() {
        Path plugin = Paths.get(System.getProperty("oomheapdump.jconsolePluginJar",
                "../jconsole-plugin/target/oom-heapdump-jconsole-plugin.jar")).toAbsolutePath().normalize();
        Path selfTest = plugin.resolveSibling("oom-heapdump-jconsole-plugin-tests.jar");
        assertTrue(Files.isRegularFile(selfTest), selfTest + " (the self-test) is missing: build the reactor");
        return selfTest;
    }

    /**
     * Waits (180 s at most: VisualVM starts in 15-30 s on a busy 2-core host, then a dump is taken, fetched and read)
     * for the self-test's verdict; fails at once, with the output of VisualVM and Xvfb, when a process dies. VisualVM
     * is killed when the wait fails.
     */
    private static void awaitVerdict(Spawned console, Xvfb xvfb, ChildJvm child) {
        Predicate<List<String>> done = lines -> lines.contains(SELFTEST + "OK")
                || lines.stream().anyMatch(l -> l.startsWith(SELFTEST + "FAILED"));
        try {
            await("VisualVM's self-test verdict").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(100))
                    .failFast("VisualVM, Xvfb or the child JVM died", () -> {
                        if (!console.alive() || !xvfb.alive() || !child.process().isAlive()) {
                            throw new AssertionError(console.output() + "\n" + xvfb.output());
                        }
                    })
                    .until(() -> done.test(console.lines()));
        } catch (RuntimeException | AssertionError e) {
            console.close();
            throw new AssertionError("waiting for VisualVM's self-test\n" + console.output() + "\n" + xvfb.output(), e);
        }
    }

    private static String after(Spawned console, String prefix) {
        return console.line(SELFTEST + prefix).orElseThrow(() -> new AssertionError(console.output()))
                .substring((SELFTEST + prefix).length());
    }
}
