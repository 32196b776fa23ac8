package dev.oomheapdump.mbean;

import dev.oomheapdump.core.Daemons;
import dev.oomheapdump.core.store.ReadBuffers;

import java.rmi.server.RemoteServer;
import java.rmi.server.ServerNotActiveException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One read buffer per RMI connection thread, handed out again to the same thread's next {@code readArtifact}. An RMI
 * server thread writes a call's result to its socket before it reads the next call, so when it asks again the bytes
 * of its last read are gone; a fetch then allocates one array per connection instead of one per 8 MiB read, and the
 * target's heap holds a few arrays instead of a gigabyte of humongous garbage. Calls that are not remote (an
 * in-process client keeps what it gets) always get a new array. A buffer left unused for {@value #IDLE_SECONDS}
 * seconds is dropped by a daemon thread that runs only while buffers are held.
 */
final class RemoteReadBuffers implements ReadBuffers {

    static final long IDLE_SECONDS = 10;
    /** Smaller reads are cheap to allocate: only big ones are kept. */
    static final int KEPT_FROM = 1 << 20;

    private static final class Held {
        final byte[] buffer;
        volatile long lastUse = System.nanoTime();

        Held(byte[] buffer) {
            this.buffer = buffer;
        }
    }

    private final Map<Thread, Held> held = new ConcurrentHashMap<>();
    private final AtomicBoolean sweeping = new AtomicBoolean();

    @Override
    public byte[] reusable(int length) {
        if (!inRemoteCall()) {
            return null;
        }
        Held h = held.get(Thread.currentThread());
        if (h == null || h.buffer.length != length) {
            return null;
        }
        h.lastUse = System.nanoTime();
        return h.buffer;
    }

    @Override
    public void keep(byte[] array) {
        if (array.length < KEPT_FROM || !inRemoteCall()) {
            return;
        }
        held.put(Thread.currentThread(), new Held(array));
        if (sweeping.compareAndSet(false, true)) {
            Daemons.start("read-buffers", this::sweep);
        }
    }

    /** Drops every buffer; the sweeper ends within a second. */
    void clear() {
        held.clear();
    }

    /** How many buffers are held (for tests). */
    int held() {
        return held.size();
    }

    private void sweep() {
        try {
            while (!held.isEmpty()) {
                Thread.sleep(1000);
                long now = System.nanoTime();
                held.entrySet().removeIf(e -> !e.getKey().isAlive()
                        || now - e.getValue().lastUse > IDLE_SECONDS * 1_000_000_000L);
            }
        } catch (InterruptedException e) {
            held.clear();
        } finally {
            sweeping.set(false);
            if (!held.isEmpty() && sweeping.compareAndSet(false, true)) {
                Daemons.start("read-buffers", this::sweep);
            }
        }
    }

    /** True on a thread that serves a remote RMI call now. */
    static boolean inRemoteCall() {
        try {
            RemoteServer.getClientHost();
            return true;
        } catch (ServerNotActiveException e) {
            return false;
        }
    }
}
