package dev.oomheapdump.mbean.ship;

import dev.oomheapdump.core.format.HprofFile;
import dev.oomheapdump.core.format.JfrFile;
import dev.oomheapdump.core.store.ShipLog;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sidecar: looks at a folder every second and ships each heap dump, report and profile once it is complete —
 * whoever wrote it (the agent, or a JVM without it: {@code -XX:HeapDumpPath}), under the JVM the folder's index names
 * when it knows the file ({@link Origin#of(Path)}). Complete means: not a hidden
 * (temporary) name, unchanged for {@value #QUIET_MILLIS} ms, and for {@code .hprof}, {@code .hprof.gz} and
 * {@code .jfr} a walk that reaches the end marker (a dump still being written, or cut short by a kill, is not
 * shipped; a cut one is not walked again until it changes). Failed uploads are tried again after 5 s, doubling up
 * to 5 min.
 */
public final class Watcher {

    static final long QUIET_MILLIS = 2_000;
    static final long LOOK_EVERY_MILLIS = 1_000;
    private static final long FIRST_RETRY_MILLIS = 5_000;
    private static final long LAST_RETRY_MILLIS = 300_000;
    private static final List<String> SHIPPED_KINDS = List.of(".hprof", ".hprof.gz", ".jfr", ".report.json",
            ".report.txt", ".html", ".collapsed", ".pprof");

    /** What the watcher knows of a file it did not ship yet. */
    private static final class Seen {
        String identity;
        long stableSince;
        boolean incomplete;
        long retryAt;
        long backoff = FIRST_RETRY_MILLIS;
        String said;
    }

    private final Path directory;
    private final Shipper shipper;
    private final PrintStream out;
    private final Map<String, Seen> seen = new HashMap<>();

    public Watcher(Path directory, Shipper shipper, PrintStream out) {
        this.directory = directory;
        this.shipper = shipper;
        this.out = out;
    }

    /** Runs until the thread is interrupted (or the process killed). */
    public void run() throws InterruptedException {
        out.println("watching " + directory + " (every " + LOOK_EVERY_MILLIS + " ms)");
        out.flush();
        while (!Thread.currentThread().isInterrupted()) {
            look();
            Thread.sleep(LOOK_EVERY_MILLIS);
        }
    }

    /** One look at the folder: ships what became complete, retries what is due. */
    void look() {
        Map<String, ShipLog.Shipment> shipped;
        try {
            shipped = ShipLog.read(directory);
        } catch (IOException e) {
            say(null, "cannot read the index of " + directory + ": " + e.getMessage());
            return;
        }
        Map<String, Seen> now = new HashMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, Watcher::candidate)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                Seen s = seen.getOrDefault(name, new Seen());
                now.put(name, s);
                try {
                    consider(file, s, shipped);
                } catch (NoSuchFileException e) {
                    now.remove(name);
                } catch (IOException e) {
                    say(s, "cannot read " + file + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            say(null, "cannot list " + directory + ": " + e.getMessage());
        }
        seen.clear();
        seen.putAll(now);
    }

    private void consider(Path file, Seen s, Map<String, ShipLog.Shipment> shipped) throws IOException {
        if (ShipLog.shipped(shipped, file)) {
            return;
        }
        long nowMillis = System.currentTimeMillis();
        String identity = ShipLog.identity(file);
        if (!identity.equals(s.identity)) {
            s.identity = identity;
            s.stableSince = nowMillis;
            s.incomplete = false;
            s.retryAt = 0;
            s.backoff = FIRST_RETRY_MILLIS;
            return;
        }
        if (s.incomplete || nowMillis - s.stableSince < QUIET_MILLIS || nowMillis < s.retryAt) {
            return;
        }
        String problem = problem(file);
        if (problem != null) {
            s.incomplete = true;
            say(s, "waiting for " + file + ": not complete (" + problem + ")");
            return;
        }
        Shipper.Result result = shipper.ship(file, Origin.of(file), true, false);
        switch (result.outcome()) {
            case SHIPPED:
                say(s, result.line());
                break;
            case ALREADY_SHIPPED:
            case BUSY:
                s.retryAt = nowMillis + FIRST_RETRY_MILLIS;
                break;
            default:
                s.retryAt = System.currentTimeMillis() + s.backoff;
                say(s, result.line() + " (trying again in " + s.backoff / 1000 + " s)");
                s.backoff = Math.min(LAST_RETRY_MILLIS, s.backoff * 2);
        }
    }

    /** Why a file is not complete, or null when it is. */
    static String problem(Path file) {
        String name = file.getFileName().toString();
        if (name.endsWith(".hprof") || name.endsWith(".hprof.gz")) {
            HprofFile.Check check = HprofFile.check(file);
            return check.complete() ? null : check.reason();
        }
        if (name.endsWith(".jfr")) {
            JfrFile.Check check = JfrFile.check(file);
            return check.complete() ? null : check.reason();
        }
        return null;
    }

    private static boolean candidate(Path file) {
        String name = file.getFileName().toString();
        return !name.startsWith(".") && SHIPPED_KINDS.stream().anyMatch(name::endsWith) && Files.isRegularFile(file);
    }

    private void say(Seen s, String line) {
        if (s != null) {
            if (line.equals(s.said)) {
                return;
            }
            s.said = line;
        }
        out.println(line);
        out.flush();
    }
}
