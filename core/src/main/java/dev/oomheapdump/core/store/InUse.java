package dev.oomheapdump.core.store;

import java.io.Closeable;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Files of the directory that someone is using now (an analysis reads a dump, a fetch reads it over JMX, a
 * shipper uploads it), so that retention never deletes them. A use is held until closed; a read over JMX, which
 * has no close, holds the file for a while after each read.
 */
public final class InUse {

    /** How long a file stays in use after a read that has no end (a fetch over JMX reads in many calls). */
    public static final long READ_HOLD_NANOS = 30_000_000_000L;

    private final Map<String, Integer> held = new HashMap<>();
    private final Map<String, String> why = new HashMap<>();
    private final Map<String, Long> readUntil = new HashMap<>();

    /**
     * Marks a file as used until the returned handle is closed (more than one use of a file may be open).
     *
     * @param name   the file's name in the directory
     * @param reason what uses it, for messages ("analysis", "upload")
     */
    public synchronized Closeable use(String name, String reason) {
        held.merge(name, 1, Integer::sum);
        why.put(name, reason);
        boolean[] closed = {false};
        return () -> {
            synchronized (InUse.this) {
                if (!closed[0]) {
                    closed[0] = true;
                    if (held.merge(name, -1, Integer::sum) <= 0) {
                        held.remove(name);
                        why.remove(name);
                    }
                }
            }
        };
    }

    /** Marks a file as being read, for {@link #READ_HOLD_NANOS} from now. */
    public synchronized void read(String name) {
        readUntil.put(name, System.nanoTime() + READ_HOLD_NANOS);
    }

    /** What uses the file now, or empty when nothing does. */
    public synchronized Optional<String> reason(String name) {
        if (held.containsKey(name)) {
            return Optional.of(why.get(name));
        }
        Long until = readUntil.get(name);
        if (until != null) {
            if (until - System.nanoTime() > 0) {
                return Optional.of("fetch");
            }
            readUntil.remove(name);
        }
        return Optional.empty();
    }
}
