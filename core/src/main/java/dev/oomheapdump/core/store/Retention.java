package dev.oomheapdump.core.store;

import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.ArtifactKind;
import dev.oomheapdump.core.ArtifactState;
import dev.oomheapdump.core.OomEvent;
import dev.oomheapdump.core.OomEvents;
import dev.oomheapdump.core.OomPolicy;
import dev.oomheapdump.core.Sizes;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The options {@code maxDumps} and {@code maxBytes}: what the suite keeps in its directory, oldest first out.
 *
 * <p>{@code maxDumps} counts heap dumps (snapshots and OOM dumps, complete or not); {@code maxBytes} counts the
 * bytes of every listed file. Over a bound, files go in this order: heap snapshots and CPU profiles made on request,
 * oldest first, then OOM dumps, oldest first; a dump's reports go with it. Never deleted: the newest OOM dump (and
 * the newest complete one, when the newest is cut short), a file being written, a file in use ({@link InUse}:
 * read, analyzed), a file being uploaded ({@link ShipLock}), and under option {@code ship} a file it is to upload that
 * is not shipped yet. When what is over a bound is all protected, a {@link OomEvent#RETENTION_UNMET} event says
 * so, once, until the bound is met again.
 *
 * <p>It runs when {@link #request asked} (after a file is made, after a policy change, at start), on the thread that
 * calls {@link #runIfRequested}: the directory watcher, never an application thread.
 */
public final class Retention {

    private static final Set<ArtifactKind> ON_REQUEST = Set.of(ArtifactKind.HEAP_SNAPSHOT, ArtifactKind.CPU_PROFILE);

    private final ArtifactStore store;
    private final Tell events;
    private final AtomicBoolean requested = new AtomicBoolean(true);
    private final java.util.function.Predicate<Artifact> awaitingShipment;
    private String lastUnmet;

    /** Where retention tells what it did: {@code OomEvents::emit}. */
    @FunctionalInterface
    public interface Tell {
        void emit(String type, String message, Map<String, String> data);
    }

    public Retention(ArtifactStore store, Tell events) {
        this(store, events, a -> false);
    }

    /**
     * @param awaitingShipment true for a file option {@code ship} is to upload and that is not shipped yet, or that is
     *                         being shipped on request: kept
     */
    public Retention(ArtifactStore store, Tell events, java.util.function.Predicate<Artifact> awaitingShipment) {
        this.store = store;
        this.events = events;
        this.awaitingShipment = awaitingShipment;
    }

    /** Asks for a run at the next {@link #runIfRequested}. Cheap, allocation-free: any thread may call it. */
    public void request() {
        requested.set(true);
    }

    /** Runs once when asked since the last run. */
    public void runIfRequested(OomPolicy policy) {
        if (requested.getAndSet(false)) {
            run(policy.maxDumps(), policy.maxBytes());
        }
    }

    /**
     * Deletes what is over the bounds now.
     *
     * @param maxDumps most heap dumps, 0 for no bound
     * @param maxBytes most bytes of all files, 0 for no bound
     * @return the deleted files
     */
    synchronized List<Artifact> run(int maxDumps, long maxBytes) {
        List<Artifact> deleted = new ArrayList<>();
        List<String> unmet = new ArrayList<>();
        List<String> detail = new ArrayList<>();
        if (maxDumps > 0) {
            store.refresh();
            List<Artifact> dumps = store.list().stream().filter(a -> a.kind().isHeapDump()).toList();
            int over = dumps.size() - maxDumps;
            String why = OomPolicy.MAX_DUMPS + "=" + maxDumps;
            for (Artifact candidate : candidates(Set.of(ArtifactKind.HEAP_SNAPSHOT))) {
                if (over <= 0) {
                    break;
                }
                if (delete(candidate, why, deleted)) {
                    over--;
                }
            }
            if (over > 0) {
                unmet.add(why);
                detail.add(dumps.size() + " heap dumps, " + over + " over " + why);
            }
        }
        if (maxBytes > 0) {
            store.refresh();
            long over = store.list().stream().mapToLong(Artifact::bytes).sum() - maxBytes;
            String why = OomPolicy.MAX_BYTES + "=" + Sizes.option(maxBytes);
            for (Artifact candidate : candidates(ON_REQUEST)) {
                if (over <= 0) {
                    break;
                }
                long before = candidate.bytes() + reportsOf(candidate).stream().mapToLong(Artifact::bytes).sum();
                if (delete(candidate, why, deleted)) {
                    over -= before;
                }
            }
            if (over > 0) {
                unmet.add(why);
                detail.add(Sizes.human(over) + " over " + why);
            }
        }
        tellUnmet(unmet, detail);
        return deleted;
    }

    /**
     * What may go, in order: files of the given on-request kinds, oldest first, then OOM dumps, oldest first; without
     * what is protected.
     */
    private List<Artifact> candidates(Set<ArtifactKind> onRequest) {
        List<Artifact> listing = store.list();
        Set<Artifact> protectedDumps = new LinkedHashSet<>();
        newest(listing, a -> true).ifPresent(protectedDumps::add);
        newest(listing, Artifact::isComplete).ifPresent(protectedDumps::add);
        Comparator<Artifact> oldestFirst = Comparator.comparingLong(Artifact::createdMillis);
        List<Artifact> candidates = new ArrayList<>();
        listing.stream().filter(a -> onRequest.contains(a.kind())).sorted(oldestFirst).forEach(candidates::add);
        listing.stream().filter(a -> a.kind() == ArtifactKind.OOM_DUMP && !protectedDumps.contains(a))
                .sorted(oldestFirst).forEach(candidates::add);
        return candidates;
    }

    private static Optional<Artifact> newest(List<Artifact> listing, java.util.function.Predicate<Artifact> which) {
        return listing.stream().filter(a -> a.kind() == ArtifactKind.OOM_DUMP).filter(which)
                .max(Comparator.comparingLong(Artifact::createdMillis));
    }

    /** Deletes a file and its reports, unless protected now; true when the file went. */
    private boolean delete(Artifact candidate, String why, List<Artifact> deleted) {
        if (!deletable(candidate)) {
            return false;
        }
        List<Artifact> reports = reportsOf(candidate);
        Optional<Artifact> gone;
        try {
            gone = store.delete(name(candidate), Set.of(candidate.kind()), candidate.kind().label());
        } catch (RuntimeException e) {
            return false; // being written after all, or the file system refused: left for the next run
        }
        gone.ifPresent(a -> tellDeleted(a, why, deleted));
        for (Artifact report : reports) {
            if (deletable(report)) {
                try {
                    store.delete(name(report), Set.of(ArtifactKind.HEAP_REPORT), ArtifactKind.HEAP_REPORT.label())
                            .ifPresent(a -> tellDeleted(a, why, deleted));
                } catch (RuntimeException e) {
                    // the report stays; it is counted next time
                }
            }
        }
        return gone.isPresent();
    }

    private boolean deletable(Artifact artifact) {
        return artifact.state() != ArtifactState.IN_PROGRESS && store.inUse().reason(name(artifact)).isEmpty()
                && !awaitingShipment.test(artifact) && !ShipLock.held(artifact.path());
    }

    /** A heap dump's reports ({@code x.report.json}, {@code x.report.txt} for {@code x.hprof} or {@code x.hprof.gz}). */
    private List<Artifact> reportsOf(Artifact dump) {
        if (!dump.kind().isHeapDump()) {
            return List.of();
        }
        String name = name(dump);
        String base = name.substring(0, name.length() - dump.kind().extensionOf(name).length());
        List<Artifact> reports = new ArrayList<>();
        for (String extension : ArtifactKind.HEAP_REPORT.extensions()) {
            store.find(base + extension).ifPresent(reports::add);
        }
        return reports;
    }

    private void tellDeleted(Artifact artifact, String why, List<Artifact> deleted) {
        deleted.add(artifact);
        Map<String, String> data = new java.util.LinkedHashMap<>(OomEvents.artifactData(artifact));
        data.put("reason", "retention: " + why);
        events.emit(OomEvent.FILE_DELETED, "Deleted " + artifact.path() + " (retention: " + why + ")", data);
    }

    /** Tells once per bound that cannot be met, until it is met again. */
    private void tellUnmet(List<String> unmet, List<String> detail) {
        String bounds = unmet.isEmpty() ? null : String.join(" and ", unmet);
        if (bounds != null && !bounds.equals(lastUnmet)) {
            String message = "Retention cannot meet " + bounds + ": " + String.join(", ", detail) + ", and the rest is "
                    + "protected (the newest OOM dump, files being written, in use or not shipped yet)";
            events.emit(OomEvent.RETENTION_UNMET, message, OomEvents.map("bounds", bounds, "reason", message));
        }
        lastUnmet = bounds;
    }

    private static String name(Artifact artifact) {
        return artifact.path().getFileName().toString();
    }
}
