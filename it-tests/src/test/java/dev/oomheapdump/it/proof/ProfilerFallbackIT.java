package dev.oomheapdump.it.proof;

import dev.oomheapdump.core.format.JfrFile;
import dev.oomheapdump.it.ChildJvm;
import dev.oomheapdump.it.ChildOutputOnFailure;
import dev.oomheapdump.it.profile.ProfilesIT;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where async-profiler's library cannot load (here: the temporary folder and the dump folder are both on a file
 * system mounted {@code noexec}, as hardened containers have it), profiles fall back to JDK Flight Recorder: the
 * profile is written all the same, the application's output gets one line saying why (once, not per profile),
 * {@code ProfilerEngine} says {@code JFR} from then on, and a wall-clock profile is refused naming the reason.
 */
@ExtendWith(ChildOutputOnFailure.class)
class ProfilerFallbackIT {

    @TempDir
    Path point;

    @Test
    void noExecFoldersFallBackToJfrSayingSoOnce() throws Exception {
        Mounts.onSmallDisk(point, "64m", dumps -> {
            Mounts.remount(point, "noexec");
            Path tmp = point.resolve("tmp");
            Files.createDirectories(tmp);
            Files.createDirectories(dumps);
            try (ChildJvm child = ProfilesIT.startWorkload(dumps, "", "-Djava.io.tmpdir=" + tmp)) {
                MBeanServerConnection jmx = child.connect();
                ObjectName bean = new ObjectName(ChildJvm.OBJECT_NAME);
                assertEquals("ASYNC_PROFILER", jmx.getAttribute(bean, "ProfilerEngine"), "not known before it is tried");
                for (String name : List.of("first", "second")) {
                    String path = (String) jmx.invoke(bean, "createProfile", new Object[]{name, "cpu", 1500L},
                            new String[]{"java.lang.String", "java.lang.String", "long"});
                    assertTrue(JfrFile.check(Path.of(path)).complete(), path);
                    assertTrue(Files.readString(dumps.resolve(name + ".html")).contains("</html>"));
                }
                assertEquals("JFR", jmx.getAttribute(bean, "ProfilerEngine"));
                List<String> told = child.lines().stream().filter(l -> l.startsWith("oom-heapdump: async-profiler"))
                        .collect(Collectors.toList());
                assertEquals(1, told.size(), "one line, once: " + told);
                assertTrue(told.get(0).contains("async-profiler could not load its library")
                        && told.get(0).contains("noexec") && told.get(0).contains("JDK Flight Recorder records"), told.get(0));
                Exception e = assertThrows(Exception.class, () -> jmx.invoke(bean, "createProfile",
                        new Object[]{"wall", "wall", 1000L}, new String[]{"java.lang.String", "java.lang.String", "long"}));
                String message = String.valueOf(e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
                assertTrue(message.contains("wall-clock") && message.contains("could not load its library"), message);
                // (JFR keeps its repository there while the JVM runs; that is the JDK's)
                assertEquals(List.of(), Files.list(tmp).filter(f -> f.getFileName().toString().contains("oom-heapdump"))
                        .collect(Collectors.toList()), "nothing of ours left in the temporary folder");
            }
        });
    }
}
