package dev.oomheapdump.it.ship;

import dev.oomheapdump.it.ChildJvm;
import org.awaitility.Awaitility;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

/**
 * A real S3-compatible store for the shipping tests: S3Proxy ({@code org.gaul:s3proxy}, its
 * {@code jar-with-dependencies}, copied by the build to {@code target/tools}) in a child process on a free port of
 * 127.0.0.1, the filesystem backend in a folder of the test, SigV4 (and V2) authentication with its own key pair,
 * one bucket made. The tests read back what was shipped with the AWS SDK.
 */
public final class S3Server implements Closeable {

    public static final String ACCESS_KEY = "oom-heapdump-it";
    public static final String SECRET_KEY = "oom-heapdump-it-secret";
    public static final String BUCKET = "dumps";

    private final Process process;
    private final Path log;
    private final int port;
    private final S3Client client;

    private S3Server(Process process, Path log, int port) {
        this(process, log, port, ACCESS_KEY, SECRET_KEY);
    }

    private S3Server(Process process, Path log, int port, String accessKey, String secretKey) {
        this.process = process;
        this.log = log;
        this.port = port;
        this.client = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .endpointOverride(URI.create(endpoint()))
                .forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    /** A client of a store started by someone else (the README's example) on a port of 127.0.0.1. */
    public static S3Server of(int port, String accessKey, String secretKey) {
        return new S3Server(null, null, port, accessKey, secretKey);
    }

    /** Starts S3Proxy with its data under {@code work} and makes the bucket {@value #BUCKET}. */
    public static S3Server start(Path work) throws IOException {
        return start(work, ChildJvm.freePort());
    }

    /** Starts S3Proxy on a given port of 127.0.0.1 (a store that comes up after its clients). */
    public static S3Server start(Path work, int port) throws IOException {
        Path data = Files.createDirectories(work.resolve("s3-data"));
        Path properties = work.resolve("s3proxy.properties");
        Files.writeString(properties, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + data.toAbsolutePath(),
                ""), StandardCharsets.UTF_8);
        Path log = work.resolve("s3proxy.log");
        Process process = new ProcessBuilder(ChildJvm.javaHome().resolve("bin").resolve("java").toString(), "-Xmx512m",
                "-jar", jar().toString(), "--properties", properties.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        S3Server server = new S3Server(process, log, port);
        try {
            Awaitility.await("S3Proxy listens on 127.0.0.1:" + port).atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .failFast("S3Proxy died:\n" + server.log(), () -> !process.isAlive())
                    .until(() -> server.listening());
            server.client.createBucket(b -> b.bucket(BUCKET));
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
        return server;
    }

    public static Path jar() {
        return Paths.get(System.getProperty("oomheapdump.s3proxyJar", "target/tools/s3proxy.jar")).toAbsolutePath();
    }

    private boolean listening() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** The environment a shipper needs: the key pair in the standard AWS variables, no profile file of this host. */
    public Map<String, String> environment(Path work) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_ACCESS_KEY_ID", ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_CONFIG_FILE", work.resolve("no-aws-config").toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", work.resolve("no-aws-credentials").toString());
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        return env;
    }

    /** The keys in the bucket under {@code prefix}, sorted. */
    public List<String> keys(String prefix) {
        return client.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix)).contents().stream()
                .map(S3Object::key).filter(k -> !k.endsWith("/")) // the filesystem backend lists its folders
                .sorted().collect(Collectors.toList());
    }

    public HeadObjectResponse head(String key) {
        return client.headObject(b -> b.bucket(BUCKET).key(key));
    }

    /** The object's user metadata. */
    public Map<String, String> metadata(String key) {
        return head(key).metadata();
    }

    /** Downloads an object to {@code out}. */
    public Path download(String key, Path out) throws IOException {
        try (InputStream in = client.getObject(b -> b.bucket(BUCKET).key(key))) {
            Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
        }
        return out;
    }

    /** Downloads a {@code .gz} object and gunzips it to {@code out}. */
    public Path downloadGunzipped(String key, Path out) throws IOException {
        try (InputStream in = new GZIPInputStream(client.getObject(b -> b.bucket(BUCKET).key(key)), 1 << 16)) {
            Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
        }
        return out;
    }

    public String log() {
        if (log == null) {
            return "(started elsewhere)";
        }
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        client.close();
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
