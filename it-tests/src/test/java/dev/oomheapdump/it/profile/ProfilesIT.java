package dev.oomheapdump.it.profile;

import dev.oomheapdump.core.format.JfrFile;
import dev.oomheapdump.core.format.ProfileViews;
import dev.oomheapdump.core.job.ProfileWorkload;
import dev.oomheapdump.it.ChildJvm;
import dev.oomheapdump.it.ChildOutputOnFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every profile event over remote JMX, against a child JVM with one thread spinning ({@code spin}), one sleeping
 * ({@code sleep}), one allocating ({@code allocate}) and two contending for a monitor ({@code contend}): each
 * event's profile names its method at the top, on both engines (async-profiler, the default where it loads, and
 * JDK Flight Recorder under {@code profiler=jfr}); every view lies beside its recording, complete and listed; the
 * recording opens in the JDK's {@code jfr} tool with its environment; the flame graph renders in headless Chromium
 * ({@link FlameGraphBrowser}); nothing reaches the application's output but the agent's own lines.
 */
@ExtendWith(ChildOutputOnFailure.class)
public class ProfilesIT {

    private static final Duration PROFILE = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    @TempDir
    Path work;

    /** A child JVM running {@link ProfileWorkload} with the agent and a JMX port. */
    public static ChildJvm startWorkload(Path dir, String options, String... jvmArgs) throws Exception {
        String classPath = ChildJvm.testClasses() + File.pathSeparator
                + Path.of(ProfileWorkload.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ChildJvm child = ChildJvm.builder().heap("128m").agent(options).directory(dir).classPath(classPath)
                .jvmArgs(jvmArgs).mainClass(ProfileWorkload.class.getName()).start();
        child.awaitLine("READY pid", Duration.ofSeconds(30));
        return child;
    }

    @Test
    void asyncProfilerRecordsEveryEventAndNamesItsMethod() throws Exception {
        try (ChildJvm child = startWorkload(dir, "profileFormats=jfr,html,collapsed,pprof")) {
            MBeanServerConnection jmx = child.connect();
            ObjectName bean = new ObjectName(ChildJvm.OBJECT_NAME);
            assertEquals("ASYNC_PROFILER", jmx.getAttribute(bean, "ProfilerEngine"));
            for (String[] eventAndMethod : new String[][]{{"cpu", "spin"}, {"wall", "sleep"}, {"alloc", "allocate"},
                    {"lock", "contend"}}) {
                profileAndCheck(child, jmx, bean, eventAndMethod[0], eventAndMethod[1], "async-profiler");
            }
            assertEquals("ASYNC_PROFILER", jmx.getAttribute(bean, "ProfilerEngine"));
            theGuardCoversAWallProfile(child, jmx, bean);
            assertQuiet(child);
        }
    }


    @Test
    void jdkFlightRecorderRecordsCpuAllocAndLockAndRefusesWallSayingWhy() throws Exception {
        try (ChildJvm child = startWorkload(dir, "profiler=jfr,profileFormats=jfr,html,collapsed,pprof")) {
            MBeanServerConnection jmx = child.connect();
            ObjectName bean = new ObjectName(ChildJvm.OBJECT_NAME);
            assertEquals("JFR", jmx.getAttribute(bean, "ProfilerEngine"));
            for (String[] eventAndMethod : new String[][]{{"cpu", "spin"}, {"alloc", "allocate"}, {"lock", "contend"}}) {
                profileAndCheck(child, jmx, bean, eventAndMethod[0], eventAndMethod[1], "jfr");
            }
            Exception e = assertThrows(Exception.class, () -> jmx.invoke(bean, "createProfile",
                    new Object[]{"wall-under-jfr", "wall", 1000L}, new String[]{"java.lang.String", "java.lang.String", "long"}));
            String message = String.valueOf(e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
            assertTrue(message.contains("wall-clock") && message.contains("profiler=jfr"), message);
            assertFalse(Files.exists(dir.resolve("wall-under-jfr.jfr")));
            assertEquals(false, jmx.getAttribute(bean, "Busy"), "the guard came back");

            // the engine follows the option at runtime
            jmx.setAttribute(bean, new javax.management.Attribute("Profiler", "auto"));
            assertEquals("ASYNC_PROFILER", jmx.getAttribute(bean, "ProfilerEngine"));
            assertQuiet(child);
        }
    }

    /** One job at a time, whatever the profile's event: a snapshot and another profile are refused while it runs. */
    private void theGuardCoversAWallProfile(ChildJvm child, MBeanServerConnection jmx, ObjectName bean) throws Exception {
        java.util.concurrent.CompletableFuture<Object> wall = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return jmx.invoke(bean, "createProfile", new Object[]{"guarded", "wall", 4000L},
                        new String[]{"java.lang.String", "java.lang.String", "long"});
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        child.await(Duration.ofSeconds(20), "the wall profile runs").failFast("it ended", wall::isDone)
                .until(() -> (Boolean) jmx.getAttribute(bean, "Busy"));
        for (Object[] call : new Object[][]{{"createHeapSnapshot", new Object[]{"refused"}, new String[]{"java.lang.String"}},
                {"createProfile", new Object[]{"refused", "alloc", 500L},
                        new String[]{"java.lang.String", "java.lang.String", "long"}}}) {
            Exception e = assertThrows(Exception.class, () -> jmx.invoke(bean, (String) call[0], (Object[]) call[1],
                    (String[]) call[2]));
            String message = String.valueOf(e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
            assertTrue(message.contains("already being created") && message.contains("guarded.jfr"), message);
        }
        assertEquals(dir.resolve("guarded.jfr").toString(), wall.get(30, java.util.concurrent.TimeUnit.SECONDS));
        assertFalse(Files.exists(dir.resolve("refused.hprof")) || Files.exists(dir.resolve("refused.jfr")));
    }

    private void profileAndCheck(ChildJvm child, MBeanServerConnection jmx, ObjectName bean, String event, String method,
                                 String engine) throws Exception {
        String name = engine + "-" + event;
        String path = (String) jmx.invoke(bean, "createProfile", new Object[]{name, event, PROFILE.toMillis()},
                new String[]{"java.lang.String", "java.lang.String", "long"});
        Path jfr = dir.resolve(name + ".jfr");
        assertEquals(jfr.toString(), path);
        assertTrue(JfrFile.check(jfr).complete(), JfrFile.check(jfr).reason());

        // the views lie beside it, complete, listed as the profile's files
        Map<String, String> listed = Arrays.stream((CompositeData[]) jmx.getAttribute(bean, "Artifacts"))
                .filter(a -> ((String) a.get("path")).startsWith(dir.resolve(name + ".").toString()))
                .collect(Collectors.toMap(a -> (String) a.get("path"), a -> a.get("kind") + "/" + a.get("state")));
        for (String extension : List.of(".jfr", ".html", ".collapsed", ".pprof")) {
            Path file = dir.resolve(name + extension);
            assertEquals("CPU_PROFILE/COMPLETE", listed.get(file.toString()), file + " in " + listed);
            if (!extension.equals(".jfr")) {
                assertNull(ProfileViews.problem(file), file + " complete");
            }
        }
        assertTrue(Arrays.asList((String[]) jmx.getAttribute(bean, "CpuProfiles")).contains(path));

        // the right method at the top
        List<String> collapsed = Files.readAllLines(dir.resolve(name + ".collapsed"));
        Map<String, Long> weights = ProfileWorkload.weights(collapsed);
        if (event.equals("wall")) {
            // wall clock samples every thread alike (the JVM's own threads too): the sleeping thread shows as much
            // as the running one, where a CPU profile shows it not at all
            assertTrue(weights.getOrDefault("sleep", 0L) * 2 > weights.getOrDefault("spin", 0L), name + ": " + weights);
        } else {
            assertEquals(method, ProfileWorkload.heaviest(collapsed), name + ": heaviest workload method in " + weights);
        }

        // the JDK's own tool reads it, and it says where it was made
        JfrTool.summary(jfr);
        JfrTool.assertEnvironment(jfr);

        // the flame graph renders in a real browser and shows the method
        FlameGraphBrowser.Rendered rendered = FlameGraphBrowser.render(dir.resolve(name + ".html"),
                "ProfileWorkload\\." + method + "\\b", work.resolve("chromium-" + name));
        assertTrue(rendered.drawnPixels() > 1000, name + ": the canvas was drawn: " + rendered);
        long all = collapsed.stream().mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1).trim())).sum();
        double share = 100.0 * weights.getOrDefault(method, 0L) / all;
        assertTrue(Math.abs(rendered.matchedPercent() - share) < Math.max(1, share * 0.05), name + ": the flame graph "
                + "shows " + method + " with its share of the samples, " + share + "%: " + rendered);
        if (!event.equals("wall")) {
            assertTrue(rendered.matchedPercent() > 30, name + ": " + method + " is most of the graph: " + rendered);
        }
    }

    /** Nothing but the agent's own one-line messages (and the workload's) in the application's output. */
    static void assertQuiet(ChildJvm child) {
        List<String> foreign = child.lines().stream()
                .filter(l -> !l.startsWith("READY pid") && !l.startsWith("oom-heapdump: "))
                .collect(Collectors.toList());
        assertEquals(List.of(), foreign, "lines in the application's output that are not the agent's");
        assertTrue(Set.copyOf(child.lines()).stream().noneMatch(l -> l.contains("WARNING")), child.output());
    }
}
