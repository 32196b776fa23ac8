package dev.oomheapdump.jconsole;

import dev.oomheapdump.core.OomPolicy;
import dev.oomheapdump.core.OomService;
import dev.oomheapdump.mbean.OomHeapdumpBean;

import javax.management.MBeanServer;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerFactory;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The real bean over a real service, in a fresh {@link MBeanServer} (with the platform's Memory and Runtime
 * beans, which the tab reads too), optionally behind a loopback RMI connector so that calls, exceptions and
 * notifications cross the wire as they do from JConsole. The policy never arms the JVM's OOM hook: this is
 * the test JVM.
 */
final class BeanFixture implements AutoCloseable {

    final MBeanServer server = MBeanServerFactory.newMBeanServer();
    final Path directory;
    private final String options;
    private OomService service;
    private OomHeapdumpBean bean;
    private JMXConnectorServer connectorServer;
    private final List<JMXConnector> clients = new ArrayList<>();

    BeanFixture(Path directory, boolean withBean) throws Exception {
        this(directory, withBean, "");
    }

    /** @param options more agent options, e.g. {@code profileFormats=jfr,profiler=jfr} */
    BeanFixture(Path directory, boolean withBean, String options) throws Exception {
        this.directory = directory;
        this.options = options;
        server.registerMBean(ManagementFactory.getMemoryMXBean(), TabModel.MEMORY);
        server.registerMBean(ManagementFactory.getRuntimeMXBean(), TabModel.RUNTIME);
        if (withBean) {
            installBean();
        }
    }

    /** Registers the bean, as the agent does (also later: {@code attach}). */
    void installBean() throws Exception {
        service = OomService.start(OomPolicy.parse("heapdumpOnOOM=false,directory=" + directory
                + (options.isEmpty() ? "" : "," + options)));
        bean = new OomHeapdumpBean(service);
        server.registerMBean(bean, OomHeapdumpBean.objectName());
    }

    OomHeapdumpBean bean() {
        return bean;
    }

    /** A new remote connection, like JConsole's (a new one on every reconnect). */
    JMXConnector connect() throws IOException {
        if (connectorServer == null) {
            System.setProperty("java.rmi.server.hostname", "127.0.0.1");
            connectorServer = JMXConnectorServerFactory.newJMXConnectorServer(
                    new JMXServiceURL("service:jmx:rmi://127.0.0.1"), null, server);
            connectorServer.start();
        }
        JMXConnector client = JMXConnectorFactory.connect(connectorServer.getAddress());
        clients.add(client);
        return client;
    }

    MBeanServerConnection remote() throws IOException {
        return connect().getMBeanServerConnection();
    }

    @Override
    public void close() throws IOException {
        for (JMXConnector client : clients) {
            try {
                client.close();
            } catch (IOException e) {
                // closed by the test
            }
        }
        if (connectorServer != null) {
            connectorServer.stop();
        }
        if (bean != null) {
            bean.close();
            service.close();
        }
    }
}
