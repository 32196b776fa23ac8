package dev.oomheapdump.jconsole;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Where the tab puts what it fetches to show here (a flame graph for the browser, a heap dump for VisualVM's
 * viewer): a folder readable by this user only in the temporary folder, made on first use, a new subfolder for each
 * fetch, all deleted when the console exits.
 */
final class PrivateFolder {

    private static final String PREFIX = "oom-heapdump-";

    private final Path parent;
    private final String console;
    private Path root; // guarded by this

    /**
     * @param parent  where the folder is made; null for the temporary folder ({@code java.io.tmpdir})
     * @param console the console whose exit deletes it, for the cleaner thread's name
     */
    PrivateFolder(Path parent, String console) {
        this.parent = parent;
        this.console = console;
    }

    /** The private folder, made on first use (rwx for this user only where the file system has POSIX permissions). */
    synchronized Path root() throws IOException {
        if (root == null) {
            Path folder = privateFolder(parent, PREFIX);
            Thread cleaner = new Thread(() -> deleteTree(folder), "oom-heapdump-" + console.toLowerCase(java.util.Locale.ROOT)
                    + "-cleanup");
            Runtime.getRuntime().addShutdownHook(cleaner);
            root = folder;
        }
        return root;
    }

    /** A new, empty private subfolder for one fetch: a name given twice never meets an older file. */
    Path newFolder() throws IOException {
        return privateFolder(root(), "");
    }

    private static Path privateFolder(Path in, String prefix) throws IOException {
        try {
            FileAttribute<?> owner = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
            return in == null ? Files.createTempDirectory(prefix, owner) : Files.createTempDirectory(in, prefix, owner);
        } catch (UnsupportedOperationException e) {
            // no POSIX permissions (Windows): the user's own temporary folder is private already
            return in == null ? Files.createTempDirectory(prefix) : Files.createTempDirectory(in, prefix);
        }
    }

    private static void deleteTree(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // the console exits: what cannot be deleted stays in the temporary folder
        }
    }
}
