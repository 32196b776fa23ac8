package dev.oomheapdump.mbean.cli;

import dev.oomheapdump.core.OomPolicy;
import dev.oomheapdump.core.OomService;
import dev.oomheapdump.mbean.OomHeapdumpBean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fetch command against the real bean behind a real RMI connector in this JVM: the file byte for byte, the
 * output checked before anything travels, a resume, and the command-line rules (no password on it).
 */
class FetchCommandTest {

    @TempDir
    Path dumps;

    @TempDir
    Path home;

    private OomService service;
    private OomHeapdumpBean bean;
    private JMXConnectorServer connector;
    private String url;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        service = OomService.start(OomPolicy.parse("heapdumpOnOOM=false,directory=" + dumps));
        bean = new OomHeapdumpBean(service);
        server.registerMBean(bean, OomHeapdumpBean.objectName());
        connector = JMXConnectorServerFactory.newJMXConnectorServer(new JMXServiceURL("service:jmx:rmi://127.0.0.1"),
                null, server);
        connector.start();
        url = connector.getAddress().toString();
    }

    @AfterEach
    void stop() throws Exception {
        connector.stop();
        bean.close();
        service.close();
    }

    private int run(String... args) {
        out.reset();
        err.reset();
        return Cli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    @Test
    void aSnapshotComesHomeByteForByteVerifiedAndIntoAFolderUnderItsName() throws Exception {
        Path snapshot = Path.of(bean.createHeapSnapshot("home"));
        assertEquals(0, run("fetch", url, "home", home.toString()), err());
        Path fetched = home.resolve("home.hprof");
        assertArrayEquals(Files.readAllBytes(snapshot), Files.readAllBytes(fetched));
        String last = out().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(last.startsWith("fetched " + Files.size(snapshot) + " bytes in ") && last.endsWith(" to " + fetched
                + ", SHA-256 verified " + sha256(snapshot)), out());
        assertEquals(List.of(fetched), ChildFiles.of(home));
        assertEquals("", err(), "no progress bar off a terminal");
    }

    @Test
    void anExistingOutputIsRefusedBeforeConnecting() throws Exception {
        Path taken = Files.writeString(home.resolve("taken.hprof"), "mine");
        // port 1 answers nothing: had it connected first, the message would be about the connection
        assertEquals(2, run("fetch", "127.0.0.1:1", "x", taken.toString()));
        assertEquals("oom-heapdump: '" + taken + "' exists; nothing is overwritten: choose another file or delete it "
                + "first\n", err());
        assertEquals(2, run("fetch", "127.0.0.1:1", "x", home.resolve("no/such/folder/x.hprof").toString()));
        assertTrue(err().startsWith("oom-heapdump: the folder of '" + home.resolve("no/such/folder/x.hprof")
                + "' does not exist"), err());
        assertEquals(2, run("fetch", "127.0.0.1:1", "x", home.resolve("missing") + "/"));
        assertEquals("oom-heapdump: the folder '" + home.resolve("missing") + "/' does not exist\n", err(),
                "a folder that is not there is not taken for a file name, as cp does not");
        assertEquals("mine", Files.readString(taken));
    }

    @Test
    void aFileInTheFolderUnderTheSameNameIsNotOverwritten() throws Exception {
        bean.createHeapSnapshot("twice");
        Files.writeString(home.resolve("twice.hprof"), "mine");
        assertEquals(2, run("fetch", url, "twice", home.toString()));
        assertEquals("oom-heapdump: '" + home.resolve("twice.hprof") + "' exists; nothing is overwritten: choose "
                + "another file or delete it first\n", err());
        assertEquals(List.of(home.resolve("twice.hprof")), ChildFiles.of(home), "no .part either");
    }

    @Test
    void aPartOfTheSameFileIsResumedAndSaysSo() throws Exception {
        Path snapshot = Path.of(bean.createHeapSnapshot("resumed"));
        byte[] bytes = Files.readAllBytes(snapshot);
        assertEquals(0, run("fetch", url, "resumed.hprof", home.resolve("first.hprof").toString()), err());
        // what a stopped fetch leaves: the first bytes and the record of the file they belong to
        Path target = home.resolve("second.hprof");
        Files.write(home.resolve("second.hprof.part"), java.util.Arrays.copyOf(bytes, bytes.length / 3));
        Map<String, Object> file = artifact("resumed.hprof");
        Files.writeString(home.resolve("second.hprof.part.source"), "path=" + file.get("path") + "\nbytes="
                + file.get("bytes") + "\nmodifiedMillis=" + file.get("createdMillis") + "\nid=" + file.get("id") + "\n");
        assertEquals(0, run("fetch", url, snapshot.toString(), target.toString()), err());
        assertTrue(out().startsWith("resuming 'second.hprof.part' at byte " + bytes.length / 3 + " of " + bytes.length
                + ": the file is unchanged (same size, time and id)\n"), out());
        assertTrue(out().contains(", resumed at byte " + bytes.length / 3 + " to " + target + ", SHA-256 verified "),
                out());
        assertArrayEquals(bytes, Files.readAllBytes(target));
        assertFalse(Files.exists(home.resolve("second.hprof.part.source")));
    }

    private Map<String, Object> artifact(String name) {
        return java.util.Arrays.stream(bean.getArtifacts()).filter(a -> a.getPath().endsWith("/" + name)).findFirst()
                .map(a -> Map.<String, Object>of("path", a.getPath(), "bytes", a.getBytes(), "createdMillis",
                        a.getCreatedMillis(), "id", a.getId())).orElseThrow();
    }

    @Test
    void aNameTheBeanDoesNotListIsRefusedNamingWhatItLists() throws Exception {
        bean.createHeapSnapshot("listed");
        assertEquals(2, run("fetch", url, "unlisted", home.toString()));
        assertEquals("oom-heapdump: 'unlisted' is not a file the JVM's oom-heapdump lists; it lists: listed.hprof\n",
                err());
        assertEquals(List.of(), ChildFiles.of(home));
    }

    @Test
    void aPasswordOnTheCommandLineIsRefusedAndSaysWhereItGoes() {
        for (List<String> args : List.of(List.of("--user", "ops", "--password", "secret"), List.of("--password=secret"),
                List.of("-p", "secret"))) {
            String[] all = new String[args.size() + 4];
            all[0] = "fetch";
            for (int i = 0; i < args.size(); i++) {
                all[i + 1] = args.get(i);
            }
            all[args.size() + 1] = url;
            all[args.size() + 2] = "x";
            all[args.size() + 3] = home.toString();
            assertEquals(2, run(all), String.join(" ", all));
            assertTrue(err().contains("is refused: a password on the command line is seen by every user of this host")
                    && err().contains("--password-file F") && err().contains("JMX_PASSWORD"), err());
            assertFalse(err().contains("secret"), "the password is not echoed: " + err());
        }
    }

    @Test
    void badUsageIsNamed() throws Exception {
        assertEquals(2, run("fetch", url, "x"));
        assertEquals("oom-heapdump: " + FetchCommand.USAGE + "\n", err());
        assertEquals(2, run("fetch", "--colour", url, "x", home.toString()));
        assertTrue(err().startsWith("oom-heapdump: unknown option '--colour'"), err());
        assertEquals(2, run("fetch", "--password-file", home.resolve("pw").toString(), url, "x", home.toString()));
        assertEquals("oom-heapdump: --password-file needs --user U\n", err());
        assertEquals(2, run("fetch", "--user", "ops", "--password-file", home.resolve("missing").toString(), url, "x",
                home.toString()));
        assertEquals("oom-heapdump: cannot read the password file '" + home.resolve("missing") + "': no such file\n",
                err());
        assertEquals(2, run("fetch", "--limit-rate", "fast", url, "x", home.toString()));
        assertTrue(err().startsWith("oom-heapdump: ") && err().contains("--limit-rate") && err().contains("fast"), err());
        assertEquals(2, run("fetch", "--limit-rate", "10", url, "x", home.toString()));
        assertTrue(err().contains("--limit-rate must be at least 1k"), err());
        assertEquals(2, run("fetch", "--user", "ops", url, "x", home.toString()));
        assertTrue(err().contains("--user ops needs a password"), err());
    }

    @Test
    void thePasswordIsTheFirstLineOfItsFileOrTheEnvironmentVariable() throws Exception {
        Path file = Files.writeString(home.resolve("pw"), "s3cret\nignored\n");
        FetchCommand.Options options = FetchCommand.parse(List.of("--user", "ops", "--password-file", file.toString(),
                "h:1", "x", "out"));
        assertEquals("s3cret", new FetchCommand(name -> null).password(options));
        FetchCommand.Options fromEnvironment = FetchCommand.parse(List.of("--user=ops", "h:1", "x", "out"));
        assertEquals("from-env", new FetchCommand(Map.of("JMX_PASSWORD", "from-env")::get).password(fromEnvironment));
        assertEquals(null, new FetchCommand(Map.of("JMX_PASSWORD", "x")::get).password(FetchCommand.parse(List.of("h:1",
                "x", "out"))), "no user, no credentials");
        Files.writeString(file, "");
        assertEquals("the password file '" + file + "' is empty: the password is its first line",
                assertThrows(IllegalArgumentException.class, () -> new FetchCommand(n -> null).password(options))
                        .getMessage());
    }

    @Test
    void nothingListeningIsOneLineAndExitOne() {
        assertEquals(1, run("fetch", "127.0.0.1:1", "x", home.toString()));
        assertTrue(err().startsWith("oom-heapdump: cannot connect to 127.0.0.1:1: connection refused") && err()
                .contains("(nothing listens on that port)") && err().strip().lines().count() == 1, err());
    }

    /** The regular files of a folder, sorted. */
    static final class ChildFiles {
        static List<Path> of(Path dir) throws java.io.IOException {
            try (var files = Files.list(dir)) {
                return files.sorted().toList();
            }
        }
    }
}
