package dev.oomheapdump.core.store;

import dev.oomheapdump.core.Periodic;

/**
 * Looks at the directory once a second ({@link ArtifactStore#look}: two {@code stat} calls when nothing changed,
 * no file read unless one changed), then one more step of the caller's. A polling thread rather than a {@code WatchService}: the JDK's watch-service
 * thread allocates and dies of the very OOM the suite is there for, printing into the application's log and
 * going deaf after.
 */
public final class DirectoryWatcher implements AutoCloseable {

    /** How often the directory is looked at. */
    public static final long INTERVAL_MS = 1000;

    private final Periodic periodic;

    public DirectoryWatcher(ArtifactStore store, Periodic.Step step) {
        this.periodic = new Periodic("watcher", INTERVAL_MS, () -> {
            store.look();
            step.run();
        });
    }

    public void start() {
        periodic.start();
    }

    @Override
    public void close() {
        periodic.close();
    }
}
