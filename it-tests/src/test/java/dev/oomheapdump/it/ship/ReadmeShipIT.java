package dev.oomheapdump.it.ship;

import dev.oomheapdump.it.AgentCli;
import dev.oomheapdump.it.ChildJvm;
import dev.oomheapdump.it.ChildOutputOnFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's "Ship dumps to object storage" block, run by bash as written from a fresh clone, with only what a
 * test must change: the store's port (a free one for 9000), the JDK under test for {@code java}, the jars from this
 * build instead of a copy and a download, and no {@code aws} command (the test reads the store with its own client).
 * The demo's OOM dump arrives through the dying JVM's uploader, the one-shot ships the snapshot, and the sidecar ships
 * the plain HotSpot dump of a JVM without the agent.
 */
@ExtendWith(ChildOutputOnFailure.class)
class ReadmeShipIT {

    @TempDir
    Path work;

    @Test
    void theReadmesShippingExampleShipsTheDemosOomDumpAndThePlainHotSpotDump() throws Exception {
        int port = ChildJvm.freePort();
        Path script = Files.writeString(work.resolve("readme-ship.sh"), script(readmeBlock(), port));
        List<String> env = new ArrayList<>(List.of("AWS_CONFIG_FILE=" + work.resolve("no-aws-config"),
                "AWS_SHARED_CREDENTIALS_FILE=" + work.resolve("no-aws-credentials"), "AWS_EC2_METADATA_DISABLED=true"));
        Path out = work.resolve("readme-ship.out");
        ProcessBuilder builder = new ProcessBuilder("bash", script.toString()).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.endsWith("JAVA_OPTIONS")
                || k.equals("JAVA_TOOL_OPTIONS"));
        env.forEach(e -> builder.environment().put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1)));
        Process bash = builder.start();
        bash.getOutputStream().close();
        try (S3Server store = S3Server.of(port, "demo-key", "demo-secret")) {
            await("the README block runs to its end").atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofMillis(250))
                    .failFast(() -> assertTrue(bash.isAlive() || read(out).contains(DONE), () -> "bash ended "
                            + "early:\n" + read(out)))
                    .until(() -> read(out).contains(DONE));
            String said = read(out);

            // the demo: its dying JVM's uploader shipped the OOM dump
            Matcher demo = Pattern.compile("shipped (OoM-pid-(\\d+)\\.hprof) to s3://dumps/(demo/\\S+)").matcher(said);
            assertTrue(demo.find(), said);
            Path oomDump = work.resolve("oom-heapdump-demo").resolve(demo.group(1));
            assertEquals(ChildJvm.sha256(oomDump), store.metadata(demo.group(3)).get("sha256"), said);
            assertEquals(-1, Files.mismatch(oomDump, store.downloadGunzipped(demo.group(3), work.resolve("oom.hprof"))));
            assertTrue(said.contains("== OK: the OOM dump"), said);

            // the one-shot: the demo's snapshot
            Matcher oneShot = Pattern.compile("shipped (\\S+/demo-snapshot-\\d+\\.hprof) to s3://dumps/(demo/\\S+)")
                    .matcher(said);
            assertTrue(oneShot.find(), said);
            assertEquals(ChildJvm.sha256(work.resolve(oneShot.group(1))), store.metadata(oneShot.group(2)).get("sha256"));
            assertEquals(demo.group(3).substring(0, demo.group(3).lastIndexOf('/')),
                    oneShot.group(2).substring(0, oneShot.group(2).lastIndexOf('/')),
                    "by hand, the snapshot goes under the JVM that made it (the index says which), beside its OOM dump");

            // the sidecar: the dump of a JVM without the agent, once HotSpot finished it
            List<Path> plain = ChildJvm.files(work.resolve("plain-dumps")).stream()
                    .filter(f -> f.getFileName().toString().matches("java_pid\\d+\\.hprof")).toList();
            assertEquals(1, plain.size(), plain.toString());
            String name = plain.get(0).getFileName().toString();
            await("the sidecar ships " + name).atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250))
                    .until(() -> store.keys("plain/").stream().anyMatch(k -> k.endsWith("/" + name + ".gz")));
            String key = store.keys("plain/").get(0);
            assertEquals(-1, Files.mismatch(plain.get(0), store.downloadGunzipped(key, work.resolve("plain.hprof"))));
            assertEquals(ChildJvm.sha256(plain.get(0)), store.metadata(key).get("sha256"));
        } finally {
            Files.writeString(work.resolve(STOP), "");
            if (!bash.waitFor(60, TimeUnit.SECONDS)) {
                bash.descendants().forEach(ProcessHandle::destroyForcibly);
                bash.destroyForcibly();
            }
        }
        assertEquals(0, bash.exitValue(), read(out));
    }

    private static final String DONE = "README-BLOCK-DONE";
    private static final String STOP = "stop-readme-block";

    /**
     * The block as a script (as pasted into a shell: a command that fails does not stop it; the JVM that dies of its
     * OOM exits non-zero on purpose), which at its end waits for the test's word before it stops the store and the
     * sidecar it started in the background.
     */
    static String script(List<String> block, int port) {
        StringBuilder script = new StringBuilder("trap 'kill $(jobs -p) 2>/dev/null' EXIT\n");
        String java = AgentCli.java().toString();
        for (String line : block) {
            if (line.startsWith("mkdir -p ship-try")) {
                line = "cp '" + ChildJvm.agentJar() + "' oom-heapdump-agent.jar";
            } else if (line.startsWith("mvn -q dependency:copy")) {
                line = "cp '" + S3Server.jar() + "' s3proxy-2.6.0-jar-with-dependencies.jar";
            } else if (line.startsWith("aws ")) {
                continue;
            }
            line = line.replace("127.0.0.1:9000", "127.0.0.1:" + port).replace("/127.0.0.1/9000", "/127.0.0.1/" + port)
                    .replaceAll("(^|\\s)java\\s", "$1" + Matcher.quoteReplacement(java) + " ");
            script.append(line).append('\n');
        }
        script.append("echo ").append(DONE).append('\n');
        script.append("while [ ! -e ").append(STOP).append(" ]; do sleep 0.2; done\n");
        return script.toString();
    }

    /** The first code block after the README's shipping heading, without whole-line comments. */
    static List<String> readmeBlock() throws IOException {
        Path readme = ChildJvm.testClasses().getParent().getParent().getParent().resolve("README.md");
        List<String> lines = Files.readAllLines(readme, StandardCharsets.UTF_8);
        int heading = lines.indexOf("## Ship dumps to object storage");
        assertTrue(heading >= 0, "the README has a section '## Ship dumps to object storage'");
        int open = heading + 1;
        while (!lines.get(open).startsWith("```")) {
            open++;
        }
        List<String> block = new ArrayList<>();
        for (int i = open + 1; !lines.get(i).startsWith("```"); i++) {
            if (!lines.get(i).strip().startsWith("#")) {
                block.add(lines.get(i));
            }
        }
        return block;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(nothing yet: " + e + ")";
        }
    }
}
