package dev.oomheapdump.it.jconsole;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.junit.jupiter.api.Assumptions;

import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A private X display for GUI tests. Xvfb picks a free display number itself ({@code -displayfd}) and prints it
 * once it accepts clients, so there is no guessing and no waiting on a socket. When Xvfb is missing or cannot
 * start, the test is aborted (reported as skipped) with the reason, never passed.
 */
public final class Xvfb implements Closeable {

    private final Spawned process;
    private final String display;

    private Xvfb(Spawned process, String display) {
        this.process = process;
        this.display = display;
    }

    public static Xvfb start() throws IOException {
        Optional<Path> executable = onPath("Xvfb");
        Assumptions.assumeTrue(executable.isPresent(), "Xvfb is not installed (apt-get install xvfb): "
                + "the console tab tests need a display server and are skipped");
        Spawned process = new Spawned("Xvfb", List.of(executable.get().toString(), "-displayfd", "1",
                "-screen", "0", "1280x1024x24", "-nolisten", "tcp", "-noreset"), Map.of());
        try {
            Awaitility.await("Xvfb prints its display number").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(50))
                    .failFast("Xvfb died", () -> !process.alive())
                    .until(() -> number(process).isPresent());
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            process.close();
            Assumptions.abort("Xvfb could not be started, so the console tab tests are skipped: " + e.getMessage()
                    + "\n" + process.output());
        }
        return new Xvfb(process, ":" + number(process).orElseThrow());
    }

    private static Optional<String> number(Spawned process) {
        return process.lines().stream().map(String::trim).filter(l -> l.matches("\\d+")).findFirst();
    }

    private static Optional<Path> onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Paths.get(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The value for {@code DISPLAY}, e.g. {@code :1}. */
    public String display() {
        return display;
    }

    public boolean alive() {
        return process.alive();
    }

    public String output() {
        return process.output();
    }

    @Override
    public void close() {
        process.close();
    }
}
