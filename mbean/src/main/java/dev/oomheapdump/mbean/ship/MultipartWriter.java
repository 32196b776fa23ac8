package dev.oomheapdump.mbean.ship;

import dev.oomheapdump.core.Daemons;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The parts of one object: an object that fits one part is one {@code PutObject}; a larger one is a multipart upload
 * whose parts are sent by {@value #SENDERS} threads while the next part fills, with at most {@value #BUFFERS} part
 * buffers in all (the memory bound). Any failure aborts the multipart upload, so no half object stays behind.
 */
final class MultipartWriter implements PartSink.Parts, AutoCloseable {

    static final int SENDERS = 2;
    static final int BUFFERS = SENDERS + 2;
    private static final String CONTENT_TYPE = "application/octet-stream";

    private final S3Client client;
    private final String bucket;
    private final String key;
    private final Map<String, String> metadata;
    private final int partSize;
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);
    private final List<Future<CompletedPart>> sent = new ArrayList<>();
    private final ExecutorService senders = Executors.newFixedThreadPool(SENDERS, Daemons.factory("ship-part"));
    private int allocated;
    private String uploadId;
    private boolean done;

    MultipartWriter(S3Client client, String bucket, String key, Map<String, String> metadata, int partSize) {
        this.client = client;
        this.bucket = bucket;
        this.key = key;
        this.metadata = metadata;
        this.partSize = partSize;
    }

    @Override
    public byte[] take() throws IOException {
        while (true) {
            failIfAnyPartFailed();
            byte[] buffer = free.poll();
            if (buffer != null) {
                return buffer;
            }
            if (allocated < BUFFERS) {
                allocated++;
                return new byte[partSize];
            }
            try {
                buffer = free.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while shipping " + key);
            }
            if (buffer != null) {
                return buffer;
            }
        }
    }

    @Override
    public void put(byte[] buffer, int length, boolean last) throws IOException {
        if (last && uploadId == null) {
            client.putObject(b -> b.bucket(bucket).key(key).contentType(CONTENT_TYPE).metadata(metadata),
                    body(buffer, length));
            free.offer(buffer);
            done = true;
            return;
        }
        if (last && length == 0) {
            free.offer(buffer);
        } else {
            if (uploadId == null) {
                uploadId = client.createMultipartUpload(b -> b.bucket(bucket).key(key).contentType(CONTENT_TYPE)
                        .metadata(metadata)).uploadId();
            }
            int number = sent.size() + 1;
            sent.add(senders.submit(() -> {
                try {
                    String eTag = client.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                            .partNumber(number).contentLength((long) length), body(buffer, length)).eTag();
                    return CompletedPart.builder().partNumber(number).eTag(eTag).build();
                } finally {
                    free.offer(buffer);
                }
            }));
        }
        if (last) {
            List<CompletedPart> parts = new ArrayList<>();
            for (Future<CompletedPart> part : sent) {
                parts.add(result(part));
            }
            parts.sort(Comparator.comparing(CompletedPart::partNumber));
            client.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
            done = true;
        }
    }

    private static RequestBody body(byte[] buffer, int length) {
        return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, length), length,
                CONTENT_TYPE);
    }

    private void failIfAnyPartFailed() throws IOException {
        for (Future<CompletedPart> part : sent) {
            if (part.isDone()) {
                result(part);
            }
        }
    }

    private static CompletedPart result(Future<CompletedPart> part) throws IOException {
        try {
            return part.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while shipping");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof IOException) {
                throw (IOException) cause;
            }
            throw new IOException(cause);
        }
    }

    /** Aborts the multipart upload unless it completed; stops the senders. */
    @Override
    public void close() {
        sent.forEach(f -> f.cancel(true));
        senders.shutdownNow();
        if (!done && uploadId != null) {
            try {
                client.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
            } catch (RuntimeException e) {
                // the store lifecycle rules clean it; the failure that got us here is the one to report
            }
        }
    }
}
