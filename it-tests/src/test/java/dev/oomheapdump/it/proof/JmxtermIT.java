package dev.oomheapdump.it.proof;

import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.ArtifactKind;
import dev.oomheapdump.core.store.ArtifactStore;
import dev.oomheapdump.core.format.HprofFile;
import dev.oomheapdump.core.format.JfrFile;
import dev.oomheapdump.it.ChildJvm;
import dev.oomheapdump.it.ChildOutputOnFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every attribute and operation works from jmxterm 1.0.4, a client that knows nothing of this project, in
 * scripted sessions: all attributes read, every writable one set, every operation run, and the failures a
 * jmxterm user sees (out-of-range threshold, unknown implementation, a path escaping the directory, the
 * mutex refusal while another client's profile runs). The files are then checked on disk record by record
 * and, through {@code readArtifact}, byte by byte.
 */
@ExtendWith(ChildOutputOnFailure.class)
class JmxtermIT {

    @TempDir
    Path dir;

    @TempDir
    Path work;

    /** A script built command by command; {@link #add} returns the command's index in the transcript. */
    private static final class Script {
        final List<String> commands = new ArrayList<>();

        int add(String command) {
            commands.add(command);
            return commands.size() - 1;
        }
    }

    @Test
    void everyAttributeAndOperationFromScriptedJmxtermSessions() throws Exception {
        try (ChildJvm child = Proof.start(Proof.app().heap("64m").agent("").directory(dir))) {
            Remote remote = Proof.remote(child);
            int port = child.port();

            // ---- session 1: read all, set all, refused values, every operation ----
            Script s = new Script();
            int getAll = s.add("get *");
            int[] sets = {
                    s.add("set HeapdumpOnOOM false"),
                    s.add("set OOMImplementation GC_MONITORING"),
                    s.add("set Path proof-oom"),
                    s.add("set AddTimestamp true"),
                    s.add("set Threshold 85"),
                    s.add("set Limit 5")};
            int afterSets = s.add("get -s HeapdumpOnOOM OOMImplementation Path AddTimestamp Threshold Limit");
            int badThreshold = s.add("set Threshold 150");
            int thresholdAfter = s.add("get -s Threshold");
            int badImplementation = s.add("set OOMImplementation FOO");
            int implementationAfter = s.add("get -s OOMImplementation");
            int badPath = s.add("set Path ../x");
            int pathAfter = s.add("get -s Path");
            int apply = s.add("run applyPolicy heapdumpOnOOM=true,OOMImplementation=NATIVE_HOOK,path=jmxterm-oom,"
                    + "addTimestamp=false,threshold=70,limit=3");
            int badApply = s.add("run applyPolicy threshold=5,port=1");
            int afterBadApply = s.add("get -s Threshold Path");
            int h1 = s.add("run createHeapSnapshot h1");
            int c1 = s.add("run createCpuProfile c1 300");
            int deleteH1 = s.add("run deleteHeapSnapshot h1");
            int deleteH1Again = s.add("run deleteHeapSnapshot h1");
            int deleteC1 = s.add("run deleteCpuProfile c1.jfr");
            int deleteC1Again = s.add("run deleteCpuProfile c1.jfr");
            int h2 = s.add("run createHeapSnapshot h2");
            int h3 = s.add("run createHeapSnapshot h3");
            int c2 = s.add("run createCpuProfile c2 200");
            int c3 = s.add("run createCpuProfile c3 200");
            int escape = s.add("run createHeapSnapshot ../x");
            int taken = s.add("run createHeapSnapshot h3");
            int lists = s.add("get -s HeapSnapshots CpuProfiles");
            int artifacts = s.add("get Artifacts");
            int readC3 = s.add("run readArtifact c3.jfr 0 8388608");
            int readH3 = s.add("run readArtifact h3 0 65536");
            int readPastEnd = s.add("run readArtifact h3.hprof 1000000000000 16");
            int sha = s.add("run artifactSha256 h3");
            int shipRefused = s.add("run shipArtifact h3");
            int state = s.add("get -s OomDumpCount Busy Port Directory ArtifactCount FailedDumpCount HookArmed");
            Jmxterm.Transcript t = Jmxterm.run(work, port, s.commands);

            String all = t.output(getAll);
            for (String attribute : Remote.ATTRIBUTES) {
                assertTrue(Pattern.compile("(?m)^" + attribute + " = ").matcher(all).find(),
                        "get * shows " + attribute + ":\n" + all);
            }
            for (String expected : List.of("Port = " + port + ";", "Directory = " + dir + ";", "HeapdumpOnOOM = true;",
                    "OOMImplementation = NATIVE_HOOK;", "Path = OoM-pid-" + child.pid() + ";", "AddTimestamp = false;",
                    "Threshold = 70;", "Limit = 3;", "Busy = false;", "CurrentJob = ;", "OomDumpCount = 0;",
                    "HeapSnapshots = [  ];", "CpuProfiles = [  ];", "Artifacts = [  ];", "ArtifactCount = 0;",
                    "ArtifactBytes = 0;", "LastOomDumpMillis = 0;", "FailedDumpCount = 0;", "HookArmed = true;",
                    "ProfilerEngine = ASYNC_PROFILER;", "ProfileFormats = jfr,html;", "Profiler = auto;", "Ship = ;",
                    "ShipEndpoint = ;")) {
                assertTrue(all.contains(expected), "get * shows '" + expected + "':\n" + all);
            }
            for (int set : sets) {
                assertTrue(t.output(set).contains("#Value of attribute"), t.command(set) + ":\n" + t.output(set));
                assertNoException(t, set);
            }
            assertEquals(List.of("false", "GC_MONITORING", "proof-oom", "true", "85", "5"),
                    t.values(afterSets), "every writable attribute took its value");

            assertRefused(t, shipRefused, "IllegalStateException", "option 'ship' is not set");
            assertRefused(t, badThreshold, "IllegalArgumentException", "threshold", "150");
            assertEquals(List.of("85"), t.values(thresholdAfter), "a refused threshold leaves the old one");
            assertRefused(t, badImplementation, "IllegalArgumentException", "OOMImplementation", "'FOO'");
            assertEquals(List.of("GC_MONITORING"), t.values(implementationAfter));
            assertRefused(t, badPath, "IllegalArgumentException", "'../x'");
            assertEquals(List.of("proof-oom"), t.values(pathAfter));

            String policy = String.join("", t.values(apply));
            for (String part : List.of("heapdumpOnOOM=true", "OOMImplementation=NATIVE_HOOK", "path=jmxterm-oom",
                    "addTimestamp=false", "threshold=70", "limit=3", "port=" + port, "directory=" + dir)) {
                assertTrue(policy.contains(part), "applyPolicy returns the whole policy with " + part + ": " + policy);
            }
            assertRefused(t, badApply, "IllegalArgumentException", "'port'");
            assertEquals(List.of("70", "jmxterm-oom"), t.values(afterBadApply), "nothing of a refused policy applies");

            assertEquals(List.of(dir.resolve("h1.hprof").toString()), t.values(h1));
            assertEquals(List.of(dir.resolve("c1.jfr").toString()), t.values(c1));
            for (int delete : new int[]{deleteH1, deleteH1Again, deleteC1, deleteC1Again}) {
                assertNoException(t, delete);
            }
            assertFalse(Files.exists(dir.resolve("h1.hprof")));
            assertFalse(Files.exists(dir.resolve("c1.jfr")));
            assertEquals(List.of(dir.resolve("h2.hprof").toString()), t.values(h2));
            assertEquals(List.of(dir.resolve("h3.hprof").toString()), t.values(h3));
            assertEquals(List.of(dir.resolve("c2.jfr").toString()), t.values(c2));
            assertEquals(List.of(dir.resolve("c3.jfr").toString()), t.values(c3));
            assertRefused(t, escape, "IllegalArgumentException", "'../x'");
            assertRefused(t, taken, "IllegalArgumentException", "h3.hprof", "already exists");

            String listed = String.join("\n", t.values(lists));
            for (String name : List.of("h2.hprof", "h3.hprof", "c2.jfr", "c3.jfr")) {
                assertTrue(listed.contains(dir.resolve(name).toString()), name + " listed:\n" + listed);
            }
            String shown = t.output(artifacts);
            // each profile's flame graph lies beside it (profileFormats=jfr,html by default)
            assertEquals(6, count(shown, "state = COMPLETE;"), "six complete artifacts:\n" + shown);
            assertEquals(6, count(shown, "origin = THIS_RUN;"), shown);
            assertEquals(2, count(shown, "kind = HEAP_SNAPSHOT;"), shown);
            assertEquals(4, count(shown, "kind = CPU_PROFILE;"), shown);

            // the files on disk, record by record, and what readArtifact gave jmxterm, byte by byte
            for (String name : List.of("h2.hprof", "h3.hprof")) {
                HprofFile.Check check = HprofFile.check(dir.resolve(name));
                assertTrue(check.complete(), name + ": " + check);
            }
            for (String name : List.of("c2.jfr", "c3.jfr")) {
                JfrFile.Check check = JfrFile.check(dir.resolve(name));
                assertTrue(check.complete(), name + ": " + check);
            }
            byte[] c3OnDisk = Files.readAllBytes(dir.resolve("c3.jfr"));
            assertArrayEquals(c3OnDisk, Jmxterm.bytes(String.join("", t.values(readC3))),
                    "readArtifact returns the whole profile, byte for byte");
            byte[] h3Head = Arrays.copyOf(Files.readAllBytes(dir.resolve("h3.hprof")), 65536);
            assertArrayEquals(h3Head, Jmxterm.bytes(String.join("", t.values(readH3))),
                    "readArtifact returns the dump's first 64 KiB, byte for byte");
            assertEquals(0, Jmxterm.bytes(String.join("", t.values(readPastEnd))).length, "nothing past the end");
            assertEquals(List.of(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(dir.resolve("h3.hprof"))))), t.values(sha),
                    "artifactSha256 is the dump's SHA-256");
            assertEquals(List.of("0", "false", Integer.toString(port), dir.toString(), "6", "0", "true"), t.values(state),
                    "two dumps, two profiles and their flame graphs");

            // another reader of the same directory sees the same complete files
            List<Artifact> store = new ArtifactStore(dir).list();
            assertEquals(Set.of("h2.hprof", "h3.hprof", "c2.jfr", "c3.jfr", "c2.html", "c3.html"), names(store),
                    store.toString());
            assertTrue(store.stream().allMatch(Artifact::isComplete), store.toString());
            assertEquals(2, store.stream().filter(a -> a.kind() == ArtifactKind.HEAP_SNAPSHOT).count());
            assertEquals(Set.of(ArtifactStore.INDEX_NAME, "h2.hprof", "h3.hprof", "c2.jfr", "c3.jfr", "c2.html", "c3.html"),
                    Remote.listing(dir).keySet(), "nothing else in the directory");

            // ---- session 2: the mutex, seen from jmxterm while another jmxterm records a long profile ----
            try (Jmxterm.Running longProfile = Jmxterm.start(work, port, List.of(), List.of(),
                    List.of("run createCpuProfile long 10000"))) {
                child.await(Duration.ofSeconds(30), "the long profile runs")
                        .failFast("the first jmxterm ended", () -> !longProfile.process.isAlive())
                        .until(remote::busy);
                Script m = new Script();
                int refusedHeap = m.add("run createHeapSnapshot refused");
                int refusedCpu = m.add("run createCpuProfile refused 100");
                int busy = m.add("get -s Busy");
                int job = m.add("get -s CurrentJob");
                Jmxterm.Transcript mt = Jmxterm.run(work, port, m.commands);
                for (int refused : new int[]{refusedHeap, refusedCpu}) {
                    assertRefused(mt, refused, "IllegalStateException", Remote.BUSY,
                            "Running: CPU profile 'long.jfr' since");
                }
                assertEquals(List.of("true"), mt.values(busy));
                assertTrue(String.join("", mt.values(job)).startsWith("CPU profile 'long.jfr' since "),
                        mt.output(job));

                Jmxterm.Transcript lt = longProfile.await(Duration.ofSeconds(60));
                assertEquals(List.of(dir.resolve("long.jfr").toString()), lt.values("run createCpuProfile long 10000"),
                        lt.all());
            }
            assertTrue(JfrFile.check(dir.resolve("long.jfr")).complete(), JfrFile.check(dir.resolve("long.jfr")).toString());
            assertFalse(Files.exists(dir.resolve("refused.hprof")) || Files.exists(dir.resolve("refused.jfr")),
                    "a refused job writes nothing");
            assertEquals(List.of(), Remote.temporaries(dir));

            // ---- session 3: delete-all after files were removed by hand ----
            Files.delete(dir.resolve("h2.hprof"));
            Files.delete(dir.resolve("c2.jfr"));
            Script d = new Script();
            int deleteAllHeap = d.add("run deleteAllHeapSnapshots");
            int deleteAllCpu = d.add("run deleteAllCpuProfiles");
            int after = d.add("get -s HeapSnapshots CpuProfiles");
            int artifactsAfter = d.add("get Artifacts");
            Jmxterm.Transcript dt = Jmxterm.run(work, port, d.commands);
            assertNoException(dt, deleteAllHeap);
            assertNoException(dt, deleteAllCpu);
            assertEquals(List.of("[  ]", "[  ]"), dt.values(after), dt.output(after));
            assertTrue(dt.output(artifactsAfter).contains("Artifacts = [  ];"), dt.output(artifactsAfter));
            assertEquals(Set.of(ArtifactStore.INDEX_NAME), Remote.listing(dir).keySet(),
                    "h3, c3 and the long profile are gone, nothing else was left");
            assertFalse(remote.busy());
        }
    }

    @Test
    void everyProfileEventFromJmxterm() throws Exception {
        try (ChildJvm child = dev.oomheapdump.it.profile.ProfilesIT.startWorkload(dir, "profileFormats=jfr,html")) {
            Script s = new Script();
            int engine = s.add("get -s ProfilerEngine ProfileFormats Profiler");
            int[] events = {
                    s.add("run createProfile jt-cpu cpu 1500"),
                    s.add("run createProfile jt-wall wall 1500"),
                    s.add("run createProfile jt-alloc alloc 1500"),
                    s.add("run createProfile jt-lock lock 1500")};
            int badEvent = s.add("run createProfile jt-bad heap 100");
            int toJfr = s.add("set Profiler jfr");
            int formats = s.add("set ProfileFormats jfr,collapsed");
            int jfrWall = s.add("run createProfile jt-jfr-wall wall 500");
            int jfrAlloc = s.add("run createProfile jt-jfr-alloc alloc 1500");
            int after = s.add("get -s ProfilerEngine ProfileFormats Profiler");
            Jmxterm.Transcript t = Jmxterm.run(work, child.port(), s.commands);

            assertEquals(List.of("ASYNC_PROFILER", "jfr,html", "auto"), t.values(engine), t.all());
            String[] names = {"jt-cpu", "jt-wall", "jt-alloc", "jt-lock"};
            for (int i = 0; i < events.length; i++) {
                assertNoException(t, events[i]);
                assertEquals(List.of(dir.resolve(names[i] + ".jfr").toString()), t.values(events[i]), t.output(events[i]));
                assertTrue(JfrFile.check(dir.resolve(names[i] + ".jfr")).complete());
                assertTrue(Files.readString(dir.resolve(names[i] + ".html")).contains("</html>"), names[i]);
            }
            assertRefused(t, badEvent, "IllegalArgumentException", "'heap'", "cpu, wall, alloc, lock");
            assertNoException(t, toJfr);
            assertNoException(t, formats);
            assertRefused(t, jfrWall, "IllegalArgumentException", "wall-clock", "profiler=jfr");
            assertNoException(t, jfrAlloc);
            assertEquals("allocate", dev.oomheapdump.core.job.ProfileWorkload.heaviest(
                    Files.readAllLines(dir.resolve("jt-jfr-alloc.collapsed"))));
            assertFalse(Files.exists(dir.resolve("jt-jfr-alloc.html")), "ProfileFormats changed at runtime");
            assertEquals(List.of("JFR", "jfr,collapsed", "jfr"), t.values(after), t.all());
            assertEquals(List.of(), Remote.temporaries(dir));
        }
    }

    private static void assertRefused(Jmxterm.Transcript t, int index, String exception, String... texts) {
        String out = t.output(index);
        String error = Arrays.stream(out.split("\n")).filter(l -> l.startsWith("#") && l.contains("Exception"))
                .collect(Collectors.joining("\n"));
        assertTrue(error.contains("java.lang." + exception + ": "), t.command(index) + " is refused with "
                + exception + ":\n" + out);
        for (String text : texts) {
            assertTrue(error.contains(text), t.command(index) + ": the message names " + text + ":\n" + out);
        }
    }

    private static void assertNoException(Jmxterm.Transcript t, int index) {
        assertFalse(t.output(index).contains("Exception"), t.command(index) + " works:\n" + t.output(index));
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private static Set<String> names(List<Artifact> artifacts) {
        return artifacts.stream().map(a -> a.path().getFileName().toString()).collect(Collectors.toSet());
    }
}
