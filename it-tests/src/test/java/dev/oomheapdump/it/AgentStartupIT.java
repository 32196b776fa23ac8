package dev.oomheapdump.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent in a real JVM: one clear line either way, and a bad option never stops the application. */
@ExtendWith(ChildOutputOnFailure.class)
class AgentStartupIT {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"threshold=150", "limit=-1", "OOMImplementation=FOO", "heapdumpOnOOM=maybe", "port=abc"})
    void aBadOptionIsNamedAndTheApplicationRunsOn(String options) throws Exception {
        try (ChildJvm child = ChildJvm.builder().agent(options).noPort().start()) {
            String line = child.awaitLine("oom-heapdump: bad option: ", Duration.ofSeconds(20));
            String key = options.substring(0, options.indexOf('='));
            String value = options.substring(options.indexOf('=') + 1);
            assertTrue(line.contains("'" + key + "'") && line.contains(value), line);
            child.awaitLine("READY", Duration.ofSeconds(20));
            child.send("exit");
            assertEquals(0, child.awaitExit(Duration.ofSeconds(20)), "the application ran to its end");
            assertFalse(child.output().contains("Exception"), child.output());
        }
    }

    @Test
    void aTakenPortIsReportedInOneLineAndTheRestStillWorks() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            try (ChildJvm child = ChildJvm.builder().port(taken.getLocalPort()).directory(dir).start()) {
                String line = child.awaitLine("oom-heapdump: JMX NOT listening on 127.0.0.1:" + taken.getLocalPort(),
                        Duration.ofSeconds(30));
                assertTrue(line.contains("the MBean is still registered locally"), line);
                child.awaitLine("READY", Duration.ofSeconds(20));
                child.send("exit");
                assertEquals(0, child.awaitExit(Duration.ofSeconds(20)));
            }
        }
    }

    @Test
    void theJdksOwnAgentIsUsedWhenConfiguredForThePort() throws Exception {
        int port = ChildJvm.freePort();
        try (ChildJvm child = ChildJvm.builder().port(port).directory(dir)
                .jvmArgs("-Dcom.sun.management.jmxremote.port=" + port, "-Dcom.sun.management.jmxremote.authenticate=false",
                        "-Dcom.sun.management.jmxremote.ssl=false", "-Dcom.sun.management.jmxremote.host=127.0.0.1")
                .start()) {
            String line = child.awaitLine("oom-heapdump: JMX listening on " + child.url(), Duration.ofSeconds(30));
            assertTrue(line.contains("the JVM's management agent") && line.contains("the MBean answers"), line);
        }
    }
}
