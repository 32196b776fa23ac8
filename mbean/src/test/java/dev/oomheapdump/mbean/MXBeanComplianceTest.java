package dev.oomheapdump.mbean;

import dev.oomheapdump.core.OomPolicy;
import dev.oomheapdump.core.OomService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.Attribute;
import javax.management.JMX;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.OpenType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bean registered in a fresh MBeanServer: open types only, self-described, driven by generic invoke. */
class MXBeanComplianceTest {

    @TempDir
    Path dir;

    private MBeanServer server;
    private OomService service;
    private OomHeapdumpBean bean;
    private final ObjectName name = OomHeapdumpBean.objectName();

    @BeforeEach
    void register() throws Exception {
        server = MBeanServerFactory.newMBeanServer();
        service = OomService.start(OomPolicy.parse("heapdumpOnOOM=false,directory=" + dir));
        bean = new OomHeapdumpBean(service);
        server.registerMBean(bean, name);
    }

    @AfterEach
    void unregister() throws Exception {
        server.unregisterMBean(name);
        bean.close();
        service.close();
    }

    @Test
    void everyAttributeOfTheDesignIsThereWithAnOpenType() throws Exception {
        MBeanInfo info = server.getMBeanInfo(name);
        assertEquals("true", info.getDescriptor().getFieldValue("mxbean"));
        Map<String, MBeanAttributeInfo> attributes = Arrays.stream(info.getAttributes())
                .collect(Collectors.toMap(MBeanAttributeInfo::getName, a -> a));
        assertEquals(Set.of("HeapdumpOnOOM", "OOMImplementation", "Path", "AddTimestamp", "Threshold", "Limit", "Port",
                "Directory", "HeapSnapshots", "CpuProfiles", "Artifacts", "Busy", "CurrentJob", "OomDumpCount", "Analyze",
                "Gzip", "MaxDumps", "MaxBytes", "MinFreeDisk", "ArtifactCount", "ArtifactBytes", "FreeDiskBytes",
                "LastOomDumpMillis", "FailedDumpCount", "HookArmed", "ProfilerEngine", "ProfileFormats", "Profiler",
                "Ship", "ShipEndpoint"), attributes.keySet());
        for (String writable : List.of("HeapdumpOnOOM", "OOMImplementation", "Path", "AddTimestamp", "Threshold", "Limit",
                "Analyze", "Gzip", "MaxDumps", "MaxBytes", "MinFreeDisk", "Ship", "ShipEndpoint")) {
            assertTrue(attributes.get(writable).isWritable(), writable + " is writable");
        }
        for (MBeanAttributeInfo a : attributes.values()) {
            assertFalse(a.getDescription().equals(a.getName()) || a.getDescription().startsWith("Attribute exposed"),
                    a.getName() + " is described: " + a.getDescription());
            OpenType<?> type = (OpenType<?>) a.getDescriptor().getFieldValue("openType");
            assertNotNull(type, a.getName() + " has an open type");
            Object value = server.getAttribute(name, a.getName());
            assertTrue(type.isValue(value), a.getName() + " = " + value + " is a value of its open type " + type);
        }
        assertEquals(dir.toString(), server.getAttribute(name, "Directory"));
        assertEquals(0, server.getAttribute(name, "Port"));
    }

    @Test
    void theNumbersForMetricsFollowTheListingAndThePolicy() throws Exception {
        assertEquals(0, server.getAttribute(name, "ArtifactCount"));
        assertEquals(0L, server.getAttribute(name, "ArtifactBytes"));
        String snapshot = (String) server.invoke(name, "createHeapSnapshot", new Object[]{"counted"},
                new String[]{"java.lang.String"});
        assertEquals(1, server.getAttribute(name, "ArtifactCount"));
        assertEquals(java.nio.file.Files.size(Path.of(snapshot)), server.getAttribute(name, "ArtifactBytes"));
        assertTrue((Long) server.getAttribute(name, "FreeDiskBytes") > 0);
        assertEquals(0L, server.getAttribute(name, "LastOomDumpMillis"));
        assertEquals(0, server.getAttribute(name, "FailedDumpCount"));
        assertEquals(false, server.getAttribute(name, "HookArmed"), "heapdumpOnOOM=false arms nothing");
        server.setAttribute(name, new Attribute("HeapdumpOnOOM", true));
        assertEquals(true, server.getAttribute(name, "HookArmed"));
        // this test JVM has no agent instrumentation and no --enable-native-access: from JDK 22 on, loading
        // async-profiler would print a JDK warning, so JFR records
        String os = System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT);
        boolean library = os.contains("linux") || os.contains("mac");
        assertEquals(library && Runtime.version().feature() < 22 ? "ASYNC_PROFILER" : "JFR",
                server.getAttribute(name, "ProfilerEngine"));
        server.setAttribute(name, new Attribute("Profiler", "jfr"));
        assertEquals("JFR", server.getAttribute(name, "ProfilerEngine"), "Profiler=jfr: JDK Flight Recorder only");
        assertEquals("jfr,html", server.getAttribute(name, "ProfileFormats"));
        server.setAttribute(name, new Attribute("ProfileFormats", "pprof,collapsed"));
        assertEquals("jfr,collapsed,pprof", server.getAttribute(name, "ProfileFormats"));
    }

    @Test
    void operationsHaveRealParameterNamesAndDescriptions() throws Exception {
        Map<String, MBeanOperationInfo> ops = Arrays.stream(server.getMBeanInfo(name).getOperations())
                .collect(Collectors.toMap(MBeanOperationInfo::getName, o -> o));
        assertEquals(Set.of("createHeapSnapshot", "createCpuProfile", "createProfile", "deleteHeapSnapshot", "deleteAllHeapSnapshots",
                "deleteCpuProfile", "deleteAllCpuProfiles", "applyPolicy", "readArtifact", "artifactSha256",
                "analyzeHeapSnapshot", "readHeapReport", "shipArtifact"), ops.keySet());
        assertEquals(List.of("path", "duration"), Arrays.stream(ops.get("createCpuProfile").getSignature())
                .map(MBeanParameterInfo::getName).collect(Collectors.toList()));
        assertEquals("long", ops.get("createCpuProfile").getSignature()[1].getType());
        assertEquals(List.of("path", "event", "duration"), Arrays.stream(ops.get("createProfile").getSignature())
                .map(MBeanParameterInfo::getName).collect(Collectors.toList()));
        for (MBeanOperationInfo op : ops.values()) {
            assertFalse(op.getDescription().startsWith("Operation exposed"), op.getName() + " is described");
            for (MBeanParameterInfo p : op.getSignature()) {
                assertFalse(p.getName().matches("p\\d+"), op.getName() + " has a real parameter name");
                assertTrue(Set.of("java.lang.String", "long", "int").contains(p.getType()), p.getType());
            }
        }
    }

    @Test
    void drivenByGenericInvokeWithStringArgumentsOnly() throws Exception {
        List<Notification> notifications = new CopyOnWriteArrayList<>();
        server.addNotificationListener(name, (n, h) -> notifications.add(n), null, null);
        String snapshot = (String) server.invoke(name, "createHeapSnapshot", new Object[]{"generic"},
                new String[]{"java.lang.String"});
        assertEquals(dir.resolve("generic.hprof").toString(), snapshot);
        assertArrayEquals(new String[]{snapshot}, (String[]) server.getAttribute(name, "HeapSnapshots"));
        String profile = (String) server.invoke(name, "createCpuProfile", new Object[]{"generic", 200L},
                new String[]{"java.lang.String", "long"});
        // the flame graph lies beside the recording: listed in Artifacts, not among the recordings
        assertArrayEquals(new String[]{profile}, (String[]) server.getAttribute(name, "CpuProfiles"));
        CompositeData[] artifacts = (CompositeData[]) server.getAttribute(name, "Artifacts");
        assertEquals(3, artifacts.length);
        assertEquals(Set.of("path", "kind", "bytes", "createdMillis", "state", "origin", "detail", "id", "shipped",
                "shippedTo"), artifacts[0].getCompositeType().keySet());
        assertEquals(false, artifacts[0].get("shipped"), "nothing is shipped without option ship");
        assertEquals("", artifacts[0].get("shippedTo"));
        assertTrue(((String) artifacts[0].get("id")).matches("[0-9a-f]{16}"), String.valueOf(artifacts[0].get("id")));
        assertEquals("HEAP_SNAPSHOT", artifacts[0].get("kind"));
        assertEquals("COMPLETE", artifacts[0].get("state"));
        assertEquals("THIS_RUN", artifacts[0].get("origin"));

        byte[] head = (byte[]) server.invoke(name, "readArtifact", new Object[]{"generic.hprof", 0L, 18},
                new String[]{"java.lang.String", "long", "int"});
        assertEquals("JAVA PROFILE 1.0.2", new String(head, java.nio.charset.StandardCharsets.ISO_8859_1));
        String sha = (String) server.invoke(name, "artifactSha256", new Object[]{"generic"},
                new String[]{"java.lang.String"});
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(java.nio.file.Files.readAllBytes(Path.of(snapshot)))), sha);

        server.setAttribute(name, new Attribute("Threshold", 85));
        assertEquals(85, server.getAttribute(name, "Threshold"));
        server.invoke(name, "applyPolicy", new Object[]{"OOMImplementation=GC_MONITORING,limit=2"},
                new String[]{"java.lang.String"});
        assertEquals("GC_MONITORING", server.getAttribute(name, "OOMImplementation"));
        assertEquals(2, server.getAttribute(name, "Limit"));

        server.invoke(name, "deleteAllHeapSnapshots", new Object[0], new String[0]);
        server.invoke(name, "deleteCpuProfile", new Object[]{profile}, new String[]{"java.lang.String"});
        assertEquals(0, ((String[]) server.getAttribute(name, "HeapSnapshots")).length);
        assertEquals(0, ((String[]) server.getAttribute(name, "CpuProfiles")).length, "the recording went with its view");
        await().atMost(Duration.ofSeconds(5)).until(() -> notifications.stream().map(Notification::getType)
                .filter(t -> t.equals("dev.oomheapdump.file.deleted")).count() == 3);
        Notification created = notifications.stream().filter(n -> n.getType().equals("dev.oomheapdump.file.created"))
                .findFirst().orElseThrow();
        assertEquals(snapshot, ((Map<?, ?>) created.getUserData()).get("path"));
        assertEquals(name, created.getSource());
    }

    @Test
    void shippedStateComesFromTheIndexAndShipArtifactNeedsShip() throws Exception {
        List<Notification> notifications = new CopyOnWriteArrayList<>();
        server.addNotificationListener(name, (n, h) -> notifications.add(n), null, null);
        OomHeapdumpMXBean proxy = JMX.newMXBeanProxy(server, name, OomHeapdumpMXBean.class);
        Path snapshot = Path.of(proxy.createHeapSnapshot("toship"));
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> proxy.shipArtifact("toship"));
        assertTrue(refused.getMessage().contains("option 'ship' is not set"), refused.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> proxy.setShip("s3://No_Such"));
        assertTrue(bad.getMessage().contains("No_Such"), bad.getMessage());
        IllegalArgumentException badEndpoint = assertThrows(IllegalArgumentException.class,
                () -> proxy.setShipEndpoint("ftp://127.0.0.1"));
        assertTrue(badEndpoint.getMessage().contains("ftp://127.0.0.1"), badEndpoint.getMessage());
        assertEquals("", proxy.getShip(), "a refused value changes nothing");
        proxy.setShip("s3://bucket/prefix/");
        proxy.setShipEndpoint("http://127.0.0.1:9");
        assertEquals("s3://bucket/prefix", proxy.getShip());
        assertEquals("http://127.0.0.1:9", proxy.getShipEndpoint());
        assertFalse(proxy.getArtifacts()[0].isShipped(), "a snapshot is shipped on request only");

        // whoever uploaded it, a shipment record of the file as it is makes it shipped, and is told once
        String url = "s3://bucket/prefix/host/20261130-000000-1/toship.hprof.gz";
        dev.oomheapdump.core.store.ShipLog.append(dir, new dev.oomheapdump.core.store.ShipLog.Shipment("toship.hprof",
                dev.oomheapdump.core.store.ShipLog.identity(snapshot), url, "00", System.currentTimeMillis()));
        await().atMost(Duration.ofSeconds(10)).until(() -> proxy.getArtifacts()[0].isShipped());
        assertEquals(url, proxy.getArtifacts()[0].getShippedTo());
        await().atMost(Duration.ofSeconds(10)).until(() -> notifications.stream()
                .anyMatch(n -> n.getType().equals("dev.oomheapdump.ship.succeeded")));
        Notification shipped = notifications.stream().filter(n -> n.getType().equals("dev.oomheapdump.ship.succeeded"))
                .findFirst().orElseThrow();
        assertEquals(url, ((Map<?, ?>) shipped.getUserData()).get("url"));
        assertTrue(proxy.shipArtifact(snapshot.toString()).contains("shipped already"));
    }

    @Test
    void aClientOfThisVersionReadsTheArtifactsOfAnOlderAgentAsNotShipped() throws Exception {
        String[] items = {"path", "kind", "bytes", "createdMillis", "state", "origin", "detail", "id"};
        javax.management.openmbean.OpenType<?>[] types = {javax.management.openmbean.SimpleType.STRING,
                javax.management.openmbean.SimpleType.STRING, javax.management.openmbean.SimpleType.LONG,
                javax.management.openmbean.SimpleType.LONG, javax.management.openmbean.SimpleType.STRING,
                javax.management.openmbean.SimpleType.STRING, javax.management.openmbean.SimpleType.STRING,
                javax.management.openmbean.SimpleType.STRING};
        javax.management.openmbean.CompositeType type = new javax.management.openmbean.CompositeType(
                ArtifactInfo.class.getName(), "older", items, items, types);
        CompositeData older = new javax.management.openmbean.CompositeDataSupport(type, items, new Object[]{"/d/a.hprof",
                "OOM_DUMP", 1L, 2L, "COMPLETE", "EARLIER_RUN", "", "00"});
        ObjectName olderName = new ObjectName("dev.oomheapdump.test:type=Older");
        // an agent of the version before shipping: its Artifacts have no shipped, shippedTo items
        server.registerMBean(new javax.management.DynamicMBean() {
            @Override
            public Object getAttribute(String attribute) {
                return new CompositeData[]{older};
            }

            @Override
            public void setAttribute(Attribute attribute) {
            }

            @Override
            public javax.management.AttributeList getAttributes(String[] attributes) {
                return new javax.management.AttributeList();
            }

            @Override
            public javax.management.AttributeList setAttributes(javax.management.AttributeList attributes) {
                return attributes;
            }

            @Override
            public Object invoke(String action, Object[] params, String[] signature) {
                return null;
            }

            @Override
            public MBeanInfo getMBeanInfo() {
                return new MBeanInfo(getClass().getName(), "older", null, null, null, null);
            }
        }, olderName);
        ArtifactInfo[] read = JMX.newMXBeanProxy(server, olderName, OomHeapdumpMXBean.class).getArtifacts();
        assertEquals("/d/a.hprof", read[0].getPath());
        assertFalse(read[0].isShipped());
        assertEquals("", read[0].getShippedTo());
    }

    @Test
    void aRejectedChangeLeavesThePolicyExactlyAsItWas() throws Exception {
        OomHeapdumpMXBean proxy = JMX.newMXBeanProxy(server, name, OomHeapdumpMXBean.class);
        String before = service.policy().toString();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> proxy.applyPolicy("threshold=80,limit=0"));
        assertTrue(e.getMessage().contains("'limit'"), e.getMessage());
        assertEquals(before, service.policy().toString());
        assertThrows(IllegalArgumentException.class, () -> proxy.setThreshold(150));
        assertThrows(IllegalArgumentException.class, () -> proxy.setOOMImplementation("FOO"));
        assertThrows(IllegalArgumentException.class, () -> proxy.setOOMImplementation("GC_MONITORING,limit=1"));
        assertThrows(IllegalArgumentException.class, () -> proxy.setPath("../x"));
        IllegalArgumentException fixed = assertThrows(IllegalArgumentException.class,
                () -> proxy.applyPolicy("directory=/tmp"));
        assertTrue(fixed.getMessage().contains("fixed when the agent starts"), fixed.getMessage());
        assertEquals(before, service.policy().toString(), "a refused fixed option changes nothing");
        assertThrows(IllegalArgumentException.class, () -> proxy.createCpuProfile("p", -5));
        assertThrows(IllegalArgumentException.class, () -> proxy.readArtifact("/etc/passwd", 0, 10));
        assertEquals(before, service.policy().toString());
        assertEquals(0, proxy.getArtifacts().length);
    }

    @Test
    void aFixedOptionRepeatedWithItsValueIsAcceptedWithTheChange() throws Exception {
        OomHeapdumpMXBean proxy = JMX.newMXBeanProxy(server, name, OomHeapdumpMXBean.class);
        String now = proxy.applyPolicy("directory=" + dir + ",threshold=81");
        assertEquals(81, service.policy().threshold(), now);
        assertEquals(dir.toAbsolutePath().normalize(), service.policy().directory());
    }
}
