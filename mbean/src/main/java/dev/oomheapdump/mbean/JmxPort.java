package dev.oomheapdump.mbean;

import javax.management.MBeanServer;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;
import javax.management.remote.rmi.RMIJRMPServerImpl;
import java.io.Closeable;
import java.io.IOException;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.rmi.NoSuchObjectException;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.RMIServerSocketFactory;
import java.rmi.server.UnicastRemoteObject;
import java.util.HashMap;
import java.util.Map;

/**
 * Makes sure a JMX RMI connector listens on the asked port. When the JVM's standard management agent is
 * configured for that port ({@code -Dcom.sun.management.jmxremote.port}), it is used as it is, with its own
 * authentication and SSL settings. Otherwise the suite starts a connector server with the standard JMX
 * APIs, bound to 127.0.0.1 only, registry and connector on the same single port (firewall friendly).
 */
final class JmxPort implements Closeable {

    static final String JDK_PORT_PROPERTY = "com.sun.management.jmxremote.port";

    private final int port;
    private final boolean jdkAgent;
    private final RMIConnectorServer server;
    private final Registry registry;

    private JmxPort(int port, boolean jdkAgent, RMIConnectorServer server, Registry registry) {
        this.port = port;
        this.jdkAgent = jdkAgent;
        this.server = server;
        this.registry = registry;
    }

    /** The URL clients connect to. */
    String url() {
        return JmxAddress.loopback(port);
    }

    /**
     * Uses the JDK's agent when it is configured for this port, otherwise starts a loopback connector.
     *
     * @throws IOException when the port cannot be bound (in use, not permitted)
     */
    static JmxPort open(int port, MBeanServer mbeanServer) throws IOException {
        String configured = System.getProperty(JDK_PORT_PROPERTY);
        if (configured != null && configured.trim().equals(Integer.toString(port))) {
            return new JmxPort(port, true, null, null);
        }
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        LoopbackServerSockets sockets = new LoopbackServerSockets(loopback);
        if (System.getProperty("java.rmi.server.hostname") == null) {
            // Stubs carry this host: without it they carry the machine's address, where nothing listens.
            System.setProperty("java.rmi.server.hostname", "127.0.0.1");
        }
        Registry registry;
        try {
            registry = LocateRegistry.createRegistry(port, null, sockets);
        } catch (java.rmi.RemoteException e) {
            throw new IOException("cannot listen on 127.0.0.1:" + port + ": " + rootMessage(e), e);
        }
        Map<String, Object> environment = new HashMap<>();
        environment.put(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, sockets);
        RMIJRMPServerImpl rmiServer = new RMIJRMPServerImpl(port, null, sockets, environment);
        // The server's own address has no /jndi/ part: the stub is bound below, without JNDI.
        RMIConnectorServer server = new RMIConnectorServer(new JMXServiceURL("service:jmx:rmi://127.0.0.1:" + port),
                environment, rmiServer, mbeanServer);
        try {
            server.start();
            registry.bind("jmxrmi", rmiServer.toStub());
        } catch (IOException | java.rmi.AlreadyBoundException | RuntimeException e) {
            stop(server, registry);
            throw new IOException("cannot start the JMX connector on 127.0.0.1:" + port + ": " + rootMessage(e), e);
        }
        return new JmxPort(port, false, server, registry);
    }

    /**
     * Connects as a client would and looks the bean up.
     *
     * @return one line for people: what listens and that it answered
     * @throws IOException when nothing answers
     */
    String check() throws IOException {
        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(url()), null)) {
            MBeanServerConnection connection = connector.getMBeanServerConnection();
            boolean registered = connection.isRegistered(OomHeapdumpBean.objectName());
            return "JMX listening on " + url() + (jdkAgent ? " (the JVM's management agent)" : " (loopback only)")
                    + (registered ? ", the MBean answers" : ", but the MBean is not registered there");
        } catch (SecurityException e) {
            return "JMX listening on " + url() + " (the JVM's management agent, authentication required)";
        } catch (IOException e) {
            // The JDK's agent may speak SSL, which a plain RMI client cannot: it answers, but not in JRMP.
            // Anything else (not bound yet, refused) is thrown, and the caller tries again.
            if (jdkAgent && speaksSsl(e)) {
                return "JMX listening on " + url() + " (the JVM's management agent, SSL)";
            }
            throw e;
        }
    }

    private static boolean speaksSsl(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.rmi.ConnectIOException || t instanceof javax.net.ssl.SSLException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        stop(server, registry);
    }

    private static void stop(RMIConnectorServer server, Registry registry) {
        if (server != null) {
            try {
                server.stop();
            } catch (IOException e) {
                // stopping anyway
            }
        }
        if (registry != null) {
            try {
                UnicastRemoteObject.unexportObject(registry, true);
            } catch (NoSuchObjectException e) {
                // already gone
            }
        }
    }

    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }

    /** Server sockets on one address. Equal instances let the registry and the connector share a port. */
    private static final class LoopbackServerSockets implements RMIServerSocketFactory, Serializable {
        private static final long serialVersionUID = 1L;
        private final InetAddress address;

        LoopbackServerSockets(InetAddress address) {
            this.address = address;
        }

        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            return new ServerSocket(port, 50, address);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof LoopbackServerSockets && ((LoopbackServerSockets) o).address.equals(address);
        }

        @Override
        public int hashCode() {
            return address.hashCode();
        }
    }
}
