package dev.oomheapdump.it.proof;

import dev.oomheapdump.it.ChildJvm;

import javax.management.remote.JMXConnector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A {@link ProofApp} child whose JMX is the JDK's own management agent on a loopback port, with a password file
 * ({@code readonly}/{@code ropass}, {@code readwrite}/{@code rwpass}, {@code ops}/{@code opspass}, mode 600) and an
 * access file ({@code readonly} read-only, the others readwrite); the agent is given the same {@code port}, so it
 * uses that connector. Key pairs for SSL are made with {@code keytool}.
 */
final class SecuredJvm {

    static final String STORE_PASSWORD = "changeit";

    /** A server key store and a client trust store holding its certificate. */
    record Stores(Path keyStore, Path trustStore) {

        /** The server's JVM options for SSL on the connector and the registry. */
        List<String> serverOptions() {
            return List.of("-Dcom.sun.management.jmxremote.ssl=true", "-Dcom.sun.management.jmxremote.registry.ssl=true",
                    "-Djavax.net.ssl.keyStore=" + keyStore, "-Djavax.net.ssl.keyStorePassword=" + STORE_PASSWORD);
        }

        /** A client's JVM options to trust the server. */
        List<String> clientOptions() {
            return List.of("-Djavax.net.ssl.trustStore=" + trustStore,
                    "-Djavax.net.ssl.trustStorePassword=" + STORE_PASSWORD);
        }
    }

    private SecuredJvm() {
    }

    /** The child's builder: secured JMX on {@code port}, the agent writing into {@code dir}; files go to {@code work}. */
    static ChildJvm.Builder builder(Path work, Path dir, int port, List<String> extra) throws IOException {
        Path passwords = work.resolve("jmxremote.password");
        Files.writeString(passwords, "readonly ropass\nreadwrite rwpass\nops opspass\n");
        Files.setPosixFilePermissions(passwords, Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        Path access = work.resolve("jmxremote.access");
        Files.writeString(access, "readonly readonly\nreadwrite readwrite\nops readwrite\n");
        List<String> args = new ArrayList<>(List.of(
                "-Dcom.sun.management.jmxremote.port=" + port,
                "-Dcom.sun.management.jmxremote.rmi.port=" + port,
                "-Dcom.sun.management.jmxremote.host=127.0.0.1",
                "-Djava.rmi.server.hostname=127.0.0.1",
                "-Dcom.sun.management.jmxremote.password.file=" + passwords,
                "-Dcom.sun.management.jmxremote.access.file=" + access));
        args.addAll(extra);
        return Proof.app().heap("64m").agent("").port(port).directory(dir).jvmArgs(args.toArray(new String[0]));
    }

    static Map<String, Object> credentials(String user, String password) {
        return Map.of(JMXConnector.CREDENTIALS, new String[]{user, password});
    }

    /** A key pair for 127.0.0.1 made with keytool, and a trust store with its certificate. */
    static Stores stores(Path work) throws IOException, InterruptedException {
        Path keyStore = work.resolve("server.p12");
        Path trustStore = work.resolve("trust.p12");
        Path certificate = work.resolve("server.pem");
        keytool(work, "-genkeypair", "-alias", "proof", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12", "-keystore",
                keyStore.toString(), "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
        keytool(work, "-exportcert", "-rfc", "-alias", "proof", "-keystore", keyStore.toString(), "-storepass",
                STORE_PASSWORD, "-file", certificate.toString());
        keytool(work, "-importcert", "-noprompt", "-alias", "proof", "-file", certificate.toString(), "-storetype",
                "PKCS12", "-keystore", trustStore.toString(), "-storepass", STORE_PASSWORD);
        return new Stores(keyStore, trustStore);
    }

    private static void keytool(Path work, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ChildJvm.javaHome().resolve("bin").resolve("keytool").toString());
        cmd.addAll(List.of(args));
        Path output = Files.createTempFile(work, "keytool-", ".txt");
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("keytool did not finish: " + Files.readString(output));
        }
        assertEquals(0, process.exitValue(), String.join(" ", cmd) + "\n" + Files.readString(output));
    }
}
