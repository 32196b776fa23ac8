package dev.oomheapdump.it.proof;

import dev.oomheapdump.core.store.ArtifactStore;
import dev.oomheapdump.core.format.HprofFile;
import dev.oomheapdump.core.format.JfrFile;
import dev.oomheapdump.it.ChildJvm;
import dev.oomheapdump.it.ChildOutputOnFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * With {@code port=P} and the JDK's own management agent configured on P, the JDK agent's password and
 * access files decide: {@code readonly} reads every attribute but may neither invoke an operation nor set
 * an attribute, {@code readwrite} may do everything, a wrong password gets nothing. Then the same over SSL
 * (connector and registry), with a key pair made by {@code keytool} and clients in their own JVMs.
 */
@ExtendWith(ChildOutputOnFailure.class)
class SecuredJmxIT {

    @TempDir
    Path dir;

    @TempDir
    Path work;

    /** One call of every operation, with arguments that would work for a user allowed to act. */
    private static final List<Object[]> OPERATIONS = List.of(
            new Object[]{"createHeapSnapshot", "denied"},
            new Object[]{"createCpuProfile", "denied", 50L},
            new Object[]{"deleteHeapSnapshot", "any"},
            new Object[]{"deleteAllHeapSnapshots"},
            new Object[]{"deleteCpuProfile", "any"},
            new Object[]{"deleteAllCpuProfiles"},
            new Object[]{"applyPolicy", "threshold=80"},
            new Object[]{"readArtifact", "any", 0L, 1},
            new Object[]{"artifactSha256", "any"});

    /** The same calls as steps of {@link PlainJmxClient}. */
    private static final List<String> OPERATION_STEPS = List.of(
            "invoke:createHeapSnapshot:String=denied",
            "invoke:createCpuProfile:String=denied:long=50",
            "invoke:deleteHeapSnapshot:String=any",
            "invoke:deleteAllHeapSnapshots",
            "invoke:deleteCpuProfile:String=any",
            "invoke:deleteAllCpuProfiles",
            "invoke:applyPolicy:String=threshold=80",
            "invoke:readArtifact:String=any:long=0:int=1",
            "invoke:artifactSha256:String=any");

    /** A new value for every writable attribute. */
    private static final Map<String, Object> NEW_VALUES = Map.of("HeapdumpOnOOM", false, "OOMImplementation",
            "GC_MONITORING", "Path", "secured-oom", "AddTimestamp", true, "Threshold", 80, "Limit", 5);

    private static final List<String> SET_STEPS = List.of("set:HeapdumpOnOOM:boolean:false",
            "set:OOMImplementation:String:GC_MONITORING", "set:Path:String:secured-oom", "set:AddTimestamp:boolean:true",
            "set:Threshold:int:80", "set:Limit:int:5");

    @Test
    void readonlyReadsReadwriteActsAWrongPasswordGetsNothing() throws Exception {
        int port = ChildJvm.freePort();
        try (ChildJvm child = Proof.start(secured(port, "-Dcom.sun.management.jmxremote.ssl=false"))) {
            assertTrue(child.awaitLine("oom-heapdump: JMX", Duration.ofSeconds(30))
                    .contains("listening on " + child.url() + " (the JVM's management agent, authentication required)"),
                    child.output());
            Remote readonly = new Remote(child.connect(credentials("readonly", "ropass")));
            Map<String, Object> before = readonly.attributes();
            for (String attribute : Remote.ATTRIBUTES) {
                readonly.get(attribute);
            }
            assertEquals(port, before.get("Port"));
            assertEquals(dir.toString(), before.get("Directory"));
            Map<String, Long> filesBefore = Remote.listing(dir);

            for (Object[] operation : OPERATIONS) {
                SecurityException e = assertThrows(SecurityException.class, () -> readonly.invoke((String) operation[0],
                        Arrays.copyOfRange(operation, 1, operation.length)), "readonly may not invoke " + operation[0]);
                assertTrue(e.getMessage().contains("Access denied"), e.toString());
            }
            for (Map.Entry<String, Object> value : NEW_VALUES.entrySet()) {
                assertThrows(SecurityException.class, () -> readonly.set(value.getKey(), value.getValue()),
                        "readonly may not set " + value.getKey());
            }
            assertEquals(before, readonly.attributes(), "readonly changed nothing");
            assertEquals(filesBefore, Remote.listing(dir), "readonly wrote nothing");

            Remote readwrite = new Remote(child.connect(credentials("readwrite", "rwpass")));
            for (Map.Entry<String, Object> value : NEW_VALUES.entrySet()) {
                readwrite.set(value.getKey(), value.getValue());
                assertEquals(value.getValue(), readwrite.get(value.getKey()));
            }
            assertTrue(readwrite.applyPolicy("heapdumpOnOOM=true,OOMImplementation=NATIVE_HOOK,threshold=70,limit=3")
                    .contains("threshold=70"));
            assertEquals(dir.resolve("rw.hprof").toString(), readwrite.createHeapSnapshot("rw"));
            assertEquals(dir.resolve("rw.jfr").toString(), readwrite.createCpuProfile("rw", 50));
            assertTrue(HprofFile.check(dir.resolve("rw.hprof")).complete());
            assertTrue(JfrFile.check(dir.resolve("rw.jfr")).complete());
            assertArrayEquals(Arrays.copyOf(Files.readAllBytes(dir.resolve("rw.hprof")), 64),
                    readwrite.readArtifact("rw.hprof", 0, 64));
            readwrite.invoke("deleteHeapSnapshot", "rw");
            readwrite.invoke("deleteCpuProfile", "rw");
            readwrite.createHeapSnapshot("rw2");
            readwrite.createCpuProfile("rw2", 50);
            readwrite.invoke("deleteAllHeapSnapshots");
            readwrite.invoke("deleteAllCpuProfiles");
            assertEquals(Set.of(ArtifactStore.INDEX_NAME), Remote.listing(dir).keySet());

            JMXServiceURL url = new JMXServiceURL(child.url());
            for (Map<String, ?> environment : List.of(credentials("readwrite", "wrong"), credentials("nobody", "rwpass"),
                    credentials("readwrite", ""), Map.<String, Object>of())) {
                SecurityException e = assertThrows(SecurityException.class, () -> {
                    JMXConnector connector = JMXConnectorFactory.connect(url, environment);
                    connector.close();
                    fail("connected with " + Arrays.toString((String[]) environment.get(JMXConnector.CREDENTIALS)));
                });
                assertTrue(e.getMessage().contains("Authentication failed") || e.getMessage().contains("Credentials required"),
                        e.toString());
            }
        }
    }

    @Test
    void overSslOnlyTrustingClientsGetInAndRolesStillHold() throws Exception {
        SecuredJvm.Stores stores = SecuredJvm.stores(work);
        int port = ChildJvm.freePort();
        try (ChildJvm child = Proof.start(secured(port, stores.serverOptions().toArray(new String[0])))) {
            List<String> trusting = with(stores.clientOptions(), "-Dclient.sslRegistry=true");

            List<String> steps = new ArrayList<>(List.of("get:*"));
            steps.addAll(OPERATION_STEPS);
            steps.addAll(SET_STEPS);
            PlainClient.Result readonly = PlainClient.run(work, child.url(), with(trusting,
                    "-Dclient.user=readonly", "-Dclient.password=ropass"), steps.toArray(new String[0]));
            assertEquals(0, readonly.exitCode, readonly.all());
            assertEquals(Remote.ATTRIBUTES.size() + " attributes", readonly.ok("get:*"));
            assertTrue(readonly.lines.contains("ATTR Port java.lang.Integer " + port), readonly.all());
            for (String step : OPERATION_STEPS) {
                assertTrue(readonly.err(step).startsWith("java.lang.SecurityException: Access denied!"), readonly.all());
            }
            for (String step : SET_STEPS) {
                assertTrue(readonly.err(step).startsWith("java.lang.SecurityException: Access denied!"), readonly.all());
            }
            assertEquals(Set.of(ArtifactStore.INDEX_NAME), Remote.listing(dir).keySet(), "readonly wrote nothing");

            PlainClient.Result readwrite = PlainClient.run(work, child.url(), with(trusting,
                    "-Dclient.user=readwrite", "-Dclient.password=rwpass"),
                    "invoke:createHeapSnapshot:String=ssl", "invoke:createCpuProfile:String=ssl:long=50",
                    "fetch:ssl.jfr", "set:Threshold:int:80", "invoke:applyPolicy:String=threshold=70",
                    "invoke:deleteHeapSnapshot:String=ssl", "invoke:deleteAllCpuProfiles");
            assertEquals(0, readwrite.exitCode, readwrite.all());
            assertEquals("java.lang.String " + dir.resolve("ssl.hprof"), readwrite.ok("invoke:createHeapSnapshot:String=ssl"));
            assertEquals("java.lang.String " + dir.resolve("ssl.jfr"),
                    readwrite.ok("invoke:createCpuProfile:String=ssl:long=50"));
            assertTrue(readwrite.ok("fetch:ssl.jfr").startsWith("bytes "), readwrite.all());
            assertEquals("java.lang.Integer 80", readwrite.ok("set:Threshold:int:80"));
            readwrite.ok("invoke:applyPolicy:String=threshold=70");
            readwrite.ok("invoke:deleteHeapSnapshot:String=ssl");
            readwrite.ok("invoke:deleteAllCpuProfiles");
            assertEquals(Set.of(ArtifactStore.INDEX_NAME), Remote.listing(dir).keySet());

            PlainClient.Result wrongPassword = PlainClient.run(work, child.url(), with(trusting,
                    "-Dclient.user=readwrite", "-Dclient.password=wrong"), "get:Port");
            assertEquals(2, wrongPassword.exitCode, wrongPassword.all());
            assertTrue(wrongPassword.err("connect").startsWith("java.lang.SecurityException: Authentication failed"),
                    wrongPassword.all());

            PlainClient.Result untrusting = PlainClient.run(work, child.url(), List.of("-Dclient.sslRegistry=true",
                    "-Dclient.user=readwrite", "-Dclient.password=rwpass"), "get:Port");
            assertEquals(2, untrusting.exitCode, untrusting.all());
            assertTrue(untrusting.err("connect").contains("javax.net.ssl.SSLHandshakeException"),
                    "a client that does not trust the key is refused: the connection is really TLS\n" + untrusting.all());

            // jmxterm reaches the SSL registry with -s
            Jmxterm.Transcript t = Jmxterm.run(work, port, List.of("-u", "readonly", "-p", "ropass", "-s"),
                    stores.clientOptions(), List.of("get -s Port", "run createHeapSnapshot denied"));
            assertEquals(List.of(Integer.toString(port)), t.values("get -s Port"), t.all());
            assertTrue(t.output("run createHeapSnapshot denied").contains("#SecurityException: Access denied!"), t.all());
            assertFalse(Files.exists(dir.resolve("denied.hprof")));

            // the agent's startup line must tell the truth about the JDK agent listening over SSL
            String line = child.awaitLine("oom-heapdump: JMX", Duration.ofSeconds(30));
            assertFalse(line.contains("NOT listening"), "the JDK agent listens on " + port + " (clients just used it), "
                    + "but the agent printed: " + line);
        }
    }

    private ChildJvm.Builder secured(int port, String... extra) throws IOException {
        return SecuredJvm.builder(work, dir, port, List.of(extra));
    }

    private static Map<String, Object> credentials(String user, String password) {
        return SecuredJvm.credentials(user, password);
    }

    private static List<String> with(List<String> base, String... more) {
        List<String> all = new ArrayList<>(base);
        all.addAll(List.of(more));
        return all;
    }
}
