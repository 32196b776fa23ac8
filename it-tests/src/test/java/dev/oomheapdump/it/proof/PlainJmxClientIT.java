package dev.oomheapdump.it.proof;

import dev.oomheapdump.core.format.HprofFile;
import dev.oomheapdump.core.format.JfrFile;
import dev.oomheapdump.it.ChildJvm;
import dev.oomheapdump.it.ChildOutputOnFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A bare {@code MBeanServerConnection} in a JVM that holds no class of this project reads every attribute
 * (Artifacts as {@code CompositeData[]}), sets every writable one and invokes every operation with generic
 * {@code invoke}; failures reach it as JDK exceptions with their messages.
 */
@ExtendWith(ChildOutputOnFailure.class)
class PlainJmxClientIT {

    @TempDir
    Path dir;

    @TempDir
    Path work;

    @Test
    void aClientWithoutOurClassesUsesEveryAttributeAndOperation() throws Exception {
        try (ChildJvm child = Proof.start(Proof.app().heap("64m").agent("").directory(dir))) {
            child.connect();
            PlainClient.Result first = PlainClient.run(work, child.url(), List.of(),
                    "classpath",
                    "get:*",
                    "invoke:createHeapSnapshot:String=plain-h",
                    "invoke:createCpuProfile:String=plain-c:long=200",
                    "get:Artifacts",
                    "get:HeapSnapshots",
                    "get:CpuProfiles",
                    "fetch:plain-h.hprof",
                    "fetch:plain-c.jfr",
                    "invoke:readArtifact:String=plain-c:long=0:int=16",
                    "set:HeapdumpOnOOM:boolean:false",
                    "set:OOMImplementation:String:GC_MONITORING",
                    "set:Path:String:plain-oom",
                    "set:AddTimestamp:boolean:true",
                    "set:Threshold:int:77",
                    "set:Limit:int:4",
                    "invoke:applyPolicy:String=heapdumpOnOOM=true,OOMImplementation=NATIVE_HOOK,limit=3,threshold=70",
                    "set:Threshold:int:150",
                    "invoke:createHeapSnapshot:String=../x",
                    "invoke:createCpuProfile:String=plain-d:long=0",
                    "get:Threshold");
            assertEquals(0, first.exitCode, first.all());
            assertTrue(first.lines.contains("DONE"), first.all());
            assertTrue(first.ok("classpath").startsWith("none of "), first.all());

            Set<String> attributes = first.lines.stream().filter(l -> l.startsWith("ATTR "))
                    .map(l -> l.split(" ")[1]).collect(Collectors.toSet());
            assertEquals(Set.copyOf(Remote.ATTRIBUTES), attributes, "get:* read every attribute:\n" + first.all());
            assertTrue(first.lines.contains("ATTR Directory java.lang.String " + dir), first.all());
            assertTrue(first.lines.contains("ATTR Port java.lang.Integer " + child.port()), first.all());
            assertTrue(first.lines.contains("ATTR Artifacts javax.management.openmbean.CompositeData[] []"), first.all());

            Path heap = dir.resolve("plain-h.hprof");
            Path cpu = dir.resolve("plain-c.jfr");
            assertEquals("java.lang.String " + heap, first.ok("invoke:createHeapSnapshot:String=plain-h"));
            assertEquals("java.lang.String " + cpu, first.ok("invoke:createCpuProfile:String=plain-c:long=200"));
            String artifacts = first.ok("get:Artifacts");
            assertTrue(artifacts.startsWith("javax.management.openmbean.CompositeData[] [{bytes="), artifacts);
            for (String item : List.of("kind=HEAP_SNAPSHOT", "kind=CPU_PROFILE", "path=" + heap, "path=" + cpu,
                    "state=COMPLETE", "origin=THIS_RUN", "detail=", "createdMillis=")) {
                assertTrue(artifacts.contains(item), "Artifacts has " + item + ": " + artifacts);
            }
            assertEquals("java.lang.String[] " + heap, first.ok("get:HeapSnapshots"));
            assertEquals("java.lang.String[] " + cpu, first.ok("get:CpuProfiles"));

            assertTrue(HprofFile.check(heap).complete(), HprofFile.check(heap).toString());
            assertTrue(JfrFile.check(cpu).complete(), JfrFile.check(cpu).toString());
            assertEquals(fingerprint(heap), first.ok("fetch:plain-h.hprof"), "the dump fetched over JMX is the file");
            assertEquals(fingerprint(cpu), first.ok("fetch:plain-c.jfr"), "the profile fetched over JMX is the file");
            assertEquals("byte[] length 16", first.ok("invoke:readArtifact:String=plain-c:long=0:int=16"));

            assertEquals("java.lang.Boolean false", first.ok("set:HeapdumpOnOOM:boolean:false"));
            assertEquals("java.lang.String GC_MONITORING", first.ok("set:OOMImplementation:String:GC_MONITORING"));
            assertEquals("java.lang.String plain-oom", first.ok("set:Path:String:plain-oom"));
            assertEquals("java.lang.Boolean true", first.ok("set:AddTimestamp:boolean:true"));
            assertEquals("java.lang.Integer 77", first.ok("set:Threshold:int:77"));
            assertEquals("java.lang.Integer 4", first.ok("set:Limit:int:4"));
            String policy = first.ok("invoke:applyPolicy:String=heapdumpOnOOM=true,OOMImplementation=NATIVE_HOOK,"
                    + "limit=3,threshold=70");
            assertTrue(policy.startsWith("java.lang.String heapdumpOnOOM=true,OOMImplementation=NATIVE_HOOK,"
                    + "path=plain-oom,addTimestamp=true,port=" + child.port() + ",limit=3,threshold=70,directory=" + dir),
                    policy);

            // failures arrive as JDK exceptions whose message the client can show
            assertTrue(first.err("set:Threshold:int:150").matches("javax\\.management\\.RuntimeMBeanException: .*"
                    + " <- java\\.lang\\.IllegalArgumentException: Option 'threshold' must be from 1 to 99, not 150"),
                    first.all());
            assertTrue(first.err("invoke:createHeapSnapshot:String=../x").contains(
                    " <- java.lang.IllegalArgumentException: Path '../x' "), first.all());
            assertTrue(first.err("invoke:createCpuProfile:String=plain-d:long=0").contains(
                    " <- java.lang.IllegalArgumentException: Duration 0 ms is out of range"), first.all());
            assertEquals("java.lang.Integer 70", first.ok("get:Threshold"));

            PlainClient.Result second = PlainClient.run(work, child.url(), List.of(),
                    "invoke:deleteHeapSnapshot:String=plain-h",
                    "invoke:deleteCpuProfile:String=" + cpu,
                    "invoke:createHeapSnapshot:String=",
                    "invoke:createCpuProfile:String=:long=50",
                    "invoke:deleteAllHeapSnapshots",
                    "invoke:deleteAllCpuProfiles",
                    "get:Artifacts");
            assertEquals(0, second.exitCode, second.all());
            assertEquals("null", second.ok("invoke:deleteHeapSnapshot:String=plain-h"));
            assertEquals("null", second.ok("invoke:deleteCpuProfile:String=" + cpu));
            assertTrue(second.ok("invoke:createHeapSnapshot:String=").matches("java\\.lang\\.String "
                    + java.util.regex.Pattern.quote(dir.toString()) + "/heapsnapshot-[0-9-]+\\.hprof"), second.all());
            assertTrue(second.ok("invoke:createCpuProfile:String=:long=50").matches("java\\.lang\\.String "
                    + java.util.regex.Pattern.quote(dir.toString()) + "/cpuprofile-[0-9-]+\\.jfr"), second.all());
            assertEquals("null", second.ok("invoke:deleteAllHeapSnapshots"));
            assertEquals("null", second.ok("invoke:deleteAllCpuProfiles"));
            assertEquals("javax.management.openmbean.CompositeData[] []", second.ok("get:Artifacts"));
            assertEquals(Set.of(dev.oomheapdump.core.store.ArtifactStore.INDEX_NAME), Remote.listing(dir).keySet());
        }
    }

    private static String fingerprint(Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        return "bytes " + bytes.length + " sha256 " + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(bytes));
    }
}
