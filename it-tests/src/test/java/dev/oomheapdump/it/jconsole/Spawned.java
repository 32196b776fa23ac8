package dev.oomheapdump.it.jconsole;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A helper process (Xvfb, JConsole, VisualVM) whose merged output is kept; {@link #close()} kills it. */
public final class Spawned implements Closeable {

    private final String name;
    private final List<String> command;
    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    public Spawned(String name, List<String> command, Map<String, String> environment) throws IOException {
        this.name = name;
        this.command = List.copyOf(command);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        this.process = builder.start();
        process.getOutputStream().close();
        Thread pump = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process is gone
            }
        }, name + "-output");
        pump.setDaemon(true);
        pump.start();
    }

    public boolean alive() {
        return process.isAlive();
    }

    public String exit() {
        return process.isAlive() ? "running" : "exit " + process.exitValue();
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    public Optional<String> line(String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).findFirst();
    }

    /**
     * The console's self-test said it painted its window into {@code png} ({@code <selfTest>SCREENSHOT <png>}), and the
     * file is a PNG at least {@code minWidth} by {@code minHeight}.
     */
    public void assertScreenshot(String selfTest, Path png, int minWidth, int minHeight) throws IOException {
        assertTrue(line(selfTest + "SCREENSHOT " + png).isPresent(), output());
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, png + " is a PNG");
        assertTrue(image.getWidth() >= minWidth && image.getHeight() >= minHeight,
                "the " + name + " window, " + image.getWidth() + "x" + image.getHeight());
    }

    /** The command and everything it printed, for failure messages. */
    public String output() {
        return "---- " + name + " (" + exit() + "): " + String.join(" ", command) + "\n" + String.join("\n", lines)
                + "\n---- end of " + name;
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
