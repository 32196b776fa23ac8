package dev.oomheapdump.mbean.ship;

import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Uploads files to one S3 bucket with the AWS SDK: streaming (a file is read twice, never held: once for its
 * SHA-256, which the object's metadata carries from the start, once to send it, hashed again to catch a file that
 * changed), gzip on the way (level 1: the fastest, about half the size of a heap dump) unless the file is gzip
 * already, multipart with a few parts in flight, verified after the upload (size and metadata of the object).
 * Credentials come from the SDK's default chain only (environment, profile files, container and instance roles).
 */
public final class S3Uploader implements AutoCloseable {

    /** User metadata: SHA-256 of the file's bytes as on disk, hex. */
    public static final String SHA256 = "sha256";
    /** The part size, 16 MiB unless {@code -Doomheapdump.ship.partMiB=N} says otherwise (5 at least, S3's minimum). */
    static final int MIN_PART = Math.max(5, Math.min(512, Integer.getInteger("oomheapdump.ship.partMiB", 16))) << 20;
    private static final int MAX_PARTS = 9_000;
    private static final int READ_BUFFER = 1 << 20;

    private final S3Client client;
    private final S3Target target;
    private final String where;
    private volatile boolean checked;

    private S3Uploader(S3Client client, S3Target target, String where) {
        this.client = client;
        this.target = target;
        this.where = where;
    }

    /**
     * A client for {@code target}. The store: {@code endpoint}, else the AWS SDK's own variables
     * {@code AWS_ENDPOINT_URL_S3} or {@code AWS_ENDPOINT_URL} (an S3-compatible store configured the SDK's way), else
     * AWS S3. With an endpoint, path-style addressing and the region of {@code AWS_REGION} or
     * {@code AWS_DEFAULT_REGION} (the AWS CLI's), else {@code us-east-1}.
     *
     * @throws IllegalStateException    when no region can be found for AWS
     * @throws IllegalArgumentException when an endpoint variable is not an http(s) URL, naming it
     */
    public static S3Uploader open(S3Target target, URI endpoint) {
        URI store = endpoint != null ? endpoint : endpointOfEnvironment(System.getenv());
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(120)))
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                // the SHA-256 of every request body is signed (SigV4) and the file's is checked after the upload;
                // the newer trailing checksums are not understood by every S3-compatible store
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        String region = firstSet(System.getenv("AWS_REGION"), System.getenv("AWS_DEFAULT_REGION"));
        if (store != null) {
            builder.endpointOverride(store).forcePathStyle(true).region(Region.of(region == null ? "us-east-1" : region));
        } else if (region != null) {
            builder.region(Region.of(region));
        } else {
            try {
                builder.region(DefaultAwsRegionProviderChain.builder().build().getRegion());
            } catch (RuntimeException e) {
                throw new IllegalStateException("no AWS region: set AWS_REGION (or a region in the AWS profile)", e);
            }
        }
        return new S3Uploader(builder.build(), target, store == null ? "AWS S3" : store.toString());
    }

    /** The endpoint the AWS SDK's variables name, S3's own first; null when neither is set. */
    static URI endpointOfEnvironment(Map<String, String> environment) {
        for (String name : new String[]{"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}) {
            String value = environment.get(name);
            if (value != null && !value.isBlank()) {
                try {
                    return S3Target.endpoint(value);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
                }
            }
        }
        return null;
    }

    private static String firstSet(String... values) {
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                return value.trim();
            }
        }
        return null;
    }

    /** The store, for messages: the endpoint or "AWS S3". */
    public String where() {
        return where;
    }

    public S3Target target() {
        return target;
    }

    /**
     * Uploads {@code file} under {@code key} ({@code .gz} appended when it is compressed on the way) and checks the
     * object.
     *
     * @throws IOException when the file cannot be read or changed during the upload
     * @throws RuntimeException the SDK's failures ({@link S3Problems#describe} says them in words)
     */
    public Upload upload(Path file, String key) throws IOException {
        if (!checked) {
            check();
        }
        try {
            return send(file, key);
        } catch (IOException | RuntimeException e) {
            checked = false;
            throw e;
        }
    }

    /**
     * A request without a body before the first upload: a store that refuses a request stops reading its body, so a
     * refused upload would end as "error writing the request body" instead of the store's reason. A listing of one
     * key says it (bad key, bad signature, no bucket); a policy that allows uploads but not listing is no failure.
     */
    private void check() {
        try {
            client.listObjectsV2(b -> b.bucket(target.bucket()).prefix(target.prefix()).maxKeys(1));
        } catch (S3Exception e) {
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            if (!"AccessDenied".equals(code)) {
                throw e;
            }
        }
        checked = true;
    }

    private Upload send(Path file, String key) throws IOException {
        boolean compress = !isGzip(file);
        String objectKey = compress ? key + ".gz" : key;
        long size = Files.size(file);
        String sha256 = sha256(file);
        int partSize = (int) Math.min(Integer.MAX_VALUE - 64, Math.max(MIN_PART, size / MAX_PARTS + 1));
        long objectBytes;
        String sentSha;
        try (MultipartWriter writer = new MultipartWriter(client, target.bucket(), objectKey,
                Map.of(SHA256, sha256, "source-bytes", Long.toString(size)), partSize)) {
            PartSink sink = new PartSink(writer);
            MessageDigest digest = digest();
            try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
                OutputStream out = compress ? new FastGzip(sink) : sink;
                byte[] buffer = new byte[READ_BUFFER];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    out.write(buffer, 0, n);
                }
                if (compress) {
                    ((FastGzip) out).finish();
                }
            }
            sentSha = HexFormat.of().formatHex(digest.digest());
            if (!sentSha.equals(sha256)) {
                throw new IOException(file + " changed while it was shipped (its SHA-256 is not what it was); "
                        + "nothing was kept");
            }
            sink.finish();
            objectBytes = sink.total();
        }
        HeadObjectResponse head = client.headObject(b -> b.bucket(target.bucket()).key(objectKey));
        String stored = head.metadata().get(SHA256);
        if (head.contentLength() == null || head.contentLength() != objectBytes || !sha256.equals(stored)) {
            throw new IOException("the object " + target.url(objectKey) + " is not what was sent: " + head.contentLength()
                    + " bytes, sha256 " + stored + "; sent " + objectBytes + " bytes, sha256 " + sha256);
        }
        return new Upload(target.url(objectKey), size, objectBytes, sha256);
    }

    /** A gzip file (by its magic bytes, whatever its name). */
    static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    /** SHA-256 of a file, hex. */
    public static String sha256(Path file) throws IOException {
        MessageDigest digest = digest();
        byte[] buffer = new byte[READ_BUFFER];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    @Override
    public void close() {
        client.close();
    }

    /** Gzip at level 1 (the fastest; a heap dump still halves). */
    private static final class FastGzip extends GZIPOutputStream {
        FastGzip(OutputStream out) throws IOException {
            super(out, 1 << 16);
            def.setLevel(Deflater.BEST_SPEED);
        }
    }
}
