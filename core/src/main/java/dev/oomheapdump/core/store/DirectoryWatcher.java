package dev.oomheapdump.core.store;

import dev.oomheapdump.core.Daemons;

/**
 * Looks at the directory once a second: a few {@code stat} calls, no file read unless one changed, then one
 * more step of the caller's. A polling thread rather than a {@code WatchService}: the JDK's watch-service
 * thread allocates and dies of the very OOM the suite is there for, printing into the application's log and
 * going deaf after.
 */
public final class DirectoryWatcher implements AutoCloseable {

    /** How often the directory is looked at. */
    public static final long INTERVAL_MS = 1000;

    /** What runs after each refresh of the listing. */
    public interface Step {
        void run() throws InterruptedException;
    }

    private final ArtifactStore store;
    private final Step step;
    private final Object lock = new Object();
    private final Thread thread;
    private volatile boolean closed;

    public DirectoryWatcher(ArtifactStore store, Step step) {
        this.store = store;
        this.step = step;
        this.thread = Daemons.factory("watcher").newThread(this::watch);
    }

    public void start() {
        thread.start();
    }

    private void watch() {
        while (!closed) {
            try {
                synchronized (lock) {
                    lock.wait(INTERVAL_MS);
                }
                if (closed) {
                    return;
                }
                store.refresh();
                step.run();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException | OutOfMemoryError e) {
                // keep watching: the next round tries again
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
