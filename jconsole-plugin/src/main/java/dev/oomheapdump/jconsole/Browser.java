package dev.oomheapdump.jconsole;

import java.awt.Desktop;
import java.awt.GraphicsEnvironment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Opens a file of this computer in the desktop's browser: the command of system property {@value #PROPERTY} when it
 * is set (run with the file's path as its one argument; nothing else is tried then), else {@link Desktop#browse}
 * where the desktop supports it, else {@code xdg-open} (Linux and other Unixes) or {@code open} (macOS). Blocks
 * for a few seconds at most: call it off the event thread.
 */
final class Browser {

    /** A command of this computer to open files with, e.g. {@code -J-Doomheapdump.browser=firefox}. */
    static final String PROPERTY = "oomheapdump.browser";
    /** How long a command may take to say whether it opened the file; one still running has (a browser in front). */
    private static final long COMMAND_WAIT_MS = 10_000;
    private static final int OUTPUT_SHOWN = 300;

    private final String command;
    private final boolean desktop;
    private final String osCommand;

    /**
     * @param command   the command of {@value #PROPERTY}, or null or blank for none
     * @param desktop   whether to try {@link Desktop#browse}
     * @param osCommand the platform's opener ({@code xdg-open}, {@code open}) to try after it, or null for none
     */
    Browser(String command, boolean desktop, String osCommand) {
        this.command = command == null || command.isBlank() ? null : command.trim();
        this.desktop = desktop;
        this.osCommand = osCommand;
    }

    /** This computer's ways, read now: the property, the desktop, the operating system's opener. */
    static Browser system() {
        boolean desktop = !GraphicsEnvironment.isHeadless() && Desktop.isDesktopSupported()
                && Desktop.getDesktop().isSupported(Desktop.Action.BROWSE);
        return new Browser(System.getProperty(PROPERTY), desktop, osCommand(System.getProperty("os.name", "")));
    }

    /** {@code open} on macOS, {@code xdg-open} on Linux and other Unixes, null on Windows (the desktop opens there). */
    static String osCommand(String osName) {
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.startsWith("mac") || os.contains("os x") || os.contains("darwin")) {
            return "open";
        }
        return os.startsWith("windows") ? null : "xdg-open";
    }

    /**
     * Opens {@code file}.
     *
     * @return how: "with {@code <command>}", "in the desktop's browser", "with xdg-open"
     * @throws IOException saying what was tried and why each failed; the file is still there to open by hand
     */
    String open(Path file) throws IOException {
        Path absolute = file.toAbsolutePath();
        if (command != null) {
            return run(command, absolute);
        }
        List<String> failures = new ArrayList<>();
        if (desktop) {
            try {
                Desktop.getDesktop().browse(absolute.toUri());
                return "in the desktop's browser";
            } catch (IOException | RuntimeException e) {
                failures.add("the desktop's browser: " + said(e));
            }
        }
        if (osCommand != null) {
            try {
                return run(osCommand, absolute);
            } catch (IOException e) {
                failures.add(e.getMessage());
            }
        }
        if (failures.isEmpty()) {
            failures.add("this desktop offers no browser to Java, and no command opens files here");
        }
        throw new IOException(String.join("; ", failures) + " (set -J-D" + PROPERTY + "=<command> to choose one)");
    }

    /** Runs {@code program file}; its exit status 0, or still running after a while, means it opened the file. */
    private static String run(String program, Path file) throws IOException {
        Path output = Files.createTempFile(file.getParent(), ".opener-", ".log");
        try {
            Process process;
            try {
                process = new ProcessBuilder(program, file.toString()).redirectErrorStream(true)
                        .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
                        .start();
            } catch (IOException e) {
                throw new IOException(program + " cannot run: " + said(e));
            }
            boolean exited;
            try {
                exited = process.waitFor(COMMAND_WAIT_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(program + " was interrupted");
            }
            if (exited && process.exitValue() != 0) {
                String said = tail(output);
                throw new IOException(program + " exited with status " + process.exitValue()
                        + (said.isEmpty() ? "" : ": " + said));
            }
            return "with " + program;
        } finally {
            try {
                Files.deleteIfExists(output);
            } catch (IOException e) {
                // still open by a browser that runs on (Windows): it goes with the folder
            }
        }
    }

    private static String said(Throwable e) {
        return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")
                ? "NUL" : "/dev/null");
    }

    /** The last words a command said, on one line. */
    private static String tail(Path output) throws IOException {
        String text = new String(Files.readAllBytes(output), StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
        return text.length() <= OUTPUT_SHOWN ? text : "..." + text.substring(text.length() - OUTPUT_SHOWN);
    }
}
