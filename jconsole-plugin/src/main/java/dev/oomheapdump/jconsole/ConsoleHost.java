package dev.oomheapdump.jconsole;

import javax.management.MBeanServerConnection;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What differs between the consoles that carry the tab: one panel and one model, two hosts (JConsole, VisualVM).
 * The panel talks to the JVM only through {@link #connection()}; the host names itself in the sentences that
 * concern it, and may open fetched files in views of its own.
 *
 * @param name           the console, as sentences name it: "JConsole", "VisualVM"
 * @param connection     the current connection to the JVM, or null while there is none; may block (call it off the
 *                       event thread); the host may hand out a new connection after a reconnect
 * @param notConnected   what the tab says while there is no connection at all
 * @param connectionLost what the tab says when the connection was lost (what the console does about it)
 * @param viewer         opens files of this computer in the console's own views ("Open in VisualVM"), or null
 */
record ConsoleHost(String name, Supplier<MBeanServerConnection> connection, String notConnected,
                   String connectionLost, LocalViewer viewer) {

    ConsoleHost {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(connection, "connection");
    }

    /** JConsole: it connects before it shows tabs, offers to reconnect, and has no viewer of its own. */
    static ConsoleHost jconsole(Supplier<MBeanServerConnection> connection) {
        return new ConsoleHost("JConsole", connection, "Not connected",
                "The connection to the JVM was lost; JConsole offers to reconnect", null);
    }
}
