package dev.oomheapdump.core;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The numbers ops alert on, kept from the service's own events and its cached listing (never from the disk).
 *
 * <p>A failed dump is a heap dump the suite set out to make in this JVM and did not: every
 * {@value OomEvent#OOM_DUMP_FAILED} (an OOM dump of the policy skipped, refused, failed or left incomplete, the
 * JVM's hook dump included) and every heap snapshot on request whose write began and failed
 * ({@value OomEvent#JOB_ENDED} with {@code ok=false}). A request refused before anything was written (busy, a bad
 * or taken name) is the caller's answer, not a failed dump.
 */
final class DumpStats implements Consumer<OomEvent> {

    private final AtomicInteger failed = new AtomicInteger();

    /** Runs on the thread that emits, often right after an OOM: no allocation, no lock. */
    @Override
    public void accept(OomEvent event) {
        String type = event.type();
        boolean failedSnapshot = type.equals(OomEvent.JOB_ENDED) && "false".equals(event.data().get("ok"))
                && ArtifactKind.HEAP_SNAPSHOT.name().equals(event.data().get("kind"));
        if (type.equals(OomEvent.OOM_DUMP_FAILED) || failedSnapshot) {
            failed.incrementAndGet();
        }
    }

    /** Heap dumps started in this JVM that failed (see the class comment). */
    int failedDumps() {
        return failed.get();
    }

    /**
     * When the newest OOM dump in a listing was made, in epoch milliseconds; 0 when there is none. The listing holds
     * earlier runs' dumps too: after a restart, the dump of the OOM that killed the previous process shows.
     */
    static long lastOomDumpMillis(List<Artifact> listing) {
        long last = 0;
        for (Artifact artifact : listing) {
            if (artifact.kind() == ArtifactKind.OOM_DUMP) {
                last = Math.max(last, artifact.createdMillis());
            }
        }
        return last;
    }
}
