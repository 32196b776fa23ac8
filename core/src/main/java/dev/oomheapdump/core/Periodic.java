package dev.oomheapdump.core;

/**
 * A daemon thread that runs one step at a fixed interval until closed, and survives anything the step throws,
 * an OutOfMemoryError of its host included: the next round tries again. The suite's pollers and its directory
 * watcher are made of it.
 */
public final class Periodic implements AutoCloseable {

    /** One round's work. */
    public interface Step {
        void run() throws InterruptedException;
    }

    private final java.util.function.LongSupplier intervalMs;
    private final Step step;
    private final Thread thread;
    private volatile boolean closed;

    /**
     * @param name       the thread is {@code oom-heapdump-<name>}
     * @param intervalMs the pause before each round
     */
    public Periodic(String name, long intervalMs, Step step) {
        this(name, () -> intervalMs, step);
    }

    /**
     * @param name       the thread is {@code oom-heapdump-<name>}
     * @param intervalMs the pause before each round, asked for anew each round
     */
    public Periodic(String name, java.util.function.LongSupplier intervalMs, Step step) {
        this.intervalMs = intervalMs;
        this.step = step;
        this.thread = Daemons.factory(name).newThread(this::loop);
    }

    public Periodic start() {
        thread.start();
        return this;
    }

    private void loop() {
        while (!closed) {
            try {
                Thread.sleep(intervalMs.getAsLong());
                if (closed) {
                    return;
                }
                step.run();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException | OutOfMemoryError e) {
                // keep going: the next round tries again
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
