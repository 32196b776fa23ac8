package dev.oomheapdump.mbean;

import dev.oomheapdump.core.OomPolicy;
import dev.oomheapdump.core.OomService;

import java.io.IOException;
import java.util.Optional;

/**
 * The one registry of what is installed in this JVM. The agent ({@code -javaagent} and attach) and
 * {@link OomHeapdump#install} all go through it, so "installed already" is decided in one place, from the moment
 * the service starts (before its MBean is registered). Policy changes, whoever makes them, go through
 * {@link OomService#changePolicy}, under the service's one policy lock.
 */
final class Installation {

    private static OomHeapdump current;

    private Installation() {
    }

    /**
     * Starts the service and records it as this JVM's installation. The MBean and the port are the caller's
     * next steps ({@link OomHeapdump#registerBean}, {@link OomHeapdump#openPort}).
     *
     * @throws IllegalStateException when the suite is installed already in this JVM
     * @throws IOException           when the directory cannot be made or read
     */
    static synchronized OomHeapdump start(OomPolicy policy) throws IOException {
        if (current != null) {
            throw new IllegalStateException("oom-heapdump is installed already in this JVM (directory "
                    + current.service().policy().directory() + "); use OomHeapdump.installed()");
        }
        current = new OomHeapdump(OomService.start(policy));
        return current;
    }

    /** What is installed, if anything. */
    static synchronized Optional<OomHeapdump> current() {
        return Optional.ofNullable(current);
    }

    /** Forgets an installation that was closed. */
    static synchronized void removed(OomHeapdump oom) {
        if (current == oom) {
            current = null;
        }
    }
}
