package dev.oomheapdump.core;

import java.util.Map;

/**
 * Something the service did: a file made or deleted, an OOM dump started, finished or failed, a job started
 * or ended, the policy changed. Plain strings only, so that it maps onto a JMX notification as it is.
 *
 * @param type    one of the constants below
 * @param message one line for people
 * @param data    details for programs (path, kind, bytes, state...)
 */
public record OomEvent(String type, String message, Map<String, String> data) {

    public static final String FILE_CREATED = "file.created";
    public static final String FILE_DELETED = "file.deleted";
    public static final String OOM_DUMP_STARTED = "oom.dump.started";
    public static final String OOM_DUMP_CREATED = "oom.dump.created";
    public static final String OOM_DUMP_FAILED = "oom.dump.failed";
    public static final String JOB_STARTED = "job.started";
    public static final String JOB_ENDED = "job.ended";
    public static final String POLICY_CHANGED = "policy.changed";
    /** An analysis the policy asked for was not run (no memory for it, a damaged dump) or failed. */
    public static final String ANALYSIS_FAILED = "analysis.failed";

    /** A heap dump was refused before anything was written: it would leave less free disk than {@code minFreeDisk}. */
    public static final String DUMP_REFUSED = "dump.refused";
    /** The JVM's OOM hook was disarmed because its dump would not fit on the disk now. */
    public static final String HOOK_DISARMED = "hook.disarmed";
    /** The JVM's OOM hook was armed again: its dump fits again. */
    public static final String HOOK_ARMED = "hook.armed";
    /** {@code maxDumps} or {@code maxBytes} cannot be met: what is over the bound is protected (told once). */
    public static final String RETENTION_UNMET = "retention.unmet";

    /** async-profiler could not record a profile as asked (told once per reason): what records it instead. */
    public static final String PROFILER_FALLBACK = "profiler.fallback";
    /** A view of a profile ({@code profileFormats}: flame graph, collapsed, pprof) could not be made; the .jfr is kept. */
    public static final String PROFILE_VIEW_FAILED = "profile.view.failed";

    /** A file was uploaded ({@code ship}): its shipment record appeared in the directory's index. */
    public static final String SHIP_SUCCEEDED = "ship.succeeded";
    /** An upload failed; the file stays, listed as not shipped, and is tried again later. */
    public static final String SHIP_FAILED = "ship.failed";

    /** Every type, for listeners that declare what they may receive. */
    public static final java.util.List<String> TYPES = java.util.List.of(FILE_CREATED, FILE_DELETED, OOM_DUMP_STARTED,
            OOM_DUMP_CREATED, OOM_DUMP_FAILED, JOB_STARTED, JOB_ENDED, POLICY_CHANGED, ANALYSIS_FAILED, DUMP_REFUSED,
            HOOK_DISARMED, HOOK_ARMED, RETENTION_UNMET, PROFILER_FALLBACK, PROFILE_VIEW_FAILED, SHIP_SUCCEEDED, SHIP_FAILED);

    public OomEvent {
        data = Map.copyOf(data);
    }
}
