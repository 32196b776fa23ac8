package dev.oomheapdump.jconsole;

import dev.oomheapdump.core.ProfileEvent;
import dev.oomheapdump.core.ProfileFormat;
import dev.oomheapdump.core.format.ProfileViews;
import dev.oomheapdump.jconsole.TabState.ArtifactRow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * What "Open flame graph" brings to this computer for a profile: the flame graph the JVM made beside its recording,
 * or, where it made none (its {@code ProfileFormats} leave out {@code html}, the view failed, or it is being
 * written), one made here from the recording by the same converter. The files go to a private folder (this user
 * only) in the temporary folder, a new subfolder for each fetch; the folder is deleted when JConsole exits. Without
 * Swing; fetching and converting block: call them off the event thread.
 */
final class FlameGraphs {

    static final String HTML = ProfileFormat.HTML.extension();
    static final String JFR = ProfileFormat.JFR.extension();
    private static final String PREFIX = "oom-heapdump-flame-";

    private final Path parent;
    private final Map<String, Path> made = new ConcurrentHashMap<>();
    private Path root; // guarded by this

    /**
     * @param parent where the private folder is made; null for the temporary folder ({@code java.io.tmpdir})
     */
    FlameGraphs(Path parent) {
        this.parent = parent;
    }

    /**
     * The file of the host to fetch for one profile.
     *
     * @param base   the profile's name without extension ({@code allocprofile-20260101-120000})
     * @param source its complete flame graph ({@code <base>.html}) or, when it has none, its complete recording
     */
    record Plan(String base, ArtifactRow source) {

        /** The source is the recording: the flame graph is made here. */
        boolean convert() {
            return !source.name().endsWith(HTML);
        }

        String flameGraphName() {
            return base + HTML;
        }
    }

    /**
     * What to fetch for the selected rows: they must all be files of one profile (its {@code .jfr}, {@code .html},
     * {@code .collapsed}, {@code .pprof}); then its {@code .html} when listed complete, else its {@code .jfr} when
     * listed complete. Empty otherwise.
     */
    static Optional<Plan> plan(List<ArtifactRow> selected, List<ArtifactRow> listed) {
        if (selected.isEmpty()) {
            return Optional.empty();
        }
        String base = basePath(selected.get(0));
        if (base == null || selected.stream().anyMatch(row -> !base.equals(basePath(row)))) {
            return Optional.empty();
        }
        Optional<ArtifactRow> source = listed(listed, base + HTML).or(() -> listed(listed, base + JFR));
        return source.map(row -> new Plan(row.name().substring(0, row.name().lastIndexOf('.')), row));
    }

    private static Optional<ArtifactRow> listed(List<ArtifactRow> listed, String path) {
        return listed.stream().filter(row -> row.cpuProfile() && row.complete() && row.path().equals(path)).findFirst();
    }

    /** The path of a profile's file without its extension; null for a file that is not part of a profile. */
    static String basePath(ArtifactRow row) {
        ProfileFormat format = row.cpuProfile() ? ProfileFormat.ofFileName(row.path()) : null;
        return format == null ? null : row.path().substring(0, row.path().length() - format.extension().length());
    }

    /** The private folder, made on first use (rwx for this user only where the file system has POSIX permissions). */
    synchronized Path root() throws IOException {
        if (root == null) {
            Path folder = privateFolder(parent, PREFIX);
            Thread cleaner = new Thread(() -> deleteTree(folder), "oom-heapdump-jconsole-flame-cleanup");
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
            // JConsole exits: what cannot be deleted stays in the temporary folder
        }
    }

    /** The flame graph brought before for this very source (same path, size and time), if it is still there. */
    Path known(Plan plan) {
        Path file = made.get(key(plan.source()));
        return file != null && Files.isRegularFile(file) ? file : null;
    }

    void remember(Plan plan, Path flameGraph) {
        made.put(key(plan.source()), flameGraph);
    }

    private static String key(ArtifactRow row) {
        return row.path() + '\n' + row.bytes() + '\n' + row.createdMillis();
    }

    /**
     * Makes {@code <base>.html} beside a fetched recording with async-profiler's converter, for the event the
     * recording was made for (CPU when it tells none), then deletes the recording.
     *
     * @return the flame graph, complete
     * @throws IOException when the recording cannot be read or the page cannot be written
     */
    static Path convert(Path jfr, String base) throws IOException {
        ProfileEvent event = ProfileViews.recordedEvent(jfr).orElse(ProfileEvent.CPU);
        Path html = jfr.resolveSibling(base + HTML);
        Path part = jfr.resolveSibling("." + base + ".part" + HTML); // ends in .html: ProfileViews.problem checks it
        Files.deleteIfExists(part);
        try {
            ProfileViews.write(jfr, event, ProfileFormat.HTML, part, ProfileKind.capitalized(event.label()) + ": "
                    + jfr.getFileName() + " (made in JConsole)");
            String problem = ProfileViews.problem(part);
            if (problem != null) {
                throw new IOException("the converter wrote an incomplete page: " + problem);
            }
            Files.move(part, html, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(part);
        }
        Files.delete(jfr);
        return html;
    }
}
