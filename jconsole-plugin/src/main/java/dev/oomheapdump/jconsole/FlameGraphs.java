package dev.oomheapdump.jconsole;

import dev.oomheapdump.core.ProfileEvent;
import dev.oomheapdump.core.ProfileFormat;
import dev.oomheapdump.core.format.ProfileViews;
import dev.oomheapdump.jconsole.TabState.ArtifactRow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What "Open flame graph" brings to this computer for a profile: the flame graph the JVM made beside its recording,
 * or, where it made none (its {@code ProfileFormats} leave out {@code html}, the view failed, or it is being
 * written), one made here from the recording by the same converter. The files go to the tab's {@link PrivateFolder}
 * (this user only, deleted when the console exits), a new subfolder for each fetch. Without Swing; fetching and
 * converting block: call them off the event thread.
 */
final class FlameGraphs {

    static final String HTML = ProfileFormat.HTML.extension();
    static final String JFR = ProfileFormat.JFR.extension();
    private final PrivateFolder folder;
    private final String console;
    private final Map<String, Path> made = new ConcurrentHashMap<>();

    /**
     * @param folder  where fetched files go
     * @param console the console the tab runs in, named in the pages made here ("made in JConsole")
     */
    FlameGraphs(PrivateFolder folder, String console) {
        this.folder = folder;
        this.console = console;
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

    /** A new, empty private subfolder for one fetch. */
    Path newFolder() throws IOException {
        return folder.newFolder();
    }

    /** The console named in the pages made here. */
    String console() {
        return console;
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
     * recording was made for (CPU when it tells none), then deletes the recording. The page's title says it was made
     * in {@code console}.
     *
     * @return the flame graph, complete
     * @throws IOException when the recording cannot be read or the page cannot be written
     */
    static Path convert(Path jfr, String base, String console) throws IOException {
        ProfileEvent event = ProfileViews.recordedEvent(jfr).orElse(ProfileEvent.CPU);
        Path html = jfr.resolveSibling(base + HTML);
        Path part = jfr.resolveSibling("." + base + ".part" + HTML); // ends in .html: ProfileViews.problem checks it
        Files.deleteIfExists(part);
        try {
            ProfileViews.write(jfr, event, ProfileFormat.HTML, part, ProfileKind.capitalized(event.label()) + ": "
                    + jfr.getFileName() + " (made in " + console + ")");
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
