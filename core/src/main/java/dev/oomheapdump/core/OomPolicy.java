package dev.oomheapdump.core;

import dev.oomheapdump.core.store.FileNames;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.OptionalInt;

/**
 * The out-of-memory policy and where files go: immutable and validated.
 *
 * <p>Options use the names and defaults of node-oom-heapdump, plus {@code directory}:
 * <pre>
 * heapdumpOnOOM=true  OOMImplementation=NATIVE_HOOK  path=OoM-pid-&lt;pid&gt;  addTimestamp=false
 * port=(none)  limit=3  threshold=70  directory=(folder of an absolute path, else ./heapdumps)  analyze=off
 * gzip=0  maxDumps=0 (no bound)  maxBytes=0 (no bound)  minFreeDisk=5%  profileFormats=jfr,html  profiler=auto
 * ship=(none)  shipEndpoint=(none: AWS)
 * </pre>
 * Every way to build or change a policy validates every value first and names the bad option and
 * value in an {@link IllegalArgumentException}; a policy is never half changed.
 */
public final class OomPolicy {

    public static final String HEAPDUMP_ON_OOM = "heapdumpOnOOM";
    public static final String OOM_IMPLEMENTATION = "OOMImplementation";
    public static final String PATH = "path";
    public static final String ADD_TIMESTAMP = "addTimestamp";
    public static final String PORT = "port";
    public static final String LIMIT = "limit";
    public static final String THRESHOLD = "threshold";
    public static final String DIRECTORY = "directory";
    public static final String ANALYZE = "analyze";
    public static final String GZIP = "gzip";
    public static final String MAX_DUMPS = "maxDumps";
    public static final String MAX_BYTES = "maxBytes";
    public static final String MIN_FREE_DISK = "minFreeDisk";
    public static final String PROFILE_FORMATS = "profileFormats";
    public static final String PROFILER = "profiler";
    public static final String SHIP = "ship";
    public static final String SHIP_ENDPOINT = "shipEndpoint";

    /** Every option key, in documentation order. */
    public static final List<String> KEYS = List.of(HEAPDUMP_ON_OOM, OOM_IMPLEMENTATION, PATH, ADD_TIMESTAMP,
            PORT, LIMIT, THRESHOLD, DIRECTORY, ANALYZE, GZIP, MAX_DUMPS, MAX_BYTES, MIN_FREE_DISK, PROFILE_FORMATS, PROFILER,
            SHIP, SHIP_ENDPOINT);

    /** The options that may change while the JVM runs; {@code port} and {@code directory} are fixed at start. */
    public static final List<String> RUNTIME_KEYS = List.of(HEAPDUMP_ON_OOM, OOM_IMPLEMENTATION, PATH,
            ADD_TIMESTAMP, LIMIT, THRESHOLD, ANALYZE, GZIP, MAX_DUMPS, MAX_BYTES, MIN_FREE_DISK, PROFILE_FORMATS, PROFILER,
            SHIP, SHIP_ENDPOINT);

    public static final int MIN_THRESHOLD = 1;
    public static final int MAX_THRESHOLD = 99;
    public static final int MIN_LIMIT = 1;
    public static final int MAX_LIMIT = 100;
    public static final String DEFAULT_DIRECTORY = "heapdumps";
    public static final int MAX_GZIP = 9;
    public static final int MAX_MAX_DUMPS = 100_000;

    private final boolean heapdumpOnOOM;
    private final OomImplementation implementation;
    private final String path;
    private final boolean addTimestamp;
    private final int port;
    private final int limit;
    private final int threshold;
    private final Path directory;
    private final AutoAnalysis analyze;
    private final Retention retention;
    private final Profiles profiles;
    private final Shipping shipping;

    /** What records profiles, as option {@code profiler} chooses. */
    public enum ProfilerChoice {
        /** async-profiler where it loads, else JDK Flight Recorder. */
        AUTO,
        /** JDK Flight Recorder only: no native code is ever loaded. */
        JFR
    }

    /** The options of profiles: what they leave and what records them. */
    private record Profiles(Set<ProfileFormat> formats, ProfilerChoice profiler) {
        static final Profiles DEFAULT = new Profiles(ProfileFormat.DEFAULT, ProfilerChoice.AUTO);
    }

    /** Where dumps are shipped ({@code s3://bucket/prefix}) and through which endpoint; empty strings when not. */
    private record Shipping(String to, String endpoint) {
        static final Shipping NONE = new Shipping("", "");
    }

    /** The options that bound what the suite keeps: compression, count, bytes, free disk. */
    private static final class Retention {
        final int gzip;
        final int maxDumps;
        final long maxBytes;
        final MinFreeDisk minFreeDisk;

        Retention(int gzip, int maxDumps, long maxBytes, MinFreeDisk minFreeDisk) {
            this.gzip = gzip;
            this.maxDumps = maxDumps;
            this.maxBytes = maxBytes;
            this.minFreeDisk = minFreeDisk;
        }
    }

    private OomPolicy(boolean heapdumpOnOOM, OomImplementation implementation, String path, boolean addTimestamp,
                      int port, int limit, int threshold, Path directory, AutoAnalysis analyze, Retention retention,
                      Profiles profiles, Shipping shipping) {
        this.heapdumpOnOOM = heapdumpOnOOM;
        this.implementation = implementation;
        this.path = path;
        this.addTimestamp = addTimestamp;
        this.port = port;
        this.limit = limit;
        this.threshold = threshold;
        this.directory = directory;
        this.analyze = analyze;
        this.retention = retention;
        this.profiles = profiles;
        this.shipping = shipping;
    }

    /** The defaults, with {@code directory} resolved against the working directory. */
    public static OomPolicy defaults() {
        return of(Map.of());
    }

    /**
     * Parses agent arguments, {@code key=value,key=value}. {@code null} or blank means the defaults.
     *
     * @throws IllegalArgumentException naming the bad option and value
     */
    public static OomPolicy parse(String arguments) {
        return of(parseArguments(arguments));
    }

    /**
     * Splits {@code key=value,key=value} into a map, refusing duplicate keys and entries without {@code =}.
     * Keys and values are trimmed; empty entries (a trailing comma) are skipped. A list option takes the entries
     * without {@code =} that follow it: {@code profileFormats=jfr,html,pprof,port=9010}.
     */
    public static Map<String, String> parseArguments(String arguments) {
        Map<String, String> map = new LinkedHashMap<>();
        if (arguments == null || arguments.isBlank()) {
            return map;
        }
        String listKey = null;
        for (String entry : arguments.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq < 0 && listKey != null) {
                map.put(listKey, map.get(listKey) + "," + entry.trim());
                continue;
            }
            if (eq < 0) {
                throw new IllegalArgumentException("Option '" + FileNames.shorten(entry.trim()) + "' has no value: write "
                        + FileNames.shorten(entry.trim()) + "=<value> (options are key=value,key=value)");
            }
            String key = entry.substring(0, eq).trim();
            String value = entry.substring(eq + 1).trim();
            if (map.putIfAbsent(key, value) != null) {
                throw new IllegalArgumentException("Option '" + FileNames.shorten(key) + "' is given twice");
            }
            listKey = PROFILE_FORMATS.equals(key) ? key : null;
        }
        return map;
    }

    /**
     * A policy from option values; missing keys take their defaults.
     *
     * @throws IllegalArgumentException on an unknown key or a bad value, naming both
     */
    public static OomPolicy of(Map<String, String> options) {
        return build(null, options);
    }

    /**
     * This policy with some options changed. All values are validated before anything is built,
     * so a rejected change leaves nothing half applied (this policy is immutable anyway).
     *
     * @throws IllegalArgumentException on an unknown key, a bad value, or a key that cannot change
     *                                  at runtime ({@code port}, {@code directory}) with a different value
     */
    public OomPolicy with(Map<String, String> changes) {
        for (Map.Entry<String, String> change : changes.entrySet()) {
            if (PORT.equals(change.getKey()) || DIRECTORY.equals(change.getKey())) {
                checkFixedUnchanged(build(this, Map.of(change.getKey(), change.getValue())));
            }
        }
        return build(this, changes);
    }

    /**
     * The one rule for options fixed at start: {@code port} and {@code directory} may be named in a change
     * only with the value they have.
     *
     * @throws IllegalArgumentException naming the first fixed option whose value differs in {@code next}
     */
    public void checkFixedUnchanged(OomPolicy next) {
        if (next.port != port) {
            throw fixed(PORT, portText());
        }
        if (!next.directory.equals(directory)) {
            throw fixed(DIRECTORY, directory.toString());
        }
    }

    private static IllegalArgumentException fixed(String key, String now) {
        return new IllegalArgumentException("Option '" + key + "' is fixed when the agent starts (it is " + now
                + "); only " + String.join(", ", RUNTIME_KEYS) + " can change at runtime");
    }

    /** This policy with one option changed; see {@link #with(Map)}. */
    public OomPolicy with(String key, String value) {
        Map<String, String> change = new LinkedHashMap<>();
        change.put(key, value);
        return with(change);
    }

    private static OomPolicy build(OomPolicy base, Map<String, String> options) {
        Objects.requireNonNull(options, "options");
        List<String> unknown = new ArrayList<>();
        for (String key : options.keySet()) {
            if (!KEYS.contains(key)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            String key = unknown.get(0);
            String hint = KEYS.stream().filter(k -> k.equalsIgnoreCase(key)).findFirst()
                    .map(k -> " (did you mean '" + k + "'?)").orElse("");
            throw new IllegalArgumentException("Unknown option '" + FileNames.shorten(key) + "'" + hint + "; known options: "
                    + String.join(", ", KEYS));
        }
        boolean heapdumpOnOOM = base == null ? true : base.heapdumpOnOOM;
        OomImplementation implementation = base == null ? OomImplementation.NATIVE_HOOK : base.implementation;
        boolean addTimestamp = base == null ? false : base.addTimestamp;
        int port = base == null ? 0 : base.port;
        int limit = base == null ? 3 : base.limit;
        int threshold = base == null ? 70 : base.threshold;
        AutoAnalysis analyze = base == null ? AutoAnalysis.OFF : base.analyze;
        int gzip = base == null ? 0 : base.retention.gzip;
        int maxDumps = base == null ? 0 : base.retention.maxDumps;
        long maxBytes = base == null ? 0 : base.retention.maxBytes;
        MinFreeDisk minFreeDisk = base == null ? MinFreeDisk.DEFAULT : base.retention.minFreeDisk;
        Set<ProfileFormat> profileFormats = base == null ? Profiles.DEFAULT.formats : base.profiles.formats;
        ProfilerChoice profiler = base == null ? Profiles.DEFAULT.profiler : base.profiles.profiler;
        String shipTo = base == null ? Shipping.NONE.to : base.shipping.to;
        String shipEndpoint = base == null ? Shipping.NONE.endpoint : base.shipping.endpoint;

        if (options.containsKey(HEAPDUMP_ON_OOM)) {
            heapdumpOnOOM = parseBoolean(HEAPDUMP_ON_OOM, options.get(HEAPDUMP_ON_OOM));
        }
        if (options.containsKey(OOM_IMPLEMENTATION)) {
            implementation = parseImplementation(options.get(OOM_IMPLEMENTATION));
        }
        if (options.containsKey(ADD_TIMESTAMP)) {
            addTimestamp = parseBoolean(ADD_TIMESTAMP, options.get(ADD_TIMESTAMP));
        }
        if (options.containsKey(PORT)) {
            port = parseInt(PORT, options.get(PORT), 1, 65535);
        }
        if (options.containsKey(LIMIT)) {
            limit = parseInt(LIMIT, options.get(LIMIT), MIN_LIMIT, MAX_LIMIT);
        }
        if (options.containsKey(THRESHOLD)) {
            threshold = parseInt(THRESHOLD, options.get(THRESHOLD), MIN_THRESHOLD, MAX_THRESHOLD);
        }
        if (options.containsKey(ANALYZE)) {
            analyze = parseAnalyze(options.get(ANALYZE));
        }
        if (options.containsKey(GZIP)) {
            gzip = parseInt(GZIP, options.get(GZIP), 0, MAX_GZIP);
        }
        if (options.containsKey(MAX_DUMPS)) {
            maxDumps = parseInt(MAX_DUMPS, options.get(MAX_DUMPS), 0, MAX_MAX_DUMPS);
        }
        if (options.containsKey(MAX_BYTES)) {
            maxBytes = Sizes.parse(MAX_BYTES, options.get(MAX_BYTES));
        }
        if (options.containsKey(MIN_FREE_DISK)) {
            minFreeDisk = MinFreeDisk.parse(options.get(MIN_FREE_DISK));
        }
        if (options.containsKey(PROFILE_FORMATS)) {
            profileFormats = ProfileFormat.parse(PROFILE_FORMATS, options.get(PROFILE_FORMATS));
        }
        if (options.containsKey(PROFILER)) {
            profiler = parseEnum(PROFILER, options.get(PROFILER), ProfilerChoice.values(), "auto or jfr");
        }
        if (options.containsKey(SHIP)) {
            shipTo = ShipTarget.parseUrl(SHIP, options.get(SHIP));
        }
        if (options.containsKey(SHIP_ENDPOINT)) {
            shipEndpoint = ShipTarget.parseEndpoint(SHIP_ENDPOINT, options.get(SHIP_ENDPOINT));
        }

        // path and directory depend on each other: an absolute path gives the default directory,
        // and a path must name a file directly inside the directory.
        String rawPath = options.get(PATH);
        Path absolutePath = null;
        if (rawPath != null) {
            if (rawPath.isBlank()) {
                throw new IllegalArgumentException("Option 'path' is empty: give a file name such as OoM-pid-"
                        + pid() + " (.hprof is appended)");
            }
            Path parsed = toPath(PATH, rawPath);
            if (parsed.isAbsolute()) {
                absolutePath = parsed.normalize();
            }
        }
        Path directory;
        if (options.containsKey(DIRECTORY)) {
            String rawDirectory = options.get(DIRECTORY);
            if (rawDirectory.isBlank()) {
                throw new IllegalArgumentException("Option 'directory' is empty: give a folder, e.g. directory=./"
                        + DEFAULT_DIRECTORY);
            }
            directory = toPath(DIRECTORY, rawDirectory).toAbsolutePath().normalize();
        } else if (absolutePath != null && base == null) {
            directory = absolutePath.getParent();
        } else if (base != null) {
            directory = base.directory;
        } else {
            directory = Paths.get(DEFAULT_DIRECTORY).toAbsolutePath().normalize();
        }

        String path;
        if (rawPath == null) {
            path = base == null ? "OoM-pid-" + pid() : base.path;
        } else {
            String fileName;
            if (absolutePath != null) {
                if (!directory.equals(absolutePath.getParent())) {
                    throw new IllegalArgumentException("Option 'path' is '" + rawPath + "', outside directory '"
                            + directory + "': the OOM dump must be a file directly in the directory");
                }
                fileName = absolutePath.getFileName().toString();
            } else {
                fileName = rawPath;
            }
            path = FileNames.checkBaseName("option 'path'", fileName, ArtifactKind.OOM_DUMP);
        }
        return new OomPolicy(heapdumpOnOOM, implementation, path, addTimestamp, port, limit, threshold, directory,
                analyze, new Retention(gzip, maxDumps, maxBytes, minFreeDisk), new Profiles(profileFormats, profiler),
                new Shipping(shipTo, shipEndpoint));
    }

    private static Path toPath(String key, String value) {
        try {
            return Paths.get(value);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("Option '" + key + "' is not a valid path: '" + value + "' ("
                    + e.getReason() + ")");
        }
    }

    static boolean parseBoolean(String key, String value) {
        String v = value == null ? "" : value.trim();
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException("Option '" + key + "' must be true or false, not '" + FileNames.shorten(String.valueOf(value)) + "'");
    }

    static OomImplementation parseImplementation(String value) {
        return parseEnum(OOM_IMPLEMENTATION, value, OomImplementation.values(), "NATIVE_HOOK or GC_MONITORING");
    }

    static AutoAnalysis parseAnalyze(String value) {
        return parseEnum(ANALYZE, value, AutoAnalysis.values(), "off, oom or all");
    }

    /** One of an enum's constants by name, in any case. */
    private static <E extends Enum<E>> E parseEnum(String key, String value, E[] constants, String expected) {
        String v = value == null ? "" : value.trim().toUpperCase(Locale.ROOT);
        for (E constant : constants) {
            if (constant.name().equals(v)) {
                return constant;
            }
        }
        throw new IllegalArgumentException("Option '" + key + "' must be " + expected + ", not '"
                + FileNames.shorten(String.valueOf(value)) + "'");
    }

    static int parseInt(String key, String value, int min, int max) {
        long parsed;
        try {
            parsed = Long.parseLong(value == null ? "" : value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Option '" + key + "' must be a whole number from " + min + " to "
                    + max + ", not '" + FileNames.shorten(String.valueOf(value)) + "'");
        }
        if (parsed < min || parsed > max) {
            throw new IllegalArgumentException("Option '" + key + "' must be from " + min + " to " + max + ", not "
                    + parsed);
        }
        return (int) parsed;
    }

    static long pid() {
        return ProcessHandle.current().pid();
    }

    public boolean heapdumpOnOOM() {
        return heapdumpOnOOM;
    }

    public OomImplementation implementation() {
        return implementation;
    }

    /** The OOM dump's base name (no folder, no {@code .hprof}). */
    public String path() {
        return path;
    }

    public boolean addTimestamp() {
        return addTimestamp;
    }

    /** The JMX remote port, if one was asked for. */
    public OptionalInt port() {
        return port == 0 ? OptionalInt.empty() : OptionalInt.of(port);
    }

    public int limit() {
        return limit;
    }

    public int threshold() {
        return threshold;
    }

    /** Which heap dumps are analyzed without being asked. */
    public AutoAnalysis analyze() {
        return analyze;
    }

    /** 0: heap dumps are plain {@code .hprof}; 1-9: they are {@code .hprof.gz} compressed at that level. */
    public int gzip() {
        return retention.gzip;
    }

    /** Most heap dumps kept in the directory; 0 for no bound. */
    public int maxDumps() {
        return retention.maxDumps;
    }

    /** Most bytes of files the suite keeps in the directory; 0 for no bound. */
    public long maxBytes() {
        return retention.maxBytes;
    }

    /** Free space a dump must leave on the directory's file system. */
    public MinFreeDisk minFreeDisk() {
        return retention.minFreeDisk;
    }

    /** What a profile leaves: its {@code .jfr} always, and the views beside it. */
    public Set<ProfileFormat> profileFormats() {
        return profiles.formats;
    }

    /** What records profiles. */
    public ProfilerChoice profiler() {
        return profiles.profiler;
    }

    /** Where OOM dumps are shipped, {@code s3://bucket/prefix}; empty when they are not. */
    public String ship() {
        return shipping.to;
    }

    /** The endpoint of an S3-compatible store ({@code http://127.0.0.1:9000}); empty for AWS itself. */
    public String shipEndpoint() {
        return shipping.endpoint;
    }

    /** The only folder the suite writes to, lists and deletes from: absolute and normalized. */
    public Path directory() {
        return directory;
    }

    private String portText() {
        return port == 0 ? "not set" : String.valueOf(port);
    }

    /**
     * Every option as text, in documentation order; {@code port} is absent when not set, {@code analyze} when off,
     * {@code gzip}, {@code maxDumps}, {@code maxBytes} when 0, {@code minFreeDisk}, {@code profileFormats} and
     * {@code profiler} when they are the default, {@code ship} and {@code shipEndpoint} when not set.
     */
    public Map<String, String> toMap() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put(HEAPDUMP_ON_OOM, String.valueOf(heapdumpOnOOM));
        map.put(OOM_IMPLEMENTATION, implementation.name());
        map.put(PATH, path);
        map.put(ADD_TIMESTAMP, String.valueOf(addTimestamp));
        if (port != 0) {
            map.put(PORT, String.valueOf(port));
        }
        map.put(LIMIT, String.valueOf(limit));
        map.put(THRESHOLD, String.valueOf(threshold));
        map.put(DIRECTORY, directory.toString());
        if (analyze != AutoAnalysis.OFF) {
            map.put(ANALYZE, analyze.name().toLowerCase(Locale.ROOT));
        }
        if (retention.gzip != 0) {
            map.put(GZIP, String.valueOf(retention.gzip));
        }
        if (retention.maxDumps != 0) {
            map.put(MAX_DUMPS, String.valueOf(retention.maxDumps));
        }
        if (retention.maxBytes != 0) {
            map.put(MAX_BYTES, Sizes.option(retention.maxBytes));
        }
        if (!retention.minFreeDisk.equals(MinFreeDisk.DEFAULT)) {
            map.put(MIN_FREE_DISK, retention.minFreeDisk.toString());
        }
        if (!profiles.formats.equals(Profiles.DEFAULT.formats)) {
            map.put(PROFILE_FORMATS, ProfileFormat.text(profiles.formats));
        }
        if (profiles.profiler != Profiles.DEFAULT.profiler) {
            map.put(PROFILER, profiles.profiler.name().toLowerCase(Locale.ROOT));
        }
        if (!shipping.to.isEmpty()) {
            map.put(SHIP, shipping.to);
        }
        if (!shipping.endpoint.isEmpty()) {
            map.put(SHIP_ENDPOINT, shipping.endpoint);
        }
        return Collections.unmodifiableMap(map);
    }

    /** The options as agent arguments, {@code key=value,...}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        toMap().forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ",").append(k).append('=').append(v));
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OomPolicy && toMap().equals(((OomPolicy) o).toMap());
    }

    @Override
    public int hashCode() {
        return toMap().hashCode();
    }
}
