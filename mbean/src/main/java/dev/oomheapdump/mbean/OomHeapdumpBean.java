package dev.oomheapdump.mbean;

import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.ArtifactKind;
import dev.oomheapdump.core.Daemons;
import dev.oomheapdump.core.ProfileEvent;
import dev.oomheapdump.core.ProfileFormat;
import dev.oomheapdump.core.job.Profiler;
import dev.oomheapdump.core.store.ArtifactReader;
import dev.oomheapdump.core.OomEvent;
import dev.oomheapdump.core.OomPolicy;
import dev.oomheapdump.core.OomService;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanNotificationInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.MalformedObjectNameException;
import javax.management.Notification;
import javax.management.NotificationBroadcasterSupport;
import javax.management.ObjectName;
import javax.management.StandardEmitterMBean;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The MXBean: a thin adapter from JMX to {@link OomService}. It validates what arrives over JMX, maps core
 * results to open types and core failures to JDK exceptions with clear messages, and turns service events
 * into notifications. It describes itself (real parameter names, one line per attribute and operation) so
 * JConsole shows more than {@code p0}.
 */
public final class OomHeapdumpBean extends StandardEmitterMBean implements OomHeapdumpMXBean {

    /** The largest chunk {@link #readArtifact} returns. */
    public static final int MAX_READ = ArtifactReader.MAX_READ;

    private static final Map<String, String> DESCRIPTIONS = Map.ofEntries(
            Map.entry("HeapdumpOnOOM", "Make a heap dump when the JVM runs out of memory"),
            Map.entry("OOMImplementation", "NATIVE_HOOK (the JVM's own hook) or GC_MONITORING (threshold and limit)"),
            Map.entry("Path", "Base name of the OOM dump in Directory; .hprof is appended"),
            Map.entry("AddTimestamp", "Add a UTC timestamp to OOM dump names"),
            Map.entry("Threshold", "GC_MONITORING: percent (1-99) of the maximum heap in use after a GC that triggers a dump"),
            Map.entry("Limit", "Most OOM-policy dumps in this JVM (1-100), failed attempts included"),
            Map.entry("Port", "JMX remote port the agent was asked to listen on; 0 when none"),
            Map.entry("Directory", "The only folder the suite writes to, lists and deletes from (on the JVM's host)"),
            Map.entry("HeapSnapshots", "Complete heap dumps (snapshots and OOM dumps, this run and earlier ones)"),
            Map.entry("CpuProfiles", "Complete profile recordings (.jfr); Artifacts lists their flame graphs too"),
            Map.entry("Artifacts", "Every file the suite made in Directory, with kind, size, state, origin and id"),
            Map.entry("Busy", "True while a heap snapshot, CPU profile or OOM dump is being made"),
            Map.entry("CurrentJob", "What runs and since when; empty when idle"),
            Map.entry("OomDumpCount", "Dumps made by the OOM policy in this JVM, failed attempts included"),
            Map.entry("ArtifactCount", "Files the suite keeps in Directory (this run and earlier ones, any state)"),
            Map.entry("ArtifactBytes", "Bytes of the files the suite keeps in Directory"),
            Map.entry("FreeDiskBytes", "Usable bytes on the file system of Directory"),
            Map.entry("LastOomDumpMillis", "When the newest OOM dump in Directory was made (epoch ms; an earlier "
                    + "run's too); 0 when none"),
            Map.entry("FailedDumpCount", "Heap dumps started in this JVM that failed (OOM dumps and snapshots)"),
            Map.entry("HookArmed", "True while the JVM's own OOM hook (HeapDumpOnOutOfMemoryError) is armed by the suite"),
            Map.entry("ProfilerEngine", "What records the next profile: ASYNC_PROFILER where it loads, else JFR"),
            Map.entry("ProfileFormats", "What a profile leaves beside its .jfr: any of html (flame graph), collapsed, "
                    + "pprof, e.g. jfr,html"),
            Map.entry("Profiler", "auto: async-profiler where it loads, else JDK Flight Recorder; jfr: JFR only"),
            Map.entry("createProfile", "Record a profile (cpu, wall, alloc or lock) to a .jfr in Directory, with the "
                    + "ProfileFormats files beside it; returns the .jfr path when written"),
            Map.entry("createHeapSnapshot", "Dump the live heap to a .hprof (.hprof.gz under Gzip) in Directory; "
                    + "returns its path when complete"),
            Map.entry("createCpuProfile", "Record a CPU profile to a .jfr in Directory (createProfile with event cpu); "
                    + "returns its path when written"),
            Map.entry("deleteHeapSnapshot", "Delete one heap dump the suite made (snapshot or OOM dump)"),
            Map.entry("deleteAllHeapSnapshots", "Delete every heap snapshot made on request (OOM dumps are kept)"),
            Map.entry("deleteCpuProfile", "Delete one profile file the suite made (a .jfr goes with its views)"),
            Map.entry("deleteAllCpuProfiles", "Delete every profile file the suite made"),
            Map.entry("applyPolicy", "Change several policy options at once (key=value,key=value); all or nothing"),
            Map.entry("readArtifact", "Read bytes of a listed complete file, to fetch it over JMX"),
            Map.entry("artifactSha256", "SHA-256 (hex) of a listed complete file, to verify a fetch; cached per file"),
            Map.entry("Gzip", "0: plain .hprof; 1-9: heap dumps are written as .hprof.gz at that gzip level"),
            Map.entry("MaxDumps", "Most heap dumps kept in Directory, oldest snapshots deleted first; 0: no bound"),
            Map.entry("MaxBytes", "Most bytes the suite keeps in Directory, oldest files deleted first; 0: no bound"),
            Map.entry("MinFreeDisk", "Free space a dump must leave (bytes such as 2g, or a percentage such as 5%)"),
            Map.entry("Analyze", "Dumps analyzed without being asked: off, oom (OOM dumps) or all (snapshots too)"),
            Map.entry("analyzeHeapSnapshot", "What filled the heap: analyze a listed dump in a separate low-priority "
                    + "process; returns the .report.json path"),
            Map.entry("readHeapReport", "The text summary of a dump's report (run analyzeHeapSnapshot first)"),
            Map.entry("Ship", "s3://bucket/prefix: OOM dumps and their reports are uploaded there by a separate "
                    + "process (credentials from the AWS environment or profile); empty: not shipped"),
            Map.entry("ShipEndpoint", "Endpoint of an S3-compatible store, e.g. http://127.0.0.1:9000; empty: AWS"),
            Map.entry("shipArtifact", "Upload a listed complete file to Ship in a separate process; returns at once, "
                    + "a ship.succeeded or ship.failed notification tells the outcome"));

    private static final Map<String, String[][]> PARAMETERS = Map.ofEntries(
            Map.entry("createProfile", new String[][]{{"path", "File name in Directory (empty: generated); .jfr is appended"},
                    {"event", "cpu, wall (where threads wait; async-profiler only), alloc or lock (empty: cpu)"},
                    {"duration", "Milliseconds to record, 1 to 3600000 (e.g. 30000)"}}),
            Map.entry("createHeapSnapshot", new String[][]{{"path", "File name in Directory (empty: generated); .hprof or "
                    + ".hprof.gz is appended"}}),
            Map.entry("createCpuProfile", new String[][]{{"path", "File name in Directory (empty: generated); .jfr is appended"},
                    {"duration", "Milliseconds to record, 1 to 3600000 (e.g. 30000)"}}),
            Map.entry("deleteHeapSnapshot", new String[][]{{"path", "File name or absolute path of a listed heap dump"}}),
            Map.entry("deleteCpuProfile", new String[][]{{"path", "File name or absolute path of a listed profile file"}}),
            Map.entry("applyPolicy", new String[][]{{"options", "e.g. OOMImplementation=GC_MONITORING,threshold=80,limit=2"}}),
            Map.entry("readArtifact", new String[][]{{"path", "File name or absolute path of a listed file"},
                    {"offset", "First byte to read"}, {"length", "Bytes to read, 1 to 8388608"}}),
            Map.entry("artifactSha256", new String[][]{{"path", "File name or absolute path of a listed file"}}),
            Map.entry("analyzeHeapSnapshot", new String[][]{{"path", "File name or absolute path of a listed heap dump"}}),
            Map.entry("readHeapReport", new String[][]{{"path", "A listed heap dump or its report, by name or absolute path"}}),
            Map.entry("shipArtifact", new String[][]{{"path", "File name or absolute path of a listed complete file"}}));

    private final OomService service;
    private final ObjectName objectName;
    private final ExecutorService notifier;
    private final AtomicLong sequence = new AtomicLong();
    private final Consumer<OomEvent> eventListener = this::onEvent;
    private final RemoteReadBuffers readBuffers = new RemoteReadBuffers();

    /** Wraps a running service; call {@link #close()} to stop forwarding its events. */
    public OomHeapdumpBean(OomService service) {
        this(service, Executors.newSingleThreadExecutor(Daemons.factory("notifications")));
    }

    private OomHeapdumpBean(OomService service, ExecutorService notifier) {
        super(OomHeapdumpMXBean.class, true, new NotificationBroadcasterSupport(guarded(notifier), notificationInfo()));
        this.service = service;
        this.notifier = notifier;
        this.objectName = objectName();
        service.addListener(eventListener);
    }

    /**
     * Listeners run on our notification thread, often right after an OOM; the JDK's delivery catches only
     * exceptions, so an OutOfMemoryError in a listener would end the thread with a stack trace in the
     * application's log. Each delivery is guarded instead.
     */
    private static java.util.concurrent.Executor guarded(ExecutorService notifier) {
        return task -> notifier.execute(() -> {
            try {
                task.run();
            } catch (Throwable ignored) {
                // the next notification goes out as usual
            }
        });
    }

    /** The bean's name as an {@link ObjectName}. */
    public static ObjectName objectName() {
        try {
            return new ObjectName(OBJECT_NAME);
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MBeanNotificationInfo[] notificationInfo() {
        String[] types = OomEvent.TYPES.stream().map(t -> NOTIFICATION_PREFIX + t).toArray(String[]::new);
        return new MBeanNotificationInfo[]{new MBeanNotificationInfo(types, Notification.class.getName(),
                "Files created and deleted, OOM dumps started, written or failed, jobs, policy changes, "
                        + "shipments succeeded or failed; "
                        + "user data: Map<String,String>")};
    }

    /** The service behind the bean. */
    public OomService service() {
        return service;
    }

    /** How many read buffers are held for RMI connection threads (for tests). */
    int heldReadBuffers() {
        return readBuffers.held();
    }

    /** Stops forwarding events; the service is left running. */
    public void close() {
        service.removeListener(eventListener);
        readBuffers.clear();
        notifier.shutdown();
    }

    private void onEvent(OomEvent event) {
        Notification notification = new Notification(NOTIFICATION_PREFIX + event.type(), objectName,
                sequence.incrementAndGet(), System.currentTimeMillis(), event.message());
        notification.setUserData(new HashMap<>(event.data()));
        sendNotification(notification);
    }

    // ---- policy ----

    private void change(String key, String value) {
        applyPolicy(key + "=" + value);
    }

    @Override
    public String applyPolicy(String options) {
        if (options == null) {
            throw new IllegalArgumentException("Options are missing: give key=value,key=value");
        }
        try {
            return service.changePolicy(OomPolicy.parseArguments(options)).toString();
        } catch (UncheckedIOException e) {
            throw new IllegalStateException(e.getMessage());
        }
    }

    @Override
    public boolean isHeapdumpOnOOM() {
        return service.policy().heapdumpOnOOM();
    }

    @Override
    public void setHeapdumpOnOOM(boolean heapdumpOnOOM) {
        change(OomPolicy.HEAPDUMP_ON_OOM, Boolean.toString(heapdumpOnOOM));
    }

    @Override
    public String getOOMImplementation() {
        return service.policy().implementation().name();
    }

    @Override
    public void setOOMImplementation(String implementation) {
        change(OomPolicy.OOM_IMPLEMENTATION, commaFree(OomPolicy.OOM_IMPLEMENTATION, implementation));
    }

    @Override
    public String getPath() {
        return service.policy().path();
    }

    @Override
    public void setPath(String path) {
        change(OomPolicy.PATH, commaFree(OomPolicy.PATH, path));
    }

    @Override
    public boolean isAddTimestamp() {
        return service.policy().addTimestamp();
    }

    @Override
    public void setAddTimestamp(boolean addTimestamp) {
        change(OomPolicy.ADD_TIMESTAMP, Boolean.toString(addTimestamp));
    }

    @Override
    public String getAnalyze() {
        return service.policy().analyze().name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public void setAnalyze(String analyze) {
        change(OomPolicy.ANALYZE, analyze);
    }

    @Override
    public int getGzip() {
        return service.policy().gzip();
    }

    @Override
    public void setGzip(int gzip) {
        change(OomPolicy.GZIP, Integer.toString(gzip));
    }

    @Override
    public int getMaxDumps() {
        return service.policy().maxDumps();
    }

    @Override
    public void setMaxDumps(int maxDumps) {
        change(OomPolicy.MAX_DUMPS, Integer.toString(maxDumps));
    }

    @Override
    public long getMaxBytes() {
        return service.policy().maxBytes();
    }

    @Override
    public void setMaxBytes(long maxBytes) {
        change(OomPolicy.MAX_BYTES, Long.toString(maxBytes));
    }

    @Override
    public String getMinFreeDisk() {
        return service.policy().minFreeDisk().toString();
    }

    @Override
    public void setMinFreeDisk(String minFreeDisk) {
        change(OomPolicy.MIN_FREE_DISK, commaFree(OomPolicy.MIN_FREE_DISK, minFreeDisk));
    }

    @Override
    public String getShip() {
        return service.policy().ship();
    }

    @Override
    public void setShip(String ship) {
        change(OomPolicy.SHIP, commaFree(OomPolicy.SHIP, ship));
    }

    @Override
    public String getShipEndpoint() {
        return service.policy().shipEndpoint();
    }

    @Override
    public void setShipEndpoint(String shipEndpoint) {
        change(OomPolicy.SHIP_ENDPOINT, commaFree(OomPolicy.SHIP_ENDPOINT, shipEndpoint));
    }

    @Override
    public int getThreshold() {
        return service.policy().threshold();
    }

    @Override
    public void setThreshold(int threshold) {
        change(OomPolicy.THRESHOLD, Integer.toString(threshold));
    }

    @Override
    public int getLimit() {
        return service.policy().limit();
    }

    @Override
    public void setLimit(int limit) {
        change(OomPolicy.LIMIT, Integer.toString(limit));
    }

    /** A single value may not smuggle in a second option. */
    private static String commaFree(String key, String value) {
        if (value == null) {
            throw new IllegalArgumentException("Option '" + key + "' is missing a value");
        }
        if (value.indexOf(',') >= 0 || value.indexOf('=') >= 0) {
            throw new IllegalArgumentException("Option '" + key + "' may not contain ',' or '=': '" + value + "'");
        }
        return value;
    }

    @Override
    public int getPort() {
        return service.policy().port().orElse(0);
    }

    @Override
    public String getDirectory() {
        return service.policy().directory().toString();
    }

    // ---- listing ----

    @Override
    public String[] getHeapSnapshots() {
        return completePaths(ArtifactKind.HEAP_SNAPSHOT, ArtifactKind.OOM_DUMP);
    }

    @Override
    public String[] getCpuProfiles() {
        return service.artifacts().stream().filter(a -> a.isComplete() && a.kind() == ArtifactKind.CPU_PROFILE
                        && a.path().getFileName().toString().endsWith(ProfileFormat.JFR.extension()))
                .map(a -> a.path().toString()).toArray(String[]::new);
    }

    private String[] completePaths(ArtifactKind... kinds) {
        List<ArtifactKind> wanted = List.of(kinds);
        return service.artifacts().stream().filter(a -> a.isComplete() && wanted.contains(a.kind()))
                .map(a -> a.path().toString()).toArray(String[]::new);
    }

    @Override
    public ArtifactInfo[] getArtifacts() {
        return service.artifacts().stream().map(a -> new ArtifactInfo(a.path().toString(), a.kind().name(), a.bytes(),
                a.createdMillis(), a.state().name(), a.origin().name(), a.detail(), a.id(), a.shipped(), a.shippedTo()))
                .toArray(ArtifactInfo[]::new);
    }

    @Override
    public boolean isBusy() {
        return service.busy();
    }

    @Override
    public String getCurrentJob() {
        return service.describeCurrentJob();
    }

    @Override
    public int getOomDumpCount() {
        return service.oomDumpCount();
    }

    // ---- numbers for metrics ----

    @Override
    public int getArtifactCount() {
        return service.artifacts().size();
    }

    @Override
    public long getArtifactBytes() {
        return service.artifacts().stream().mapToLong(Artifact::bytes).sum();
    }

    @Override
    public long getFreeDiskBytes() {
        return service.freeDiskBytes();
    }

    @Override
    public long getLastOomDumpMillis() {
        return service.lastOomDumpMillis();
    }

    @Override
    public int getFailedDumpCount() {
        return service.failedDumpCount();
    }

    @Override
    public boolean isHookArmed() {
        return service.hookArmed();
    }

    @Override
    public String getProfilerEngine() {
        return service.profilerEngine().name();
    }

    @Override
    public String getProfileFormats() {
        return ProfileFormat.text(service.policy().profileFormats());
    }

    @Override
    public void setProfileFormats(String profileFormats) {
        change(OomPolicy.PROFILE_FORMATS, profileFormats);
    }

    @Override
    public String getProfiler() {
        return service.policy().profiler().name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public void setProfiler(String profiler) {
        change(OomPolicy.PROFILER, profiler);
    }

    // ---- operations ----

    @Override
    public String createHeapSnapshot(String path) {
        try {
            return service.createHeapSnapshot(path).toString();
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    public String createCpuProfile(String path, long duration) {
        return createProfile(path, ProfileEvent.CPU.id(), duration);
    }

    @Override
    public String createProfile(String path, String event, long duration) {
        ProfileEvent parsed = ProfileEvent.parse(event);
        Duration checked = Profiler.checkDuration(duration);
        try {
            return service.createProfile(path, parsed, checked).toString();
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    public void deleteHeapSnapshot(String path) {
        translated(() -> service.deleteHeapSnapshot(path));
    }

    @Override
    public void deleteAllHeapSnapshots() {
        translated(service::deleteAllHeapSnapshots);
    }

    @Override
    public void deleteCpuProfile(String path) {
        translated(() -> service.deleteCpuProfile(path));
    }

    @Override
    public void deleteAllCpuProfiles() {
        translated(service::deleteAllCpuProfiles);
    }

    private static void translated(Runnable action) {
        try {
            action.run();
        } catch (UncheckedIOException e) {
            throw new IllegalStateException(e.getMessage(), e.getCause());
        }
    }

    @Override
    public String analyzeHeapSnapshot(String path) {
        try {
            return service.analyzeHeapSnapshot(path).toString();
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    public String readHeapReport(String path) {
        try {
            return service.readHeapReport(path);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the report of " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public byte[] readArtifact(String path, long offset, int length) {
        try {
            return service.readArtifact(path, offset, length, readBuffers);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + path + ": " + e, e);
        }
    }

    @Override
    public String artifactSha256(String path) {
        try {
            return service.artifactSha256(path);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot hash " + path + ": " + e, e);
        }
    }

    @Override
    public String shipArtifact(String path) {
        return service.shipArtifact(path);
    }

    // ---- self-description for JConsole and friends ----

    @Override
    protected String getDescription(MBeanInfo info) {
        return "oom-heapdump: heap dump on OutOfMemoryError, heap snapshots and CPU profiles on request. "
                + "Paths are on the host of this JVM, in " + getDirectory();
    }

    @Override
    protected String getDescription(MBeanAttributeInfo info) {
        return DESCRIPTIONS.getOrDefault(info.getName(), info.getDescription());
    }

    @Override
    protected String getDescription(MBeanOperationInfo info) {
        return DESCRIPTIONS.getOrDefault(info.getName(), info.getDescription());
    }

    @Override
    protected String getParameterName(MBeanOperationInfo op, MBeanParameterInfo param, int sequence) {
        String[][] params = PARAMETERS.get(op.getName());
        return params != null && sequence < params.length ? params[sequence][0] : param.getName();
    }

    @Override
    protected String getDescription(MBeanOperationInfo op, MBeanParameterInfo param, int sequence) {
        String[][] params = PARAMETERS.get(op.getName());
        return params != null && sequence < params.length ? params[sequence][1] : param.getDescription();
    }

    @Override
    protected int getImpact(MBeanOperationInfo info) {
        return info.getName().startsWith("delete") || info.getName().startsWith("create")
                || info.getName().equals("applyPolicy") || info.getName().equals("analyzeHeapSnapshot")
                || info.getName().equals("shipArtifact")
                ? MBeanOperationInfo.ACTION : MBeanOperationInfo.INFO;
    }
}
