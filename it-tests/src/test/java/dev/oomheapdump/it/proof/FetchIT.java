package dev.oomheapdump.it.proof;

import dev.oomheapdump.it.AgentCli;
import dev.oomheapdump.it.ChildJvm;
import dev.oomheapdump.it.ChildOutputOnFailure;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code java -jar oom-heapdump-agent.jar fetch} in a process of its own against a JVM whose JMX is the JDK's
 * password-protected connector (the agent uses it through {@code port}): a readwrite user brings a snapshot of
 * tens of MB home byte for byte with its SHA-256 verified; a readonly user, no credentials and a wrong password are
 * refused with one line each and leave nothing; a fetch killed mid-way resumes from its {@code .part} after checking
 * that the file is unchanged, and a {@code .part} of another version of the file is discarded, never mixed; files
 * that are not complete are refused saying their state.
 */
@ExtendWith(ChildOutputOnFailure.class)
class FetchIT {

    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    @TempDir
    Path work;

    @TempDir
    Path home;

    /** A password file as the README says to make one: the password on its first line, readable by its owner only. */
    private Path passwordFile(String password) throws IOException {
        Path file = Files.createTempFile(work, "jmx-password-", "");
        Files.writeString(file, password + "\n");
        Files.setPosixFilePermissions(file, java.util.Set.of(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE));
        return file;
    }

    /** A secured child holding about {@code mib} MiB live. */
    private ChildJvm securedChild(int port, int mib, List<String> extra) throws Exception {
        ChildJvm child = Proof.start(SecuredJvm.builder(work, dir, port, extra).heap("256m"));
        Proof.command(child, "fill " + mib, "FILLED", Duration.ofSeconds(60));
        return child;
    }

    private Remote readwrite(ChildJvm child) {
        return new Remote(child.connect(SecuredJvm.credentials("readwrite", "rwpass")));
    }

    private List<String> homeFiles() throws IOException {
        try (var files = Files.list(home)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aReadwriteUserBringsTheSnapshotHomeVerifiedWithAPasswordFileOrTheEnvironment() throws Exception {
        int port = ChildJvm.freePort();
        try (ChildJvm child = securedChild(port, 40, List.of("-Dcom.sun.management.jmxremote.ssl=false"))) {
            Path snapshot = Path.of(readwrite(child).createHeapSnapshot("home"));
            assertTrue(Files.size(snapshot) > 40 * MIB, "tens of MB: " + Files.size(snapshot));

            AgentCli.Result result = AgentCli.run(work, List.of(), Map.of(), "fetch", "--user", "readwrite",
                    "--password-file", passwordFile("rwpass").toString(), "127.0.0.1:" + port, "home", home.toString());
            assertEquals(0, result.exit(), result.all());
            Path fetched = home.resolve("home.hprof");
            assertArrayEquals(Files.readAllBytes(snapshot), Files.readAllBytes(fetched), "byte for byte");
            assertTrue(result.lastLine().startsWith("fetched " + Files.size(snapshot) + " bytes in ")
                    && result.lastLine().endsWith(" to " + fetched + ", SHA-256 verified " + ChildJvm.sha256(snapshot)),
                    result.all());
            assertFalse(result.out().contains("rwpass") || result.err().contains("rwpass"), "the password is not shown");

            Path second = home.resolve("again.hprof");
            AgentCli.Result fromEnvironment = AgentCli.run(work, List.of(), Map.of("JMX_PASSWORD", "rwpass"), "fetch",
                    "--user", "readwrite", "127.0.0.1:" + port, snapshot.toString(), second.toString());
            assertEquals(0, fromEnvironment.exit(), fromEnvironment.all());
            assertArrayEquals(Files.readAllBytes(snapshot), Files.readAllBytes(second));
            assertEquals(List.of("again.hprof", "home.hprof"), homeFiles(), "no .part, no record left");
        }
    }

    @Test
    void aReadonlyUserNoCredentialsAndAWrongPasswordAreRefusedInOneLineAndLeaveNothing() throws Exception {
        int port = ChildJvm.freePort();
        try (ChildJvm child = securedChild(port, 8, List.of("-Dcom.sun.management.jmxremote.ssl=false"))) {
            readwrite(child).createHeapSnapshot("secret");
            String target = "127.0.0.1:" + port;

            AgentCli.Result readonly = AgentCli.run(work, List.of(), Map.of(), "fetch", "--user", "readonly",
                    "--password-file", passwordFile("ropass").toString(), target, "secret", home.toString());
            assertEquals(2, readonly.exit(), readonly.all());
            assertEquals("oom-heapdump: user 'readonly': this JMX user may read attributes only (Access denied! Invalid "
                    + "access level for requested MBeanServer operation.): fetching a file needs a user with readwrite "
                    + "access, because a heap dump holds the application's secrets\n", readonly.err(), readonly.all());

            AgentCli.Result anonymous = AgentCli.run(work, List.of(), Map.of(), "fetch", target, "secret",
                    home.toString());
            assertEquals(2, anonymous.exit(), anonymous.all());
            assertEquals("oom-heapdump: " + target + " requires a JMX user and password (Authentication failed! "
                    + "Credentials required): give --user U --password-file F, or --user U with the JMX_PASSWORD "
                    + "environment variable\n", anonymous.err());

            AgentCli.Result wrong = AgentCli.run(work, List.of(), Map.of("JMX_PASSWORD", "guess"), "fetch", "--user",
                    "readwrite", target, "secret", home.toString());
            assertEquals(2, wrong.exit(), wrong.all());
            assertEquals("oom-heapdump: authentication failed at " + target + " for user 'readwrite' (Authentication "
                    + "failed! Invalid username or password): check the user and the password\n", wrong.err());

            AgentCli.Result onTheCommandLine = AgentCli.run(work, List.of(), Map.of(), "fetch", "--user", "readwrite",
                    "--password", "rwpass", target, "secret", home.toString());
            assertEquals(2, onTheCommandLine.exit(), onTheCommandLine.all());
            assertTrue(onTheCommandLine.err().startsWith("oom-heapdump: --password is refused: a password on the "
                    + "command line is seen by every user of this host"), onTheCommandLine.all());
            assertEquals(List.of(), homeFiles(), "nothing left by any of them");
        }
    }

    @Test
    void aFetchKilledMidwayResumesFromItsPartAndTheResultIsTheFile() throws Exception {
        int port = ChildJvm.freePort();
        try (ChildJvm child = securedChild(port, 40, List.of("-Dcom.sun.management.jmxremote.ssl=false"))) {
            Path snapshot = Path.of(readwrite(child).createHeapSnapshot("resume"));
            long total = Files.size(snapshot);
            Path part = home.resolve("resume.hprof.part");
            Map<String, String> password = Map.of("JMX_PASSWORD", "rwpass");
            String[] fetch = {"fetch", "--user", "readwrite", "127.0.0.1:" + port, "resume", home.toString()};

            long kept = fetchAndKill(password, fetch, part, total);
            assertTrue(Files.exists(home.resolve("resume.hprof.part.source")), "the record of what the part holds");
            assertFalse(Files.exists(home.resolve("resume.hprof")), "nothing under the final name");

            AgentCli.Result resumed = AgentCli.run(work, List.of(), password, fetch);
            assertEquals(0, resumed.exit(), resumed.all());
            assertTrue(resumed.out().startsWith("resuming 'resume.hprof.part' at byte " + kept + " of " + total
                    + ": the file is unchanged (same size, time and id)\n"), resumed.all());
            assertTrue(resumed.lastLine().contains(", resumed at byte " + kept + " to ")
                    && resumed.lastLine().endsWith(", SHA-256 verified " + ChildJvm.sha256(snapshot)), resumed.all());
            assertArrayEquals(Files.readAllBytes(snapshot), Files.readAllBytes(home.resolve("resume.hprof")));
            assertEquals(List.of("resume.hprof"), homeFiles());
        }
    }

    @Test
    void aPartOfAnotherVersionOfTheFileIsDiscardedAndTheNewOneFetched() throws Exception {
        int port = ChildJvm.freePort();
        try (ChildJvm child = securedChild(port, 40, List.of("-Dcom.sun.management.jmxremote.ssl=false"))) {
            Remote remote = readwrite(child);
            Path snapshot = Path.of(remote.createHeapSnapshot("again"));
            Path part = home.resolve("again.hprof.part");
            Map<String, String> password = Map.of("JMX_PASSWORD", "rwpass");
            String[] fetch = {"fetch", "--user", "readwrite", "127.0.0.1:" + port, "again", home.toString()};
            long kept = fetchAndKill(password, fetch, part, Files.size(snapshot));

            remote.invoke("deleteHeapSnapshot", "again");
            Proof.command(child, "fill 2", "FILLED", Duration.ofSeconds(30));
            assertEquals(snapshot.toString(), remote.createHeapSnapshot("again"), "the same name, another file");

            AgentCli.Result result = AgentCli.run(work, List.of(), password, fetch);
            assertEquals(0, result.exit(), result.all());
            assertTrue(result.out().startsWith("discarded 'again.hprof.part' (" + kept + " bytes): it held another "
                    + "version of the file ("), result.all());
            assertTrue(result.out().lines().findFirst().orElseThrow().contains("id "), "the id tells them apart: "
                    + result.out());
            assertFalse(result.lastLine().contains("resumed"), result.all());
            assertArrayEquals(Files.readAllBytes(snapshot), Files.readAllBytes(home.resolve("again.hprof")),
                    "the new file, not a mix");
        }
    }

    /** Starts a fetch limited to 4 MB/s, kills it once its part holds 8 MiB, returns what the part kept. */
    private long fetchAndKill(Map<String, String> environment, String[] fetch, Path part, long total) throws Exception {
        String[] limited = new String[fetch.length + 2];
        limited[0] = fetch[0];
        limited[1] = "--limit-rate";
        limited[2] = "4m";
        System.arraycopy(fetch, 1, limited, 3, fetch.length - 1);
        AgentCli.Running slow = AgentCli.start(work, List.of(), environment, limited);
        try {
            Awaitility.await("the fetch's part grows past 8 MiB").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(20))
                    .failFast("the fetch ended before it could be killed", () -> !slow.process.isAlive())
                    .until(() -> Files.exists(part) && Files.size(part) >= 8 * MIB);
        } catch (org.awaitility.core.ConditionTimeoutException | org.awaitility.core.TerminalFailureException e) {
            throw new AssertionError(e.getMessage() + "\n" + slow.output(), e);
        }
        slow.process.destroyForcibly();
        assertTrue(slow.process.waitFor(30, TimeUnit.SECONDS), "the killed fetch is gone");
        long kept = Files.size(part);
        assertTrue(kept >= 8 * MIB && kept < total, "killed mid-way: " + kept + " of " + total);
        return kept;
    }

    @Test
    void aFetchFromANearlyFullHeapNeverRunsTheApplicationOutOfMemory() throws Exception {
        try (ChildJvm child = Proof.start(Proof.app().heap("64m").agent("").directory(dir))) {
            Remote remote = Proof.remote(child);
            Proof.command(child, "fill 36", "FILLED", Duration.ofSeconds(60));
            Path snapshot = Path.of(remote.createHeapSnapshot("full"));
            // four reads of 8 MiB at once would need more than the heap has left: the reads are cut to what it can spare
            AgentCli.Result result = AgentCli.run(work, List.of(), Map.of(), "fetch", "127.0.0.1:" + child.port(),
                    "full", home.toString());
            assertEquals(0, result.exit(), result.all());
            assertArrayEquals(Files.readAllBytes(snapshot), Files.readAllBytes(home.resolve("full.hprof")));
            assertEquals(0, remote.oomDumpCount(), "no OutOfMemoryError, no OOM dump\n" + child.output());
            assertEquals(List.of(snapshot.toString()), remote.heapSnapshots());
            assertFalse(child.output().contains("OutOfMemoryError"), child.output());
            Proof.command(child, "fill 1", "FILLED", Duration.ofSeconds(30)); // and it runs on
        }
    }

    @Test
    void aTruncatedFileIsRefusedSayingSoAndNothingIsLeft() throws Exception {
        try (ChildJvm child = Proof.start(Proof.app().heap("128m").agent("").directory(dir))) {
            Remote remote = Proof.remote(child);
            Path snapshot = Path.of(remote.createHeapSnapshot("cut"));
            try (FileChannel channel = FileChannel.open(snapshot, StandardOpenOption.WRITE)) {
                channel.truncate(channel.size() / 2);
            }
            child.await(Duration.ofSeconds(30), "the listing sees the cut file as TRUNCATED")
                    .until(() -> "TRUNCATED".equals(remote.artifacts().get(0).get("state")));

            AgentCli.Result result = AgentCli.run(work, List.of(), Map.of(), "fetch", "127.0.0.1:" + child.port(), "cut",
                    home.toString());
            assertEquals(1, result.exit(), result.all());
            assertTrue(result.err().startsWith("oom-heapdump: 'cut.hprof' is TRUNCATED (") && result.err().endsWith(
                    "): only complete files are fetched\n"), result.all());
            assertEquals(List.of(), homeFiles());
            Throwable read = Remote.failure("readArtifact of a truncated file", () -> remote.readArtifact("cut", 0, 16));
            assertTrue(read instanceof IllegalStateException && read.getMessage().startsWith("'cut.hprof' is TRUNCATED"),
                    String.valueOf(read));
            Throwable hash = Remote.failure("artifactSha256 of a truncated file", () -> remote.invoke("artifactSha256",
                    "cut"));
            assertTrue(hash instanceof IllegalStateException && hash.getMessage().startsWith("'cut.hprof' is TRUNCATED"),
                    String.valueOf(hash));
        }
    }

    /** What a call threw, unwrapped; null when it returned. */
    private static Throwable attempt(Remote.Call call) {
        try {
            call.run();
            return null;
        } catch (Throwable t) {
            return Remote.unwrap(t);
        }
    }

    @Test
    void aSnapshotBeingWrittenIsSaidToBeBeingWrittenNotDeleted() throws Exception {
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try (ChildJvm child = Proof.start(Proof.app().heap("768m").agent("").directory(dir))) {
            Remote remote = Proof.remote(child);
            Proof.command(child, "fill 500", "FILLED", Duration.ofSeconds(120));
            Future<String> snapshot = caller.submit(() -> remote.createHeapSnapshot("writing"));
            Throwable[] refused = new Throwable[2];
            child.await(Duration.ofSeconds(120), "a read while the snapshot is IN_PROGRESS")
                    .pollInterval(Duration.ofMillis(5))
                    .failFast("the snapshot finished before it was seen in progress", snapshot::isDone)
                    .until(() -> {
                        if (!remote.artifacts().stream().anyMatch(a -> "IN_PROGRESS".equals(a.get("state")))) {
                            return false;
                        }
                        refused[0] = attempt(() -> remote.readArtifact("writing", 0, 16));
                        refused[1] = attempt(() -> remote.invoke("artifactSha256", "writing"));
                        return refused[0] != null && refused[1] != null; // else it completed meanwhile: fails fast
                    });
            for (Throwable t : refused) {
                assertTrue(t instanceof IllegalStateException && t.getMessage().equals("'writing.hprof' is being "
                        + "written (IN_PROGRESS): it can be read once it is complete"), String.valueOf(t));
            }
            snapshot.get(120, TimeUnit.SECONDS);
            assertEquals(16, remote.readArtifact("writing", 0, 16).length, "readable once complete");
        } finally {
            caller.shutdownNow();
        }
    }

    @Test
    void overSslTheJdksTrustStoreSettingsAreAllItTakes() throws Exception {
        SecuredJvm.Stores stores = SecuredJvm.stores(work);
        int port = ChildJvm.freePort();
        try (ChildJvm child = securedChild(port, 8, stores.serverOptions())) {
            Path snapshot = sslSnapshot(child, stores, "tls");
            String target = "127.0.0.1:" + port;
            Map<String, String> password = Map.of("JMX_PASSWORD", "opspass");

            AgentCli.Result ok = AgentCli.run(work, stores.clientOptions(), password, "fetch", "--ssl", "--user", "ops",
                    target, "tls", home.toString());
            assertEquals(0, ok.exit(), ok.all());
            assertArrayEquals(Files.readAllBytes(snapshot), Files.readAllBytes(home.resolve("tls.hprof")));
            assertTrue(ok.lastLine().endsWith("SHA-256 verified " + ChildJvm.sha256(snapshot)), ok.all());

            AgentCli.Result plain = AgentCli.run(work, stores.clientOptions(), password, "fetch", "--user", "ops",
                    target, "tls", home.resolve("plain.hprof").toString());
            assertEquals(1, plain.exit(), plain.all());
            assertTrue(plain.err().startsWith("oom-heapdump: " + target + " did not answer as a plain RMI registry (")
                    && plain.err().endsWith("): when its registry uses TLS (com.sun.management.jmxremote.registry"
                    + ".ssl=true), add --ssl\n"), plain.all());

            AgentCli.Result untrusting = AgentCli.run(work, List.of(), password, "fetch", "--ssl", "--user", "ops",
                    target, "tls", home.resolve("untrusted.hprof").toString());
            assertEquals(1, untrusting.exit(), untrusting.all());
            assertTrue(untrusting.err().startsWith("oom-heapdump: TLS handshake with " + target + " failed (")
                    && untrusting.err().contains("-Djavax.net.ssl.trustStore=FILE"), untrusting.all());
            assertEquals(List.of("tls.hprof"), homeFiles());
        }
    }

    /**
     * A snapshot made over SSL by a client in a JVM of its own (this JVM's default SSL context is made once, with
     * whatever trust store the first SSL connection saw).
     */
    private Path sslSnapshot(ChildJvm child, SecuredJvm.Stores stores, String name) throws Exception {
        List<String> options = new java.util.ArrayList<>(stores.clientOptions());
        options.addAll(List.of("-Dclient.sslRegistry=true", "-Dclient.user=ops", "-Dclient.password=opspass"));
        String step = "invoke:createHeapSnapshot:String=" + name;
        PlainClient.Result result = PlainClient.run(work, child.url(), options, step);
        assertEquals(0, result.exitCode, result.all());
        return Path.of(result.ok(step).replaceFirst("^java.lang.String ", ""));
    }

    /**
     * Every command of the README's "Fetch a file over JMX" block, pasted into bash as written, with only the
     * placeholders replaced (host and port, the jar, the password file, the trust store, the folder): against the
     * agent's own port, the JDK's password-protected connector, and the same over SSL.
     */
    @Test
    void theReadmeExamplesWorkAsWritten() throws Exception {
        List<String> examples = readmeExamples();
        assertEquals(5, examples.size(), "the README's fetch examples: " + examples);
        SecuredJvm.Stores stores = SecuredJvm.stores(work);
        Path opsPassword = passwordFile("opspass");
        Path plainDir = Files.createDirectories(dir.resolve("plain"));
        Path securedDir = Files.createDirectories(dir.resolve("secured"));
        Path sslDir = Files.createDirectories(dir.resolve("ssl"));
        int securedPort = ChildJvm.freePort();
        int sslPort = ChildJvm.freePort();
        try (ChildJvm plain = Proof.start(Proof.app().heap("64m").agent("").directory(plainDir));
             ChildJvm secured = Proof.start(SecuredJvm.builder(work, securedDir, securedPort,
                     List.of("-Dcom.sun.management.jmxremote.ssl=false")));
             ChildJvm ssl = Proof.start(SecuredJvm.builder(work, sslDir, sslPort, stores.serverOptions()))) {
            Path plainSnapshot = Path.of(Proof.remote(plain).createHeapSnapshot("before-deploy"));
            Path securedSnapshot = Path.of(readwrite(secured).createHeapSnapshot("OoM-pid-4242"));
            Path sslSnapshot = sslSnapshot(ssl, stores, "OoM-pid-4242");
            for (String example : examples) {
                boolean overSsl = example.contains("--ssl");
                String line = example.replace("~/.jmx-ops-password", opsPassword.toString())
                        .replace("jmx-trust.p12", stores.trustStore().toString())
                        .replace("oom-heapdump-agent.jar", ChildJvm.agentJar().toString())
                        .replace("./dumps/", home + "/")
                        .replace("app-host:9010", "127.0.0.1:" + (overSsl ? sslPort : securedPort))
                        .replace("127.0.0.1:9010", "127.0.0.1:" + plain.port())
                        .replaceAll("(^|\\s)java\\s", "$1" + AgentCli.java() + " ");
                AgentCli.Result result = AgentCli.shell(work, line);
                assertEquals(0, result.exit(), "README: " + example + "\nran: " + line + "\n" + result.all());
                Path source = example.contains("before-deploy") ? plainSnapshot : overSsl ? sslSnapshot : securedSnapshot;
                Path fetched = home.resolve(source.getFileName());
                assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(fetched), example);
                assertTrue(result.lastLine().endsWith("SHA-256 verified " + ChildJvm.sha256(source)), result.all());
                Files.delete(fetched);
            }
        }
    }

    /** The command lines of the first code block after the README's fetch heading (comments and blanks dropped). */
    private static List<String> readmeExamples() throws IOException {
        Path readme = ChildJvm.testClasses().getParent().getParent().getParent().resolve("README.md");
        List<String> lines = Files.readAllLines(readme);
        int heading = lines.indexOf("## Fetch a file over JMX");
        assertTrue(heading >= 0, "the README has a section '## Fetch a file over JMX'");
        int open = heading + 1;
        while (!lines.get(open).startsWith("```")) {
            open++;
        }
        List<String> commands = new java.util.ArrayList<>();
        for (int i = open + 1; !lines.get(i).startsWith("```"); i++) {
            String line = lines.get(i).strip();
            if (!line.isEmpty() && !line.startsWith("#")) {
                commands.add(line);
            }
        }
        return commands;
    }
}
