package dev.oomheapdump.core.store;

import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.ArtifactKind;
import dev.oomheapdump.core.ArtifactName;
import dev.oomheapdump.core.ArtifactOrigin;
import dev.oomheapdump.core.ArtifactState;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one folder the suite writes to, lists and deletes from.
 *
 * <p>Every file the suite makes is first written to an index in the folder ({@value #INDEX_NAME}), then
 * written under a hidden temporary name and renamed once checked complete. The index is what tells the
 * suite's files (made now or by an earlier run) from anything else in the folder: only indexed files are
 * listed and only they can be deleted. A file whose write was cut short (a kill, a full disk) is listed
 * as {@link ArtifactState#TRUNCATED}, never as good.
 *
 * <p>The listing is cached: {@link #list()} never touches the disk; {@link #refresh()} rebuilds it and is
 * called after every change the suite makes and by the directory watcher.
 */
public final class ArtifactStore {

    /** The index file's name inside the directory. */
    public static final String INDEX_NAME = ".oom-heapdump-index";

    private final Path directory;
    private final ArtifactIndex index;
    private final Object lock = new Object();
    /** Files being written by this JVM through a temporary name. */
    private final Map<String, Reservation> active = new HashMap<>();
    /** Final names being written in place by someone else (the JVM's OOM hook). */
    private final Set<String> writingInPlace = new HashSet<>();
    /** Final names reserved for a writer that writes in place (the armed OOM hook), until released. */
    private final Set<String> heldInPlace = new HashSet<>();
    private final FileChecks checks = new FileChecks();
    private final InUse inUse = new InUse();
    private volatile List<Artifact> listing = List.of();
    /** Guarded by lock: complete plain stages whose compression was cut short, found by the last listing. */
    private final Map<ArtifactIndex.Entry, Path> stagesToKeep = new java.util.LinkedHashMap<>();
    /** A complete plain stage that did not change for this long has no writer any more. */
    static final long STAGE_QUIET_MILLIS = 60_000;
    /** Guarded by lock: what {@link #look} compares. */
    private long lastDirectoryTime = -1;
    private long lastIndexBytes = -1;
    private int looksSinceFull;
    static final int FULL_LOOK_EVERY = 10;

    /** A name taken for a file about to be written. */
    public static final class Reservation {
        private final String name;
        private final ArtifactKind kind;
        private final Path finalPath;
        private final Path writePath;
        private final Path stagePath;

        private Reservation(String name, ArtifactKind kind, Path finalPath, Path writePath, Path stagePath) {
            this.name = name;
            this.kind = kind;
            this.finalPath = finalPath;
            this.writePath = writePath;
            this.stagePath = stagePath;
        }

        public String name() {
            return name;
        }

        public ArtifactKind kind() {
            return kind;
        }

        /** Where the file will be once complete. */
        public Path finalPath() {
            return finalPath;
        }

        /** Where to write it: a hidden temporary name, or the final one for writes the suite cannot rename. */
        public Path writePath() {
            return writePath;
        }

        /**
         * For a {@code .hprof.gz} the suite compresses itself: the hidden name the plain dump is written under
         * first ({@link FileNames#stageName}), to be compressed into {@link #writePath}.
         */
        public Optional<Path> stagePath() {
            return Optional.ofNullable(stagePath);
        }
    }

    /**
     * Opens the folder, creating it if missing, and lists what earlier runs left there.
     *
     * @throws IOException when the folder cannot be made or read
     */
    public ArtifactStore(Path directory) throws IOException {
        this.directory = directory.toAbsolutePath().normalize();
        this.index = new ArtifactIndex(this.directory.resolve(INDEX_NAME));
        Files.createDirectories(this.directory);
        refresh();
    }

    public Path directory() {
        return directory;
    }

    /** The files being read, analyzed or shipped now, which retention leaves alone. */
    public InUse inUse() {
        return inUse;
    }

    /**
     * Takes a name for a new file and records it in the index before any byte is written, so that even a
     * kill during the write leaves a file the next run knows about.
     *
     * @param fileName       the file name, with the kind's extension, already checked by {@link FileNames}
     * @param unique         when the name is taken: true picks {@code name-2}, {@code name-3}...; false refuses
     * @param inPlace        true when the writer cannot write a temporary file (the JVM's OOM hook)
     * @throws IllegalArgumentException when the name is taken and {@code unique} is false
     * @throws IOException              when the folder or the index cannot be written
     */
    public Reservation reserve(String fileName, ArtifactKind kind, boolean unique, boolean inPlace) throws IOException {
        synchronized (lock) {
            Files.createDirectories(directory);
            String extension = kind.extensionOf(fileName);
            String base = fileName.substring(0, fileName.length() - extension.length());
            String name = fileName;
            for (int i = 2; taken(name, kind); i++) {
                if (!unique) {
                    throw new IllegalArgumentException("File '" + fileName + "' already exists in " + directory
                            + "; nothing is overwritten: choose another name or delete it first");
                }
                name = base + "-" + i + extension;
            }
            index.append(kind, name);
            Path finalPath = directory.resolve(name);
            Path stage = inPlace ? null : FileNames.stageName(name).map(directory::resolve).orElse(null);
            Reservation reservation = new Reservation(name, kind, finalPath,
                    inPlace ? finalPath : directory.resolve(FileNames.temporaryName(name, kind)), stage);
            if (inPlace) {
                heldInPlace.add(name);
            } else {
                active.put(name, reservation);
            }
            refresh();
            return reservation;
        }
    }

    private boolean taken(String name, ArtifactKind kind) {
        return active.containsKey(name) || heldInPlace.contains(name) || Files.exists(directory.resolve(name))
                || Files.exists(directory.resolve(FileNames.temporaryName(name, kind)))
                || FileNames.stageName(name).map(stage -> Files.exists(directory.resolve(stage))).orElse(false);
    }

    /** Gives up an in-place reservation (the OOM hook was disarmed or has written its file). */
    public void release(Reservation reservation) {
        synchronized (lock) {
            heldInPlace.remove(reservation.name());
        }
    }

    /**
     * Checks the written temporary file and renames it to its final name.
     *
     * @return the listed artifact
     * @throws IOException when the file is not complete (it is deleted; a plain stage stays, and the caller keeps
     *                     it with {@link #commitUncompressed} or deletes it with {@link #abort}) or cannot be renamed
     */
    public Artifact commit(Reservation reservation) throws IOException {
        Path temp = reservation.writePath();
        String problem;
        boolean walked = false;
        try {
            problem = checks.walk(temp, reservation.kind());
            walked = true;
        } catch (OutOfMemoryError e) {
            // The writer returned normally; the walk could not get memory. The listing walks the file again.
            problem = null;
        }
        if (problem != null) {
            if (reservation.stagePath != null) {
                // the plain stage stays for the caller: kept uncompressed (commitUncompressed) or aborted
                deleteWithSegments(temp);
            } else {
                abort(reservation);
            }
            throw new IOException("The " + reservation.kind().label() + " written to " + temp
                    + " is not complete (" + problem + "); it was deleted");
        }
        synchronized (lock) {
            try {
                // the compressed copy is whole: its plain stage goes before the rename (a kill in between leaves
                // the complete temporary file, which the listing renames)
                if (reservation.stagePath != null) {
                    deleteWithSegments(reservation.stagePath);
                }
                Files.move(temp, reservation.finalPath(), StandardCopyOption.ATOMIC_MOVE);
                if (walked && problem == null) {
                    // a rename keeps size and time: the walk just made stands for the final name too
                    attributes(reservation.finalPath()).ifPresent(a -> checks.complete(reservation.name(), a));
                }
            } catch (FileAlreadyExistsException e) {
                abort(reservation);
                throw new IOException("File " + reservation.finalPath() + " appeared during the write; "
                        + "nothing is overwritten and the new file was deleted", e);
            } finally {
                active.remove(reservation.name());
            }
        }
        refresh();
        return find(reservation.name()).orElseThrow(() -> new NoSuchFileException(reservation.finalPath().toString()));
    }

    /** Deletes what a failed write left (the temporary file and any dump segments) and forgets the name. */
    public void abort(Reservation reservation) {
        synchronized (lock) {
            active.remove(reservation.name());
            heldInPlace.remove(reservation.name());
            if (!reservation.writePath().equals(reservation.finalPath())) {
                deleteWithSegments(reservation.writePath());
            }
            if (reservation.stagePath != null) {
                deleteWithSegments(reservation.stagePath);
            }
        }
        refresh();
    }

    /**
     * Keeps a dump whose compression failed (or could not start) uncompressed: its complete plain stage is checked
     * and renamed to a plain {@code .hprof} of the same base name (a unique one when taken), the compressed
     * temporary file is deleted. An OOM dump that was written is never lost to a failed compression.
     *
     * @return the listed plain dump
     * @throws IOException when the stage is not complete (it is deleted) or cannot be renamed
     */
    public Artifact commitUncompressed(Reservation compressed) throws IOException {
        Path stage = compressed.stagePath().orElseThrow(() -> new IllegalArgumentException(compressed.name()
                + " has no plain stage"));
        Reservation plain;
        synchronized (lock) {
            String base = compressed.name().substring(0, compressed.name().length() - ArtifactKind.GZIP_HPROF.length());
            plain = reserve(base + compressed.kind().extension(), compressed.kind(), true, false);
            try {
                Files.move(stage, plain.writePath(), StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                abort(plain);
                forget(compressed); // the stage stays, and the listing keeps it once its writer is gone
                throw e;
            }
            abort(compressed); // the stage is gone already: this deletes what the compression left
        }
        return commit(plain);
    }

    /**
     * Stops tracking a write whose file is complete but could not be renamed (no memory for it): the file
     * stays under its temporary name, and the next {@link #refresh} renames it.
     */
    public void forget(Reservation reservation) {
        synchronized (lock) {
            active.remove(reservation.name());
        }
    }

    /** Marks a final name as being written in place (the JVM's OOM hook fired), or no longer. */
    public void markWritingInPlace(String name, boolean writing) {
        synchronized (lock) {
            if (writing) {
                writingInPlace.add(name);
            } else {
                writingInPlace.remove(name);
            }
        }
        refresh();
    }

    /** The cached listing, oldest first. Never touches the disk. */
    public List<Artifact> list() {
        return listing;
    }

    /**
     * The listed file a request names: its file name, its absolute path, or its name without the extension.
     *
     * @throws IllegalArgumentException when the request is empty or names no listed file
     */
    public Artifact listed(String requested) {
        if (requested == null || requested.isBlank()) {
            throw new IllegalArgumentException("path is empty: give a listed file's name or absolute path");
        }
        String name = requested.trim();
        Optional<Artifact> picked = ArtifactName.pick(name, listing, a -> a.path().toString());
        if (picked.isPresent()) {
            return picked.get();
        }
        throw new IllegalArgumentException("'" + FileNames.shorten(name) + "' is not a file oom-heapdump made in "
                + directory);
    }

    /** The listed artifact with this final (or leftover temporary) file name. */
    public Optional<Artifact> find(String fileName) {
        return listing.stream().filter(a -> a.path().getFileName().toString().equals(fileName)).findFirst();
    }

    /**
     * The watcher's look: a full {@link #refresh} when the directory changed (a file made, renamed or deleted
     * changes its time), when the index grew, while something is being written, and at least every
     * {@value #FULL_LOOK_EVERY} looks (a file changed in place); otherwise two {@code stat} calls and nothing more.
     * It runs once a second in the application's JVM, interpreted (once a second never gets it compiled).
     */
    public void look() {
        synchronized (lock) {
            long directoryTime = modifiedNanos(directory);
            long indexBytes = index.length();
            boolean quiet = active.isEmpty() && writingInPlace.isEmpty() && directoryTime == lastDirectoryTime
                    && indexBytes == lastIndexBytes && looksSinceFull < FULL_LOOK_EVERY;
            if (quiet) {
                looksSinceFull++;
                return;
            }
            refresh();
            looksSinceFull = 0;
            lastDirectoryTime = directoryTime;
            lastIndexBytes = indexBytes;
        }
    }

    /** A file's time in nanoseconds (a change within the same millisecond still shows), -1 when it is missing. */
    private static long modifiedNanos(Path path) {
        if (!path.toFile().exists()) {
            return -1;
        }
        try {
            return Files.getLastModifiedTime(path).to(java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Rebuilds the listing from the index and the disk; reads the index again when another JVM appended to
     * it, and walks only files that changed since the last walk.
     */
    public void refresh() {
        synchronized (lock) {
            restoreDirectory();
            try {
                index.readNew();
            } catch (IOException e) {
                // An unreadable index keeps what was known; the next refresh tries again.
            }
            List<Artifact> artifacts = new ArrayList<>();
            for (ArtifactIndex.Entry entry : index.entries()) {
                artifact(entry).ifPresent(artifacts::add);
            }
            if (keepStages()) {
                artifacts.clear();
                for (ArtifactIndex.Entry entry : index.entries()) {
                    artifact(entry).ifPresent(artifacts::add);
                }
            }
            artifacts.sort(Comparator.comparingLong(Artifact::createdMillis).thenComparing(a -> a.path().toString()));
            listing = List.copyOf(artifacts);
        }
    }

    private Optional<Artifact> artifact(ArtifactIndex.Entry entry) {
        ArtifactOrigin origin = entry.runId().equals(index.runId()) ? ArtifactOrigin.THIS_RUN : ArtifactOrigin.EARLIER_RUN;
        Path finalPath = directory.resolve(entry.name());
        Path temp = directory.resolve(FileNames.temporaryName(entry.name(), entry.kind()));
        Optional<Path> stage = FileNames.stageName(entry.name()).map(directory::resolve);
        Reservation writing = active.get(entry.name());
        if (writing != null) {
            return Optional.of(new Artifact(finalPath, entry.kind(), sizeOrZero(temp) + stage.map(
                    ArtifactStore::sizeOrZero).orElse(0L), entry.createdMillis(), ArtifactState.IN_PROGRESS, origin,
                    "being written"));
        }
        Optional<BasicFileAttributes> attributes = attributes(finalPath);
        if (attributes.isPresent()) {
            BasicFileAttributes a = attributes.get();
            long modified = a.lastModifiedTime().toMillis();
            if (writingInPlace.contains(entry.name())) {
                return Optional.of(new Artifact(finalPath, entry.kind(), a.size(), modified, ArtifactState.IN_PROGRESS,
                        origin, "being written by the JVM", entry.id(a)));
            }
            String problem = checks.problem(finalPath, entry.kind(), a);
            return Optional.of(new Artifact(finalPath, entry.kind(), a.size(), modified,
                    problem == null ? ArtifactState.COMPLETE : ArtifactState.TRUNCATED, origin,
                    problem == null ? "" : problem, entry.id(a), problem == null ? shippedTo(entry.name(), a) : ""));
        }
        Optional<BasicFileAttributes> leftover = attributes(temp);
        Optional<BasicFileAttributes> staged = stage.flatMap(ArtifactStore::attributes);
        if (leftover.isEmpty() && staged.isEmpty()) {
            return Optional.empty();
        }
        String problem = leftover.isPresent() ? checks.problem(temp, entry.kind(), leftover.get()) : "missing";
        if (leftover.isPresent() && problem == null && recover(temp, finalPath)) {
            // a complete file whose rename was cut short (the process died right after the write): finish it
            stage.ifPresent(ArtifactStore::deleteWithSegments);
            return artifact(entry);
        }
        if (staged.isPresent()) {
            return stagedArtifact(entry, origin, stage.get(), staged.get(), leftover);
        }
        BasicFileAttributes a = leftover.get();
        return Optional.of(new Artifact(temp, entry.kind(), a.size(), a.lastModifiedTime().toMillis(),
                ArtifactState.TRUNCATED, origin, problem == null ? "complete, but it could not be renamed"
                : "the write never finished (" + problem + ")", entry.id(a)));
    }

    /**
     * The plain stage of a {@code .hprof.gz} whose writer is not this JVM's: cut short (truncated), being compressed
     * by another JVM (it changed within {@link #STAGE_QUIET_MILLIS}), or left complete by a writer killed during
     * the compression: then it is kept, uncompressed, as a plain {@code .hprof} ({@link #keepStages}).
     */
    private Optional<Artifact> stagedArtifact(ArtifactIndex.Entry entry, ArtifactOrigin origin, Path stage,
                                              BasicFileAttributes a, Optional<BasicFileAttributes> compressed) {
        String problem = checks.problem(stage, entry.kind(), a);
        long changed = Math.max(a.lastModifiedTime().toMillis(), compressed.map(c -> c.lastModifiedTime().toMillis())
                .orElse(0L));
        if (problem == null && System.currentTimeMillis() - changed >= STAGE_QUIET_MILLIS) {
            stagesToKeep.put(entry, stage);
        }
        return Optional.of(new Artifact(stage, entry.kind(), a.size(), a.lastModifiedTime().toMillis(),
                problem == null ? ArtifactState.IN_PROGRESS : ArtifactState.TRUNCATED, origin,
                problem == null ? "written, being compressed" : "the write never finished (" + problem + ")"));
    }

    /** Renames complete stages whose compression was cut short to plain dumps, as made by their own run. */
    private boolean keepStages() {
        boolean kept = false;
        for (Map.Entry<ArtifactIndex.Entry, Path> stage : stagesToKeep.entrySet()) {
            ArtifactIndex.Entry entry = stage.getKey();
            String base = entry.name().substring(0, entry.name().length() - ArtifactKind.GZIP_HPROF.length());
            String extension = entry.kind().extension();
            String name = base + extension;
            for (int i = 2; taken(name, entry.kind()); i++) {
                name = base + "-" + i + extension;
            }
            try {
                index.appendAs(entry, name);
                Files.move(stage.getValue(), directory.resolve(name), StandardCopyOption.ATOMIC_MOVE);
                deleteWithSegments(directory.resolve(FileNames.temporaryName(entry.name(), entry.kind())));
                kept = true;
            } catch (IOException e) {
                // listed as it is; the next refresh tries again
            }
        }
        stagesToKeep.clear();
        return kept;
    }

    /** Where the file was shipped as it is now (same size and time as the shipment record says), or empty. */
    private String shippedTo(String name, BasicFileAttributes a) {
        ShipLog.Shipment shipment = index.shipments().get(name);
        return shipment != null && shipment.identity().equals(ShipLog.identity(a)) ? shipment.url() : "";
    }

    /** The JVM that made a file: its pid and when it started (epoch millis), as its run's id in the index tells. */
    public record Maker(long pid, long startMillis) {
    }

    /**
     * The JVM that made a listed file, from its entry in the index; empty for a name the index does not know or an
     * entry whose run id does not say.
     */
    public Optional<Maker> maker(String name) {
        synchronized (lock) {
            return index.entry(name).flatMap(ArtifactStore::makerOf);
        }
    }

    /**
     * The JVMs that made the files of a folder, by file name, from its index alone: read only, for a process that
     * does not keep the folder (the sidecar). Empty where the folder has no index.
     */
    public static Map<String, Maker> makersIn(Path directory) throws IOException {
        ArtifactIndex index = new ArtifactIndex(directory.toAbsolutePath().normalize().resolve(INDEX_NAME));
        index.readNew();
        Map<String, Maker> makers = new HashMap<>();
        for (ArtifactIndex.Entry entry : index.entries()) {
            makerOf(entry).ifPresent(m -> makers.put(entry.name(), m));
        }
        return makers;
    }

    /** An entry's run id is {@code <pid>-<start millis, hex>}. */
    private static Optional<Maker> makerOf(ArtifactIndex.Entry entry) {
        String[] parts = entry.runId().split("-");
        try {
            return parts.length < 2 ? Optional.empty()
                    : Optional.of(new Maker(Long.parseLong(parts[0]), Long.parseLong(parts[1], 16)));
        } catch (NumberFormatException x) {
            return Optional.empty();
        }
    }

    private static boolean recover(Path temp, Path finalPath) {
        try {
            Files.move(temp, finalPath, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A file's attributes, or empty when it is missing. The watcher asks every second, often for files that do
     * not exist (the armed hook's): a plain {@code stat} first, because a missing file costs NIO an exception.
     */
    private static Optional<BasicFileAttributes> attributes(Path path) {
        if (!path.toFile().exists()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readAttributes(path, BasicFileAttributes.class));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static long sizeOrZero(Path path) {
        return attributes(path).map(BasicFileAttributes::size).orElse(0L);
    }

    /** How many files this store walked so far. */
    long walks() {
        return checks.walks();
    }

    /**
     * Deletes one listed file (a complete one, a truncated one, or a truncated leftover under its temporary
     * name). Deleting a file the suite made that is already gone (deleted before, by hand, or with its folder) is
     * not an error: a repeated delete, whose first reply was lost, must not fail. A name the suite never made in
     * this directory (a typo) is refused, with the closest listed names.
     *
     * @param requested a file name or an absolute path in the directory
     * @param kinds     the kinds this delete may remove
     * @param what      how to name the kind in messages ("heap snapshot")
     * @return the deleted artifact, or empty when there was nothing left to delete
     * @throws IllegalArgumentException when the file is not one the suite made, was never made, or is of another kind
     * @throws IllegalStateException    when the file is being written
     * @throws UncheckedIOException     when the file system refuses the delete
     */
    public Optional<Artifact> delete(String requested, Set<ArtifactKind> kinds, String what) {
        // A name with another kind's extension resolves as that kind, so that the refusal names the real kind.
        // without an extension it is the first of the kinds in their declared order (a dump before its report)
        ArtifactKind extensionKind = java.util.Arrays.stream(ArtifactKind.values()).filter(kinds::contains).findFirst()
                .orElseThrow();
        for (ArtifactKind kind : ArtifactKind.values()) {
            if (requested != null && kind.matches(requested.trim())) {
                extensionKind = kind;
            }
        }
        ArtifactKind resolveAs = extensionKind;
        String name = leftoverName(requested).orElseGet(() -> FileNames.resolveRequest("path", requested, directory,
                resolveAs));
        Optional<Artifact> deleted;
        synchronized (lock) {
            refresh();
            Optional<Artifact> listed = find(name);
            if (listed.isEmpty()) {
                if (Files.exists(directory.resolve(name))) {
                    throw new IllegalArgumentException("'" + name + "' in " + directory + " was not made by "
                            + "oom-heapdump; it is left alone");
                }
                if (!index.knows(name)) {
                    throw new IllegalArgumentException("'" + name + "' was never made by oom-heapdump in " + directory
                            + "; " + NameHints.hint(name, listedNames(kinds), what));
                }
                return Optional.empty(); // made by the suite, and gone already: a repeated delete
            }
            Artifact artifact = listed.get();
            if (!kinds.contains(artifact.kind())) {
                throw new IllegalArgumentException("'" + name + "' is a " + artifact.kind().label() + ", not a "
                        + what);
            }
            if (artifact.state() == ArtifactState.IN_PROGRESS) {
                throw new IllegalStateException("'" + name + "' is being written; delete it once it is done");
            }
            try {
                boolean removed = Files.deleteIfExists(artifact.path());
                deleteSegments(artifact.path());
                deleted = removed ? Optional.of(artifact) : Optional.empty();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot delete " + artifact.path() + ": " + e, e);
            }
            checks.forget(name);
        }
        refresh();
        return deleted;
    }

    /** The file names of the listed files of some kinds. */
    private List<String> listedNames(Set<ArtifactKind> kinds) {
        List<String> names = new ArrayList<>();
        for (Artifact artifact : listing) {
            if (kinds.contains(artifact.kind())) {
                names.add(artifact.path().getFileName().toString());
            }
        }
        return names;
    }

    /**
     * Deletes every listed file of the given kinds that is not being written.
     *
     * @return what was deleted
     */
    public List<Artifact> deleteAll(Set<ArtifactKind> kinds, String what) {
        List<Artifact> deleted = new ArrayList<>();
        refresh();
        for (Artifact artifact : listing) {
            if (kinds.contains(artifact.kind()) && artifact.state() != ArtifactState.IN_PROGRESS) {
                delete(artifact.path().getFileName().toString(), Set.of(artifact.kind()), what).ifPresent(deleted::add);
            }
        }
        return deleted;
    }

    /** A request naming a leftover temporary file (listed as truncated) by its own name. */
    private Optional<String> leftoverName(String requested) {
        if (requested == null) {
            return Optional.empty();
        }
        String trimmed = requested.trim();
        String fileName = trimmed.startsWith(directory + "/") ? trimmed.substring(directory.toString().length() + 1)
                : trimmed;
        return listing.stream().map(a -> a.path().getFileName().toString())
                .filter(n -> n.startsWith(".") && n.equals(fileName)).findFirst();
    }

    private static void deleteWithSegments(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // left for the listing, which shows it as truncated
        }
        deleteSegments(path);
    }

    /** JDK 22+ writes a parallel dump as {@code name.p0}, {@code name.p1}... before merging them. */
    private static void deleteSegments(Path path) {
        Path parent = path.getParent();
        String glob = path.getFileName().toString() + ".p*";
        try (DirectoryStream<Path> segments = Files.newDirectoryStream(parent, glob)) {
            for (Path segment : segments) {
                Files.deleteIfExists(segment);
            }
        } catch (IOException e) {
            // nothing more to do: segments are never listed as artifacts
        }
    }

    /** An I/O failure in words that say what is wrong with the directory, not only a bare path. */
    public static String explain(IOException e, Path directory) {
        if (e instanceof java.nio.file.FileAlreadyExistsException && !Files.isDirectory(directory)) {
            return directory + " is not a directory (a file is in its place)";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied on " + e.getMessage();
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory: " + e.getMessage();
        }
        String message = e.getMessage();
        return message == null || message.isEmpty() ? e.toString() : message;
    }

    /** "; 12 MB free in DIR (JDK 22+ needs about twice a dump's size while it merges)", or empty. */
    public String freeSpace() {
        try {
            long free = Files.getFileStore(directory).getUsableSpace();
            return "; " + (free >> 20) + " MB free in " + directory
                    + (Runtime.version().feature() >= 22 ? " (JDK 22+ needs about twice a dump's size while it merges)" : "");
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /**
     * Makes the directory again when it vanished (the JVM's armed hook would fail to write into a missing
     * folder, and it fires only once), and writes the index again from memory when it is gone, so the files
     * stay the suite's.
     */
    private void restoreDirectory() {
        if (Files.isDirectory(directory) && index.exists()) {
            return;
        }
        try {
            Files.createDirectories(directory);
            index.restoreIfMissing();
        } catch (IOException e) {
            // a file in its place, or no permission: every write says so to its caller
        }
    }
}
