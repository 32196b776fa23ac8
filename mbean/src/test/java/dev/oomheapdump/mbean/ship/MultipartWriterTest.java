package dev.oomheapdump.mbean.ship;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

import java.io.InputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The parts of one object, against a client that records its calls: parts in order and whole, a small object in one
 * request, a failed part aborts the upload (no half object), and never more than the bounded number of buffers.
 */
class MultipartWriterTest {

    private static final int PART = 1024;

    /** A fake S3 client: records calls; {@code failPart} > 0 makes that part fail. */
    private static final class Recorder {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final Map<Integer, byte[]> parts = new java.util.concurrent.ConcurrentHashMap<>();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger mostInFlight = new AtomicInteger();
        int failPart;
        List<Integer> completed;

        S3Client client() {
            InvocationHandler handler = (proxy, method, args) -> {
                if (method.isDefault() && args != null && args.length > 0
                        && args[0] instanceof java.util.function.Consumer) {
                    return InvocationHandler.invokeDefault(proxy, method, args); // builds the request, calls below
                }
                switch (method.getName()) {
                    case "createMultipartUpload":
                        calls.add("create");
                        return CreateMultipartUploadResponse.builder().uploadId("u1").build();
                    case "uploadPart": {
                        UploadPartRequest request = (UploadPartRequest) args[0];
                        int n = inFlight.incrementAndGet();
                        mostInFlight.accumulateAndGet(n, Math::max);
                        try {
                            if (request.partNumber() == failPart) {
                                throw SdkClientException.create("part " + failPart + " failed");
                            }
                            try (InputStream in = ((RequestBody) args[1]).contentStreamProvider().newStream()) {
                                parts.put(request.partNumber(), in.readAllBytes());
                            }
                            return UploadPartResponse.builder().eTag("e" + request.partNumber()).build();
                        } finally {
                            inFlight.decrementAndGet();
                        }
                    }
                    case "completeMultipartUpload":
                        calls.add("complete");
                        completed = ((CompleteMultipartUploadRequest) args[0]).multipartUpload().parts().stream()
                                .map(p -> p.partNumber()).toList();
                        return CompleteMultipartUploadResponse.builder().build();
                    case "abortMultipartUpload":
                        calls.add("abort");
                        return AbortMultipartUploadResponse.builder().build();
                    case "putObject":
                        try (InputStream in = ((RequestBody) args[1]).contentStreamProvider().newStream()) {
                            calls.add("put " + in.readAllBytes().length);
                        }
                        return PutObjectResponse.builder().build();
                    case "close":
                        return null;
                    default:
                        throw new UnsupportedOperationException(method.getName());
                }
            };
            return (S3Client) Proxy.newProxyInstance(S3Client.class.getClassLoader(), new Class<?>[]{S3Client.class},
                    handler);
        }
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    private static void send(Recorder recorder, byte[] data) throws Exception {
        try (MultipartWriter writer = new MultipartWriter(recorder.client(), "b", "k", Map.of(), PART)) {
            PartSink sink = new PartSink(writer);
            for (int i = 0; i < data.length; i += 100) {
                sink.write(data, i, Math.min(100, data.length - i));
            }
            sink.finish();
        }
    }

    @Test
    void aLargeObjectGoesUpInOrderedWholeParts() throws Exception {
        Recorder r = new Recorder();
        byte[] data = bytes(PART * 7 + 300);
        send(r, data);

        assertEquals(List.of("create", "complete"), r.calls);
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8), r.completed);
        java.io.ByteArrayOutputStream joined = new java.io.ByteArrayOutputStream();
        for (int i = 1; i <= 8; i++) {
            joined.write(r.parts.get(i));
        }
        assertTrue(java.util.Arrays.equals(data, joined.toByteArray()), "the parts joined are the data");
        assertTrue(r.mostInFlight.get() <= MultipartWriter.SENDERS, "at most " + MultipartWriter.SENDERS
                + " parts in flight: " + r.mostInFlight.get());
    }

    @Test
    void aSmallObjectIsOneRequest() throws Exception {
        Recorder r = new Recorder();
        send(r, bytes(PART - 1));
        assertEquals(List.of("put " + (PART - 1)), r.calls);
    }

    @Test
    void aFailedPartAbortsTheUploadSoNoHalfObjectStays() {
        Recorder r = new Recorder();
        r.failPart = 3;
        SdkClientException e = assertThrows(SdkClientException.class, () -> send(r, bytes(PART * 9)));
        assertTrue(e.getMessage().contains("part 3 failed"), e.getMessage());
        assertEquals(List.of("create", "abort"), r.calls, "aborted, never completed");
    }
}
