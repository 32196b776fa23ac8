package dev.oomheapdump.core.analysis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Heap dumps of known shapes ({@link Zoo}) made by child JVMs, once per test JVM and shared by the tests. */
final class ChildDumps {

    private static final Map<String, Path> MADE = new HashMap<>();
    private static Path dir;

    private ChildDumps() {
    }

    /** The dump of a shape made by a child of this JVM's own java. */
    static synchronized Path dump(String shape, String live) {
        return dump(Path.of(System.getProperty("java.home")), shape, live);
    }

    static synchronized Path dump(Path javaHome, String shape, String live, String... extra) {
        String key = javaHome + "|" + shape + "|" + live + "|" + String.join(",", extra);
        Path made = MADE.get(key);
        if (made != null) {
            return made;
        }
        try {
            if (dir == null) {
                dir = Files.createTempDirectory("oom-heapdump-analysis");
                Path temporary = dir;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(temporary)));
            }
            Path file = dir.resolve(shape + "-" + MADE.size() + (live.equals("gz") ? ".hprof.gz" : ".hprof"));
            String classes = Path.of(Zoo.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
            List<String> command = new ArrayList<>(List.of(javaHome.resolve("bin").resolve("java").toString(),
                    "-Xmx256m", "-XX:+UseSerialGC", "-Xmn128m", "-cp", classes, Zoo.class.getName(), shape,
                    file.toString(), live));
            command.addAll(List.of(extra));
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve(shape + ".log").toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("the child JVM making the '" + shape + "' dump did not finish in 120 s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("the child JVM making the '" + shape + "' dump failed: "
                        + Files.readString(dir.resolve(shape + ".log")));
            }
            MADE.put(key, file);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void delete(Path root) {
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temporary directory
        }
    }

    /** A scratch file in the dumps' directory. */
    static synchronized Path scratch(String name) {
        dump("zoo", "true");
        return dir.resolve(name);
    }
}
