package dev.oomheapdump.mbean;

/**
 * The oom-heapdump service of one JVM: its out-of-memory policy, and heap snapshots and CPU profiles on
 * request. Registered as {@value #OBJECT_NAME}.
 *
 * <p>Every path is a path <em>on the host of the JVM that runs the agent</em>, inside {@link #getDirectory()
 * the dump directory}: names are resolved there; absolute paths elsewhere, {@code ..} and separators are
 * refused. Only open types cross the wire, so any client (JConsole, VisualVM, jmxterm, a bare
 * {@code MBeanServerConnection}) works without this jar. Failures are JDK exceptions whose message is the
 * user interface: {@link IllegalArgumentException} for bad input (naming the value),
 * {@link IllegalStateException} for a busy service or a failed write.
 *
 * <p>Getters are cheap: they read a cached listing kept fresh by a directory watcher, never the disk.
 * A notification is emitted for every file created or deleted, every OOM dump started, written or failed,
 * every job started or ended and every policy change; its type is {@value #NOTIFICATION_PREFIX} followed
 * by {@code file.created}, {@code file.deleted}, {@code oom.dump.started}, {@code oom.dump.created},
 * {@code oom.dump.failed}, {@code job.started}, {@code job.ended}, {@code policy.changed}, {@code ship.succeeded},
 * {@code ship.failed}, and its user
 * data a {@code Map<String,String>} (path, kind, bytes, state...).
 */
public interface OomHeapdumpMXBean {

    /** The name the bean is registered under. */
    String OBJECT_NAME = "dev.oomheapdump:type=OomHeapdump";

    /** The prefix of every notification type. */
    String NOTIFICATION_PREFIX = "dev.oomheapdump.";

    // ---- the policy (read/write, validated; a rejected value changes nothing) ----

    /** Whether a heap dump is made when the JVM runs out of memory. */
    boolean isHeapdumpOnOOM();

    /** @throws IllegalArgumentException never for a boolean; present for symmetry */
    void setHeapdumpOnOOM(boolean heapdumpOnOOM);

    /** {@code NATIVE_HOOK} (the JVM's own hook) or {@code GC_MONITORING} (GC notifications, threshold, limit). */
    String getOOMImplementation();

    /** @throws IllegalArgumentException when not {@code NATIVE_HOOK} or {@code GC_MONITORING} */
    void setOOMImplementation(String implementation);

    /** The OOM dump's base name in the directory; {@code .hprof} is appended. */
    String getPath();

    /**
     * @throws IllegalArgumentException when empty, too long, with characters other than ASCII letters, digits,
     *                                  {@code . _ -}, or naming a place outside the directory
     */
    void setPath(String path);

    /** Whether OOM dump names get a UTC timestamp. */
    boolean isAddTimestamp();

    void setAddTimestamp(boolean addTimestamp);

    /** GC_MONITORING: percent (1-99) of the maximum heap in use after a GC that triggers a dump. */
    int getThreshold();

    /** @throws IllegalArgumentException when outside 1-99 */
    void setThreshold(int threshold);

    /** Most dumps of the OOM policy per JVM, failed attempts included, whichever mechanism made them. */
    int getLimit();

    /** @throws IllegalArgumentException when outside 1-100 */
    void setLimit(int limit);

    /**
     * Changes several policy options at once, {@code key=value,key=value} with the agent's option names
     * ({@code heapdumpOnOOM}, {@code OOMImplementation}, {@code path}, {@code addTimestamp}, {@code limit},
     * {@code threshold}, {@code analyze}, {@code gzip}, {@code maxDumps}, {@code maxBytes}, {@code minFreeDisk},
     * {@code profileFormats}, {@code profiler}, {@code ship}, {@code shipEndpoint}).
     * All are validated before any is applied.
     *
     * @return the whole policy after the change, as agent options
     * @throws IllegalArgumentException naming the first bad option and value; nothing is applied then
     */
    String applyPolicy(String options);

    // ---- fixed at start ----

    /** The JMX remote port the agent was asked to listen on, 0 when none. */
    int getPort();

    /** The absolute path of the only folder the suite writes to, lists and deletes from. */
    String getDirectory();

    // ---- what is on disk ----

    /** Absolute paths of complete heap dumps (snapshots and OOM dumps, this run or earlier ones), oldest first. */
    String[] getHeapSnapshots();

    /**
     * Absolute paths of complete profile recordings ({@code .jfr}, every event), oldest first; the views made from
     * them ({@code .html}, {@code .collapsed}, {@code .pprof}) are in {@link #getArtifacts}, kind {@code CPU_PROFILE}.
     */
    String[] getCpuProfiles();

    /** Every file the suite made in the directory, now or in an earlier run, complete, truncated or in progress. */
    ArtifactInfo[] getArtifacts();

    /** True while a heap snapshot, CPU profile or OOM dump is being made. */
    boolean isBusy();

    /** What runs and since when, e.g. {@code CPU profile 'x.jfr' since 2026-11-25T03:00:00Z (4.0 s ago)}; empty when idle. */
    String getCurrentJob();

    /** Dumps made by the OOM policy in this JVM (attempts, failed ones included). */
    int getOomDumpCount();

    // ---- numbers for metrics (exporters turn numbers into metrics; see the README's Metrics section) ----

    /** How many files the suite keeps in the directory: every listed file, of this run or earlier ones, in any state. */
    int getArtifactCount();

    /** The bytes of every listed file, as last looked at (the listing is refreshed once a second). */
    long getArtifactBytes();

    /** Usable bytes on the directory's file system, right now; 0 when the directory is missing. */
    long getFreeDiskBytes();

    /**
     * When the newest OOM dump listed in the directory was made, epoch milliseconds: one of this run, or the dump of
     * the OOM that killed an earlier process (it shows after the restart); 0 when no OOM dump is listed.
     */
    long getLastOomDumpMillis();

    /**
     * Heap dumps the suite set out to make in this JVM and did not: OOM dumps of the policy that were skipped,
     * refused, failed or left incomplete (each {@code oom.dump.failed} notification), and heap snapshots whose write
     * began and failed. Requests refused before anything was written (busy, a bad name) do not count.
     */
    int getFailedDumpCount();

    /** True while the JVM's own OOM hook ({@code HeapDumpOnOutOfMemoryError}) is armed by the suite. */
    boolean isHookArmed();

    /**
     * What records the next profile: {@code ASYNC_PROFILER} where its library loads (before the first profile: where
     * this build has one for the platform), else {@code JFR} (JDK Flight Recorder), also under {@code Profiler=jfr}.
     */
    String getProfilerEngine();

    /**
     * What a profile leaves beside its {@code .jfr} (which is always kept): any of {@code html} (a flame graph),
     * {@code collapsed} (collapsed stacks), {@code pprof}, comma-separated, e.g. {@code jfr,html}.
     */
    String getProfileFormats();

    /** @throws IllegalArgumentException naming an unknown format */
    void setProfileFormats(String profileFormats);

    /** {@code auto}: async-profiler where it loads, else JDK Flight Recorder; {@code jfr}: JDK Flight Recorder only. */
    String getProfiler();

    /** @throws IllegalArgumentException naming the value unless it is auto or jfr */
    void setProfiler(String profiler);

    /** Which heap dumps are analyzed without being asked: {@code off}, {@code oom} (OOM dumps, this run's and
     * earlier runs'), {@code all} (snapshots too). */
    String getAnalyze();

    /**
     * @throws IllegalArgumentException naming the value unless it is off, oom or all
     */
    void setAnalyze(String analyze);

    /** 0: heap dumps are plain {@code .hprof}; 1-9: they are written as {@code .hprof.gz} at that gzip level. */
    int getGzip();

    /** @throws IllegalArgumentException when outside 0-9 */
    void setGzip(int gzip);

    /** Most heap dumps kept in the directory (oldest snapshots go first, then oldest OOM dumps; never the newest
     * OOM dump nor a file in use); 0 for no bound. */
    int getMaxDumps();

    /** @throws IllegalArgumentException when negative */
    void setMaxDumps(int maxDumps);

    /** Most bytes of files the suite keeps in the directory, as the oldest go first; 0 for no bound. */
    long getMaxBytes();

    /** @throws IllegalArgumentException when negative */
    void setMaxBytes(long maxBytes);

    /** Free space a dump must leave on the directory's file system: bytes ({@code 2g}) or a percentage ({@code 5%}). */
    String getMinFreeDisk();

    /** @throws IllegalArgumentException naming the value unless it is a size or a percentage from 0% to 99% */
    void setMinFreeDisk(String minFreeDisk);

    /**
     * Where OOM dumps (and their reports) are uploaded, {@code s3://bucket/prefix}, by a separate process on this
     * JVM's host, with credentials from the standard AWS environment or profile files; empty when they are not.
     */
    String getShip();

    /**
     * Sets or clears ({@code ""}) the target; when set, complete OOM dumps not shipped yet are uploaded.
     *
     * @throws IllegalArgumentException naming the value unless it is {@code s3://bucket} or {@code s3://bucket/prefix}
     */
    void setShip(String ship);

    /** The endpoint of an S3-compatible store, e.g. {@code http://127.0.0.1:9000}; empty for AWS itself. */
    String getShipEndpoint();

    /** @throws IllegalArgumentException naming the value unless it is an http or https URL (or empty) */
    void setShipEndpoint(String shipEndpoint);

    // ---- operations ----

    /**
     * Dumps the live objects of the heap (a full GC runs first) and returns when the file is complete; under
     * {@code Gzip} 1-9 the dump is compressed before it returns.
     *
     * @param path a file name, or an absolute path in the directory; empty for a generated name;
     *             {@code .hprof} ({@code .hprof.gz} under {@code Gzip}) is the extension
     * @return the absolute path of the complete {@code .hprof} or {@code .hprof.gz} on the JVM's host
     * @throws IllegalArgumentException when the name is malformed, outside the directory, or already exists
     * @throws IllegalStateException    when another job runs (the message says which, since when), when the dump
     *                                  would leave less free disk than {@code MinFreeDisk} (refused before anything
     *                                  is written; the message has the sizes), or the dump could not be written
     *                                  (full disk...); nothing is left under the name
     */
    String createHeapSnapshot(String path);

    /**
     * Records a CPU profile: {@link #createProfile} with event {@code cpu}.
     *
     * @param path     as for {@link #createHeapSnapshot}; {@code .jfr} is appended when missing
     * @param duration milliseconds, 1 to 3600000 (the API's default is 30000)
     * @return the absolute path of the {@code .jfr}
     * @throws IllegalArgumentException on a bad name or duration
     * @throws IllegalStateException    when another job runs, or the profile could not be written
     */
    String createCpuProfile(String path, long duration);

    /**
     * Records a profile and returns when its {@code .jfr} is written; the files of {@code ProfileFormats} (a flame
     * graph by default) lie beside it, same name, their own extension. An OOM dump of the policy ends it early;
     * what was recorded is kept. See {@code ProfilerEngine} for what records it.
     *
     * @param path     as for {@link #createHeapSnapshot}; {@code .jfr} is appended when missing
     * @param event    {@code cpu} (time on CPU), {@code wall} (wall-clock time of every thread: where threads wait;
     *                 async-profiler only), {@code alloc} (heap allocations, by bytes), {@code lock} (contended
     *                 monitors, by time blocked); empty means {@code cpu}
     * @param duration milliseconds, 1 to 3600000
     * @return the absolute path of the {@code .jfr}
     * @throws IllegalArgumentException on a bad name, event or duration, or {@code wall} where JDK Flight Recorder
     *                                  records (the message says why and what to take instead)
     * @throws IllegalStateException    when another job runs, or the profile could not be written
     */
    String createProfile(String path, String event, long duration);

    /**
     * Deletes one heap dump the suite made (snapshot or OOM dump; complete or truncated). A file the suite made
     * that is gone already (deleted before, or by hand) is not an error, so a repeated delete works; a name the
     * suite never made in the directory is refused.
     *
     * @throws IllegalArgumentException when the file was not made by the suite (the message names the closest
     *                                  listed names), or is not a heap dump
     * @throws IllegalStateException    when it is being written
     */
    void deleteHeapSnapshot(String path);

    /** Deletes every heap snapshot made on request, complete or truncated. OOM dumps are kept. */
    void deleteAllHeapSnapshots();

    /**
     * Deletes one CPU profile the suite made. As for {@link #deleteHeapSnapshot}: a file the suite made that is gone
     * already is not an error; a name it never made is refused.
     *
     * @throws IllegalArgumentException when the file was not made by the suite, or is not a CPU profile
     * @throws IllegalStateException    when it is being written
     */
    void deleteCpuProfile(String path);

    /** Deletes every CPU profile the suite made. */
    void deleteAllCpuProfiles();

    /**
     * Explains what filled the heap of a listed dump: the analysis (class histogram, dominator tree, retained
     * sizes, leak suspects with their paths from GC roots) runs in a separate low-priority JVM on this JVM's host,
     * never in its heap, one at a time, and never delays an OOM dump. Blocks until the report is written.
     *
     * @param path a listed heap dump (snapshot or OOM dump), by name or absolute path
     * @return the absolute path of {@code <dump>.report.json} on the JVM's host; {@code <dump>.report.txt}, the
     *         summary for people, lies beside it; both are listed as {@code HEAP_REPORT}
     * @throws IllegalArgumentException when the file is not a complete listed heap dump, or is damaged
     * @throws IllegalStateException    when an analysis runs already, or the host cannot give the memory the
     *                                  analysis needs (the message says how much), or the analysis failed
     */
    String analyzeHeapSnapshot(String path);

    /**
     * The text summary of a dump's report: totals, the top suspects with their paths, the largest classes.
     *
     * @param path a listed heap dump or its report, by name or absolute path
     * @throws IllegalArgumentException when there is no report for it yet
     */
    String readHeapReport(String path);

    /**
     * Reads part of a complete file the suite made, to fetch a dump where only JMX reaches the JVM
     * ({@code java -jar oom-heapdump-agent.jar fetch} reads several parts at once and checks the whole with
     * {@link #artifactSha256}). Reads are independent: any offset, in any order, from several clients at once.
     *
     * @param path   a listed file, by name or absolute path
     * @param offset the first byte to read
     * @param length how many bytes, 1 to 8388608
     * @return the bytes read; fewer than {@code length} at the end of the file, none past it
     * @throws IllegalArgumentException when offset or length is out of range, or the file is not listed or was
     *                                  deleted
     * @throws IllegalStateException    when the file is not {@code COMPLETE} (being written, truncated: the message
     *                                  says which), or is no longer the file listed (its size or time changed)
     */
    byte[] readArtifact(String path, long offset, int length);

    /**
     * The SHA-256 of a complete file the suite made, to verify a fetch. The first call for a file reads it whole on
     * the JVM's host (about a second per GB, through a small buffer, without blocking the bean's other operations);
     * later calls answer from a cache until the file's size or time changes.
     *
     * @param path a listed file, by name or absolute path
     * @return 64 lowercase hex digits
     * @throws IllegalArgumentException when the file is not listed or was deleted
     * @throws IllegalStateException    when the file is not {@code COMPLETE}, or changed while it was hashed
     */
    String artifactSha256(String path);

    /**
     * Uploads a listed complete file (any kind: snapshots and profiles too) to {@code Ship}, in a separate process on
     * this JVM's host; returns at once. A {@code ship.succeeded} notification (user data: path, url) or
     * {@code ship.failed} (path, error) tells how it ended; {@code Artifacts} then shows it {@code shipped}.
     *
     * @param path a listed file, by name or absolute path
     * @return a sentence: the upload started (with the uploader's pid), or the file was shipped already or is being
     *         shipped
     * @throws IllegalArgumentException when the file is not listed
     * @throws IllegalStateException    when {@code Ship} is not set, the file is not {@code COMPLETE}, or the uploader
     *                                  cannot be started
     */
    String shipArtifact(String path);
}
