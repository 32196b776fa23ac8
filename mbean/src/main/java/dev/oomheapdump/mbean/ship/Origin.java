package dev.oomheapdump.mbean.ship;

import dev.oomheapdump.core.ArtifactKind;
import dev.oomheapdump.core.ShipTarget;
import dev.oomheapdump.core.store.ArtifactStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JVM a file came from, as its object key names it: {@code <host>/<start time>-<pid>}. The agent passes its
 * own; for other files (the sidecar's, a file named on the command line) it is the JVM the folder's index names, else
 * this host, the file's modification time and the pid in an {@code OoM-pid-<pid>} or {@code java_pid<pid>} name,
 * else 0. Times are UTC.
 *
 * @param host    the host name, reduced to letters, digits, dots, hyphens and underscores
 * @param started {@code yyyyMMdd-HHmmss}
 * @param pid     the process id, 0 when unknown
 */
public record Origin(String host, String started, long pid) {

    private static final Pattern PID_IN_NAME = Pattern.compile("(?:OoM-pid-|java_pid)(\\d{1,10})(?!\\d)");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._-]{1,253}");

    public Origin {
        checkHost(host);
        checkStarted(started);
        checkPid(pid);
    }

    /**
     * Checks the values the agent names, {@code --host}, {@code --started} and {@code --pid} (null: not given), before
     * any file is read.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public static void check(String host, String started, String pid) {
        if (host != null) {
            checkHost(host);
        }
        if (started != null) {
            checkStarted(started);
        }
        if (pid != null) {
            checkPid(parsePid(pid));
        }
    }

    /** The origin the agent names: {@code --host}, {@code --started}, {@code --pid} as given (null: the file's). */
    public static Origin of(String host, String started, String pid, Path file) throws IOException {
        Origin unknown = host != null && started != null && pid != null ? null : of(file);
        return new Origin(host == null ? unknown.host : host, started == null ? unknown.started : started,
                pid == null ? unknown.pid : parsePid(pid));
    }

    private static void checkHost(String host) {
        if (!HOST.matcher(host).matches() || host.equals(".") || host.equals("..")) {
            throw new IllegalArgumentException("--host must be a host name (letters, digits, '.', '-', '_'), not '"
                    + host + "'");
        }
    }

    private static void checkStarted(String started) {
        try {
            LocalDateTime.parse(started, ShipTarget.STARTED);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--started must be a UTC time as yyyyMMdd-HHmmss, not '" + started
                    + "'", e);
        }
    }

    private static void checkPid(long pid) {
        if (pid < 0) {
            throw new IllegalArgumentException("--pid must be a process id (0 or more), not '" + pid + "'");
        }
    }

    private static long parsePid(String pid) {
        try {
            return Long.parseLong(pid.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--pid must be a process id (0 or more), not '" + pid + "'", e);
        }
    }

    /**
     * The JVM a file came from: for a file the suite made, the JVM its folder's index names (for a report, the one that
     * made its dump), so the sidecar and a hand file it under the same {@code <start>-<pid>} as the agent's own
     * uploader would; else a file of unknown origin ({@link #unknown}).
     */
    public static Origin of(Path file) throws IOException {
        Origin unknown = Origin.unknown(file);
        Map<String, ArtifactStore.Maker> makers = ArtifactStore.makersIn(file.toAbsolutePath().getParent());
        String name = file.getFileName().toString();
        List<String> names = new ArrayList<>();
        for (String report : ArtifactKind.HEAP_REPORT.extensions()) {
            if (name.endsWith(report)) {
                String base = name.substring(0, name.length() - report.length());
                names.add(base + ArtifactKind.OOM_DUMP.extension());
                names.add(base + ArtifactKind.GZIP_HPROF);
            }
        }
        names.add(name);
        for (String candidate : names) {
            ArtifactStore.Maker maker = makers.get(candidate);
            if (maker != null) {
                return new Origin(unknown.host(), ShipTarget.startedText(maker.startMillis()), maker.pid());
            }
        }
        return unknown;
    }

    /** A file of unknown origin: this host, the file's modification time, the pid in its name or 0. */
    public static Origin unknown(Path file) throws IOException {
        Instant modified = Files.getLastModifiedTime(file).toInstant();
        Matcher m = PID_IN_NAME.matcher(file.getFileName().toString());
        return new Origin(ShipTarget.localHost(), ShipTarget.STARTED.format(modified),
                m.find() ? Long.parseLong(m.group(1)) : 0);
    }
}
