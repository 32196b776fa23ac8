package dev.oomheapdump.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** The listeners of one service, and the one way the parts tell them what happened. */
public final class OomEvents {

    private final List<Consumer<OomEvent>> listeners = new CopyOnWriteArrayList<>();

    void add(Consumer<OomEvent> listener) {
        listeners.add(listener);
    }

    void remove(Consumer<OomEvent> listener) {
        listeners.remove(listener);
    }

    void clear() {
        listeners.clear();
    }

    /** Tells every listener; a listener's failure never reaches the caller (it may be writing a dump). */
    public void emit(String type, String message, Map<String, String> data) {
        OomEvent event = new OomEvent(type, message, data);
        for (Consumer<OomEvent> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                // a listener's failure must not break a dump
            }
        }
    }

    /** As {@link #emit}, but nothing, not even an OutOfMemoryError, reaches the caller. */
    public void emitQuietly(String type, String message, Map<String, String> data) {
        Daemons.quietly(() -> emit(type, message, data));
    }

    /** The event data of a file: path, kind, bytes, state, origin, createdMillis. */
    public static Map<String, String> artifactData(Artifact a) {
        return map("path", a.path().toString(), "kind", a.kind().name(), "bytes", Long.toString(a.bytes()),
                "state", a.state().name(), "origin", a.origin().name(), "createdMillis", Long.toString(a.createdMillis()));
    }

    /** An ordered map of key, value, key, value... */
    public static Map<String, String> map(String... keyValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return map;
    }
}
