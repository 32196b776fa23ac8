package dev.oomheapdump.jconsole;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code visualvm-install}: where VisualVM keeps its user directory, and what the install leaves there. */
class VisualVmInstallTest {

    @TempDir
    Path dir;

    /** A VisualVM installation as its zip lays it out: {@code bin/visualvm}, {@code etc/visualvm.conf}. */
    private Path installation(String configuration) throws Exception {
        Path launcher = Files.createDirectories(dir.resolve("visualvm/bin")).resolve("visualvm");
        Files.writeString(launcher, "#!/bin/sh\n");
        Files.writeString(Files.createDirectories(dir.resolve("visualvm/etc")).resolve("visualvm.conf"), configuration);
        return launcher;
    }

    @Test
    void theDefaultUserDirectoryIsTheOneVisualVmsConfigurationNamesUnderItsRootForTheSystem() throws Exception {
        Path launcher = installation("# comment\nvisualvm_default_userdir=\"${DEFAULT_USERDIR_ROOT}/2.2\"\n"
                + "visualvm_default_cachedir=\"${DEFAULT_CACHEDIR_ROOT}/2.2\"\n");
        Path home = dir.resolve("home");

        assertEquals(Optional.of(home.resolve(".visualvm/2.2")),
                VisualVmInstall.defaultUserdir(launcher, List.of(), "Linux", home, Map.of()));
        assertEquals(Optional.of(home.resolve("Library/Application Support/VisualVM/2.2")),
                VisualVmInstall.defaultUserdir(launcher, List.of(), "Mac OS X", home, Map.of()));
        assertEquals(Optional.of(dir.resolve("appdata/VisualVM/2.2")), VisualVmInstall.defaultUserdir(launcher, List.of(),
                "Windows 11", home, Map.of("APPDATA", dir.resolve("appdata").toString())));
    }

    @Test
    void debiansConfigurationReadAfterTheInstallationsWins() throws Exception {
        Path launcher = installation("visualvm_default_userdir=\"${DEFAULT_USERDIR_ROOT}/2.1\"\n");
        Path debian = Files.writeString(dir.resolve("etc-visualvm.conf"), "visualvm_default_userdir=\"${HOME}/vvm/2.1.5\"\n");

        assertEquals(Optional.of(dir.resolve("home/vvm/2.1.5")), VisualVmInstall.defaultUserdir(launcher,
                List.of(debian, dir.resolve("missing.conf")), "Linux", dir.resolve("home"), Map.of()));
    }

    @Test
    void withoutALauncherOrAConfigurationThereIsNoDefault() throws Exception {
        assertEquals(Optional.empty(), VisualVmInstall.defaultUserdir(null, List.of(dir.resolve("missing.conf")),
                "Linux", dir, Map.of()));
        assertEquals(Optional.empty(), VisualVmInstall.defaultUserdir(installation("# nothing\n"), List.of(), "Linux",
                dir, Map.of()));
        assertEquals(null, VisualVmInstall.launcherOnPath(dir.resolve("empty").toString()));
    }

    @Test
    void theInstallLeavesTheJarItsEnabledStatusAndItsRecordAsThePluginCentreWould() throws Exception {
        Path jar = Files.write(dir.resolve("plugin.jar"), new byte[]{1, 2, 3, 4});
        Path userdir = dir.resolve("user dir");

        List<String> said = VisualVmInstall.install(jar, userdir, true, "0.1.0");

        assertArrayEquals(new byte[]{1, 2, 3, 4}, Files.readAllBytes(userdir.resolve("modules/dev-oomheapdump-visualvm.jar")));
        String status = Files.readString(userdir.resolve("config/Modules/dev-oomheapdump-visualvm.xml"));
        assertTrue(status.contains("<module name=\"dev.oomheapdump.visualvm\">")
                && status.contains("<param name=\"enabled\">true</param>")
                && status.contains("<param name=\"jar\">modules/dev-oomheapdump-visualvm.jar</param>"), status);
        String tracking = Files.readString(userdir.resolve("update_tracking/dev-oomheapdump-visualvm.xml"));
        assertTrue(tracking.contains("specification_version=\"0.1.0\""), tracking);
        Matcher crc = Pattern.compile("crc=\"(\\d+)\" name=\"modules/dev-oomheapdump-visualvm.jar\"").matcher(tracking);
        assertTrue(crc.find(), tracking);
        CRC32 expected = new CRC32();
        expected.update(new byte[]{1, 2, 3, 4});
        assertEquals(expected.getValue(), Long.parseLong(crc.group(1)), "the record's checksum is the jar's");
        assertTrue(Files.exists(userdir.resolve(".lastModified")), "the module cache is renewed");
        assertTrue(said.get(0).startsWith("Installed the OOM Heapdump tab into VisualVM's user directory " + userdir), said.toString());
        assertTrue(said.get(1).startsWith("Start VisualVM: visualvm --userdir " + userdir + " "), "named, so VisualVM is told it: " + said);
        try (var files = Files.list(userdir.resolve("modules"))) {
            assertEquals(1, files.count(), "no part left");
        }

        Files.write(jar, new byte[]{5, 6});
        VisualVmInstall.install(jar, userdir, true, "0.1.0");
        assertArrayEquals(new byte[]{5, 6}, Files.readAllBytes(userdir.resolve("modules/dev-oomheapdump-visualvm.jar")),
                "installing again replaces the jar");
    }

    @Test
    void aFileForTheUserDirectoryIsRefusedAndNothingIsWritten() throws Exception {
        Path jar = Files.write(dir.resolve("plugin.jar"), new byte[]{1});
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");

        VisualVmInstall.UsageException e = assertThrows(VisualVmInstall.UsageException.class,
                () -> VisualVmInstall.install(jar, file, true, "0.1.0"));
        assertEquals("--userdir " + file + " is not a directory", e.getMessage());
        assertEquals("x", Files.readString(file));
    }

    @Test
    void badUsageExitsWithStatusTwoAndSaysWhy() {
        assertEquals(List.of(2, "visualvm-install: no command"), run());
        assertEquals(List.of(2, "visualvm-install: unknown command 'install'"), run("install"));
        assertEquals(List.of(2, "visualvm-install: unknown option '--user'"), run("visualvm-install", "--user", "x"));
        assertEquals(List.of(2, "visualvm-install: --userdir needs a directory"), run("visualvm-install", "--userdir"));
    }

    /** The exit status and the first line on standard error. */
    private static List<Object> run(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = PluginMain.run(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return List.of(status, err.toString(StandardCharsets.UTF_8).lines().findFirst().orElse(""));
    }
}
