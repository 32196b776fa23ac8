package dev.oomheapdump.mbean;

/** The one place JMX service URLs are built from what people type. */
public final class JmxAddress {

    private JmxAddress() {
    }

    /**
     * The URL of a JMX RMI connector: a {@code service:jmx:} URL as it is, or {@code host:port} of an RMI
     * registry with the standard {@code jmxrmi} name.
     *
     * @throws IllegalArgumentException when the target is empty
     */
    public static String of(String target) {
        if (target == null || target.isBlank()) {
            throw new IllegalArgumentException("JMX target is empty: give host:port or a service:jmx: URL");
        }
        String t = target.trim();
        return t.startsWith("service:jmx:") ? t : "service:jmx:rmi:///jndi/rmi://" + t + "/jmxrmi";
    }

    /** The URL of a connector on this host's loopback port. */
    public static String loopback(int port) {
        return of("127.0.0.1:" + port);
    }
}
