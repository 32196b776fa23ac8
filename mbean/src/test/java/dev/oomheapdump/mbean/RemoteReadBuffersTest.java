package dev.oomheapdump.mbean;

import dev.oomheapdump.core.OomPolicy;
import dev.oomheapdump.core.OomService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServer;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

/**
 * Reads over RMI reuse one array per connection thread (each read's bytes are sent before the thread serves the next
 * call), and the bytes still arrive right; an in-process caller, which keeps what it gets, always gets a new array.
 */
class RemoteReadBuffersTest {

    @TempDir
    Path dir;

    private static final String[] SIGNATURE = {String.class.getName(), long.class.getName(), int.class.getName()};

    @Test
    void remoteReadsReuseAnArrayPerThreadAndLocalOnesGetNewArrays() throws Exception {
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        OomService service = OomService.start(OomPolicy.parse("heapdumpOnOOM=false,directory=" + dir));
        OomHeapdumpBean bean = new OomHeapdumpBean(service);
        ObjectName name = OomHeapdumpBean.objectName();
        server.registerMBean(bean, name);
        JMXConnectorServer connector = JMXConnectorServerFactory.newJMXConnectorServer(
                new JMXServiceURL("service:jmx:rmi://127.0.0.1"), null, server);
        connector.start();
        try (JMXConnector client = JMXConnectorFactory.connect(connector.getAddress())) {
            Path snapshot = Path.of(bean.createHeapSnapshot("reused"));
            byte[] file = Files.readAllBytes(snapshot);
            int part = 1 << 20;
            MBeanServerConnection remote = client.getMBeanServerConnection();
            for (int i = 0; i < 3; i++) { // one after the other: one connection, one thread, one array
                byte[] bytes = (byte[]) remote.invoke(name, "readArtifact", new Object[]{"reused", (long) i * part, part},
                        SIGNATURE);
                assertArrayEquals(Arrays.copyOfRange(file, i * part, (i + 1) * part), bytes, "part " + i);
            }
            assertEquals(1, bean.heldReadBuffers(), "one array held for the one connection thread");

            byte[] first = (byte[]) server.invoke(name, "readArtifact", new Object[]{"reused", 0L, part}, SIGNATURE);
            byte[] second = (byte[]) server.invoke(name, "readArtifact", new Object[]{"reused", (long) part, part},
                    SIGNATURE);
            assertNotSame(first, second);
            assertArrayEquals(Arrays.copyOfRange(file, 0, part), first, "an in-process caller's bytes stay its own");
        } finally {
            connector.stop();
            bean.close();
            service.close();
        }
    }
}
