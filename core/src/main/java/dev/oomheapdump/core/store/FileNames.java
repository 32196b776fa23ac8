package dev.oomheapdump.core.store;

import dev.oomheapdump.core.ArtifactKind;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rules for file names: what a caller may ask for, and how the suite names what it makes.
 *
 * <p>Names are kept portable on purpose: ASCII letters, digits, {@code .}, {@code _} and {@code -},
 * at most {@value #MAX_NAME_LENGTH} characters, not starting with a dot (dot files are the suite's
 * temporary files and its index). A name that is valid on every file system and in every locale of
 * the target host cannot fail half way through a dump.
 */
public final class FileNames {

    public static final int MAX_NAME_LENGTH = 200;
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9._-]+");
    /** Loaded on first use: java.time formatting costs tens of milliseconds to set up, not at agent start. */
    private static final class Stamp {
        static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC);
    }

    private FileNames() {
    }

    /**
     * Checks a base name and strips the kind's extension from it if present.
     *
     * @param what how to name the value in an error ("path", "Option 'path'")
     * @throws IllegalArgumentException naming the value and the rule it breaks
     */
    public static String checkBaseName(String what, String name, ArtifactKind kind) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException(label(what) + " is empty");
        }
        String base = kind.matches(name) ? name.substring(0, name.length() - kind.extensionOf(name).length()) : name;
        if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0) {
            throw new IllegalArgumentException(label(what) + " '" + shorten(name)
                    + "' has a path separator: give a file name inside the dump directory");
        }
        if (base.isEmpty() || base.equals(".") || base.equals("..") || base.startsWith(".")) {
            throw new IllegalArgumentException(label(what) + " '" + shorten(name)
                    + "' is not allowed: names may not start with a dot");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException(label(what) + " '" + shorten(name) + "' is " + name.length()
                    + " characters long; at most " + MAX_NAME_LENGTH + " are allowed");
        }
        if (!ALLOWED.matcher(name).matches()) {
            throw new IllegalArgumentException(label(what) + " '" + shorten(name)
                    + "' has characters other than ASCII letters, digits, '.', '_' and '-'");
        }
        return base;
    }

    /**
     * Resolves a name asked for over JMX or the API to a file name inside {@code directory}, with the kind's
     * extension. Accepts a plain file name, or an absolute path whose folder is {@code directory}; refuses
     * everything else (other folders, {@code ..}, separators).
     *
     * @return the file name, with extension
     */
    public static String resolveRequest(String what, String requested, Path directory, ArtifactKind kind) {
        if (requested == null) {
            throw new IllegalArgumentException(label(what) + " is missing");
        }
        String name = requested.trim();
        if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0) {
            Path p;
            try {
                p = Paths.get(name);
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException(label(what) + " '" + shorten(name) + "' is not a valid path: "
                        + e.getReason());
            }
            if (!p.isAbsolute()) {
                throw new IllegalArgumentException(label(what) + " '" + shorten(name)
                        + "' has a path separator: give a file name, or an absolute path in " + directory);
            }
            Path normal = p.normalize();
            if (!directory.equals(normal.getParent()) || !normal.equals(p)) {
                throw new IllegalArgumentException(label(what) + " '" + shorten(name) + "' is outside the dump "
                        + "directory " + directory + ": only files directly in it are allowed");
            }
            name = normal.getFileName().toString();
        }
        return checkBaseName(what, name, kind) + kind.extensionOf(name);
    }

    /** A name for a file the caller did not name: {@code prefix-yyyyMMdd-HHmmss-SSS}. */
    public static String generated(String prefix, Instant now) {
        return prefix + "-" + Stamp.FORMAT.format(now);
    }

    /** The timestamp suffix used by {@code addTimestamp}. */
    public static String stamp(Instant now) {
        return Stamp.FORMAT.format(now);
    }

    /**
     * The temporary name a file is written under before the rename to {@code finalName}. It keeps the
     * extension ({@code dumpHeap} insists on {@code .hprof}) and is hidden.
     */
    public static String temporaryName(String finalName, ArtifactKind kind) {
        String extension = kind.extensionOf(finalName);
        String base = finalName.substring(0, finalName.length() - extension.length());
        return "." + base + ".inprogress" + extension;
    }

    /**
     * Where a heap dump that is compressed after it is written lies uncompressed first ({@code dumpHeap} cannot
     * gzip): {@code .x.inprogress-plain.hprof} for {@code x.hprof.gz}, beside its temporary
     * {@code .x.inprogress.hprof.gz}; empty for any other name. It is never another file's temporary name (those
     * end in {@code .inprogress} and an extension), so no listing takes it for the leftover of a plain dump.
     */
    public static Optional<String> stageName(String finalName) {
        if (!finalName.endsWith(ArtifactKind.GZIP_HPROF)) {
            return Optional.empty();
        }
        String base = finalName.substring(0, finalName.length() - ArtifactKind.GZIP_HPROF.length());
        return Optional.of("." + base + ".inprogress-plain" + ArtifactKind.OOM_DUMP.extension());
    }

    static String label(String what) {
        return what.isEmpty() ? "Name" : Character.toUpperCase(what.charAt(0)) + what.substring(1);
    }

    /** A value short enough to quote in a message. */
    public static String shorten(String value) {
        return value.length() <= 60 ? value : value.substring(0, 57) + "...";
    }
}
