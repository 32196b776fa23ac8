package dev.oomheapdump.core.job;

import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.ArtifactKind;
import dev.oomheapdump.core.ArtifactState;
import dev.oomheapdump.core.OomEvent;
import dev.oomheapdump.core.OomEvents;
import dev.oomheapdump.core.store.ArtifactStore;
import dev.oomheapdump.core.store.DumpEstimate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * What filled the heap, for a listed dump: the analysis runs in a separate low-priority JVM on this host
 * ({@link OffProcess}), never in the monitored JVM's heap, one at a time, and never takes the job guard, so it
 * never delays an OOM dump. It is refused at once when the host cannot give it the memory it needs: an analysis
 * must never get the service OOM-killed. The report is {@code <dump>.report.json} and {@code <dump>.report.txt},
 * written under temporary names and renamed, listed as {@link ArtifactKind#HEAP_REPORT}.
 */
public final class HeapReports {

    /** The longest an analysis may run. */
    public static final Duration TIMEOUT = Duration.ofHours(2);
    /** The most of a text report {@link #readText} returns. */
    static final int MAX_TEXT = 1 << 20;

    private final ArtifactStore store;
    private final OomEvents events;
    private final AtomicReference<String> running = new AtomicReference<>();
    private final Supplier<HostMemory.Reading> memory;

    public HeapReports(ArtifactStore store, OomEvents events) {
        this(store, events, HostMemory::read);
    }

    HeapReports(ArtifactStore store, OomEvents events, Supplier<HostMemory.Reading> memory) {
        this.store = store;
        this.events = events;
        this.memory = memory;
    }

    /**
     * Analyzes a listed heap dump and returns the path of its {@code .report.json}; a dump that has a complete
     * report already gets that one.
     *
     * @throws IllegalArgumentException when the request names no complete heap dump the suite made, or the dump
     *                                  is damaged (the message says where it stops)
     * @throws IllegalStateException    when another analysis runs, or the host cannot give the memory it needs
     * @throws IOException              when the analysis fails otherwise or its report cannot be written
     */
    public Path analyze(String requested) throws IOException, InterruptedException {
        Artifact dump = store.listed(requested);
        if (!dump.kind().isHeapDump()) {
            throw new IllegalArgumentException("'" + dump.path().getFileName() + "' is a " + dump.kind().label()
                    + ", not a heap dump");
        }
        if (dump.state() != ArtifactState.COMPLETE) {
            throw new IllegalArgumentException("'" + dump.path().getFileName() + "' is " + dump.state()
                    + (dump.detail().isEmpty() ? "" : " (" + dump.detail() + ")") + ": only a complete dump is analyzed");
        }
        String base = baseName(dump);
        Optional<Artifact> done = complete(base + ".report.json").filter(a -> complete(base + ".report.txt").isPresent());
        if (done.isPresent()) {
            return done.get().path();
        }
        String name = dump.path().getFileName().toString();
        if (!running.compareAndSet(null, name)) {
            throw new IllegalStateException("An analysis is already running (" + running.get() + "); one at a time, "
                    + "please retry later");
        }
        // retention leaves a dump alone while it is read
        try (java.io.Closeable use = store.inUse().use(name, "analysis")) {
            return analyzeNow(dump, base);
        } finally {
            running.set(null);
        }
    }

    /** The dump being analyzed, or empty. */
    public String running() {
        String name = running.get();
        return name == null ? "" : name;
    }

    private Path analyzeNow(Artifact dump, String base) throws IOException, InterruptedException {
        long onDisk = Files.size(dump.path());
        // a compressed dump is analyzed as what it holds
        long size = dump.path().toString().endsWith(ArtifactKind.GZIP_HPROF) ? DumpEstimate.uncompressed(onDisk) : onDisk;
        long peak = OffProcess.peakFor(size);
        HostMemory.Reading memory = this.memory.get();
        if (memory.available() >= 0 && peak > memory.available()) {
            throw new IllegalStateException("Not enough memory on this host to analyze " + dump.path().getFileName()
                    + " (" + HostMemory.mib(size) + "): the analysis needs about " + HostMemory.mib(peak)
                    + ", the host can give " + HostMemory.mib(memory.available()) + " (" + memory.detail()
                    + "); fetch the dump and run 'java -jar oom-heapdump-agent.jar analyze FILE' elsewhere");
        }
        for (String extension : ArtifactKind.HEAP_REPORT.extensions()) {
            // a report cut short by a kill is in the way of the new one: it goes
            store.find(base + extension).filter(a -> a.state() == ArtifactState.TRUNCATED)
                    .ifPresent(a -> store.delete(a.path().getFileName().toString(), Set.of(ArtifactKind.HEAP_REPORT),
                            ArtifactKind.HEAP_REPORT.label()));
        }
        ArtifactStore.Reservation json = store.reserve(base + ".report.json", ArtifactKind.HEAP_REPORT, false, false);
        ArtifactStore.Reservation text = null;
        boolean committed = false;
        try {
            text = store.reserve(base + ".report.txt", ArtifactKind.HEAP_REPORT, false, false);
            events.emit(OomEvent.JOB_STARTED, "Analyzing " + dump.path(), OomEvents.map("kind",
                    ArtifactKind.HEAP_REPORT.name(), "path", json.finalPath().toString(), "dump", dump.path().toString()));
            OffProcess.run(dump.path(), json.writePath(), text.writePath(), OffProcess.heapFor(size), TIMEOUT);
            Artifact jsonArtifact = store.commit(json);
            Artifact textArtifact = store.commit(text);
            committed = true;
            events.emit(OomEvent.FILE_CREATED, "Created " + jsonArtifact.path(), OomEvents.artifactData(jsonArtifact));
            events.emit(OomEvent.FILE_CREATED, "Created " + textArtifact.path(), OomEvents.artifactData(textArtifact));
            return jsonArtifact.path();
        } finally {
            if (!committed) {
                store.abort(json);
                if (text != null) {
                    store.abort(text);
                }
            }
            events.emit(OomEvent.JOB_ENDED, "Analysis of " + dump.path() + (committed ? " written" : " failed"),
                    OomEvents.map("kind", ArtifactKind.HEAP_REPORT.name(), "path", json.finalPath().toString(), "ok",
                            Boolean.toString(committed)));
        }
    }

    /**
     * The text summary of a dump's report, by the dump's name or the report's.
     *
     * @throws IllegalArgumentException when there is no complete report for it yet
     */
    public String readText(String requested) throws IOException {
        Artifact artifact = store.listed(requested);
        String base = baseName(artifact);
        Artifact text = complete(base + ".report.txt").orElseThrow(() -> new IllegalArgumentException(
                "There is no report for '" + artifact.path().getFileName() + "' yet: run analyzeHeapSnapshot first"));
        byte[] bytes = Files.readAllBytes(text.path());
        return new String(bytes, 0, Math.min(bytes.length, MAX_TEXT), StandardCharsets.UTF_8);
    }

    /** True when the dump has a complete report. */
    public boolean hasReport(Artifact dump) {
        return complete(baseName(dump) + ".report.json").isPresent();
    }

    private Optional<Artifact> complete(String name) {
        return store.find(name).filter(Artifact::isComplete);
    }

    /** A file's name without its kind's extension: {@code x} for {@code x.hprof} and {@code x.report.txt}. */
    private static String baseName(Artifact artifact) {
        String name = artifact.path().getFileName().toString();
        return name.substring(0, name.length() - artifact.kind().extensionOf(name).length());
    }
}
