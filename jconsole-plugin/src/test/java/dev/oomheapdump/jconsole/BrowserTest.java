package dev.oomheapdump.jconsole;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** How a file is opened: the command of the system property, else the desktop, else the platform's opener. */
class BrowserTest {

    @TempDir
    Path dir;

    private Path page;

    @BeforeEach
    void page() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "shell scripts");
        page = Files.writeString(dir.resolve("flame graph.html"), "<html></html>");
    }

    /** A command that writes its arguments, one a line, to {@code args.txt}, says something and exits with status. */
    private Path opener(String name, int status) throws IOException {
        Path script = dir.resolve(name);
        Files.writeString(script, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >> '" + dir.resolve("args.txt")
                + "'; done\necho 'no display here' >&2\nexit " + status + "\n");
        script.toFile().setExecutable(true);
        return script;
    }

    private List<String> args() throws IOException {
        return Files.readAllLines(dir.resolve("args.txt"));
    }

    @Test
    void theCommandOfThePropertyGetsTheFilesAbsolutePathAsItsOneArgument() throws Exception {
        Path command = opener("my browser", 0);

        String how = new Browser(command.toString(), false, null).open(page);

        assertEquals("with " + command, how);
        assertEquals(List.of(page.toAbsolutePath().toString()), args());
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".log")), "no output file left");
        }
    }

    @Test
    void aCommandThatFailsIsReportedWithWhatItSaidAndNothingElseIsTried() throws Exception {
        Path command = opener("failing", 3);
        Path platform = opener("platform", 0);

        IOException e = assertThrows(IOException.class, () -> new Browser(command.toString(), false,
                platform.toString()).open(page));

        assertEquals(command + " exited with status 3: no display here", e.getMessage());
        assertEquals(1, args().size(), "only the property's command ran");
    }

    @Test
    void withoutPropertyOrDesktopThePlatformsOpenerOpensIt() throws Exception {
        Path platform = opener("xdg-open", 0);

        assertEquals("with " + platform, new Browser(" ", false, platform.toString()).open(page));
        assertEquals(List.of(page.toAbsolutePath().toString()), args());
    }

    @Test
    void whenNothingOpensTheMessageSaysWhatWasTriedAndHowToChoose() {
        IOException none = assertThrows(IOException.class, () -> new Browser(null, false, null).open(page));
        assertEquals("this desktop offers no browser to Java, and no command opens files here (set "
                + "-J-Doomheapdump.browser=<command> to choose one)", none.getMessage());

        IOException missing = assertThrows(IOException.class, () -> new Browser(null, false,
                dir.resolve("no-such-opener").toString()).open(page));
        assertTrue(missing.getMessage().startsWith(dir.resolve("no-such-opener") + " cannot run: "), missing.getMessage());
        assertTrue(missing.getMessage().endsWith("(set -J-Doomheapdump.browser=<command> to choose one)"),
                missing.getMessage());
    }

    @Test
    void eachPlatformHasItsOpener() {
        assertEquals("xdg-open", Browser.osCommand("Linux"));
        assertEquals("xdg-open", Browser.osCommand("FreeBSD"));
        assertEquals("open", Browser.osCommand("Mac OS X"));
        assertNull(Browser.osCommand("Windows 11"));
    }
}
