package dev.oomheapdump.it.proof;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.JMException;
import javax.management.MBeanException;
import javax.management.MBeanServerConnection;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.RuntimeErrorException;
import javax.management.RuntimeMBeanException;
import javax.management.RuntimeOperationsException;
import javax.management.openmbean.CompositeData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.UndeclaredThrowableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The bean seen from a remote client with generic {@code getAttribute}/{@code setAttribute}/{@code invoke}
 * only, as jmxterm or ops tooling see it: no proxy, no class of the product. Failures come back as the
 * client gets them; {@link #failure} unwraps the JMX wrappers to the JDK exception the bean threw.
 */
final class Remote {

    static final ObjectName BEAN = name("dev.oomheapdump:type=OomHeapdump");
    static final ObjectName HOTSPOT = name("com.sun.management:type=HotSpotDiagnostic");
    static final ObjectName DIAGNOSTIC = name("com.sun.management:type=DiagnosticCommand");

    /** Every attribute of the bean, as the contract names them. */
    static final List<String> ATTRIBUTES = List.of("HeapdumpOnOOM", "OOMImplementation", "Path", "AddTimestamp",
            "Threshold", "Limit", "Port", "Directory", "HeapSnapshots", "CpuProfiles", "Artifacts", "Busy",
            "CurrentJob", "OomDumpCount", "Analyze", "Gzip", "MaxDumps", "MaxBytes", "MinFreeDisk", "ArtifactCount",
            "ArtifactBytes", "FreeDiskBytes", "LastOomDumpMillis", "FailedDumpCount", "HookArmed", "ProfilerEngine",
            "ProfileFormats", "Profiler", "Ship", "ShipEndpoint");

    /** The attributes that other processes move (free disk): {@link #attributes()} leaves them out. */
    static final Set<String> MOVING = Set.of("FreeDiskBytes");

    /** The writable ones. */
    static final List<String> WRITABLE = List.of("HeapdumpOnOOM", "OOMImplementation", "Path", "AddTimestamp",
            "Threshold", "Limit", "Analyze", "Gzip", "MaxDumps", "MaxBytes", "MinFreeDisk", "ProfileFormats", "Profiler",
            "Ship", "ShipEndpoint");

    /** The prefix of the bean's notification types. */
    static final String NOTIFICATION_PREFIX = "dev.oomheapdump.";

    /** The original module's words for a refused job. */
    static final String BUSY = "A CPU profile or heap snapshot is already being created, please retry later.";

    private final MBeanServerConnection connection;

    Remote(MBeanServerConnection connection) {
        this.connection = connection;
    }

    static ObjectName name(String name) {
        try {
            return new ObjectName(name);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
    }

    MBeanServerConnection connection() {
        return connection;
    }

    Object get(String attribute) {
        try {
            return connection.getAttribute(BEAN, attribute);
        } catch (JMException e) {
            throw new IllegalStateException("get " + attribute + ": " + e, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Every attribute in one call but the {@link #MOVING} ones, arrays as lists and composites as maps, so that two
     * reads compare with equals.
     */
    Map<String, Object> attributes() {
        AttributeList list;
        try {
            list = connection.getAttributes(BEAN, ATTRIBUTES.toArray(new String[0]));
        } catch (JMException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Attribute attribute : list.asList()) {
            values.put(attribute.getName(), comparable(attribute.getValue()));
        }
        if (!values.keySet().equals(new java.util.HashSet<>(ATTRIBUTES))) {
            fail("getAttributes returned " + values.keySet() + ", expected " + ATTRIBUTES);
        }
        values.keySet().removeAll(MOVING);
        return values;
    }

    static Object comparable(Object value) {
        if (value instanceof CompositeData) {
            CompositeData data = (CompositeData) value;
            Map<String, Object> map = new TreeMap<>();
            for (String key : data.getCompositeType().keySet()) {
                map.put(key, comparable(data.get(key)));
            }
            return map;
        }
        if (value instanceof Object[]) {
            return Arrays.stream((Object[]) value).map(Remote::comparable).collect(Collectors.toList());
        }
        if (value instanceof byte[]) {
            return Arrays.toString((byte[]) value);
        }
        return value;
    }

    void set(String attribute, Object value) {
        try {
            connection.setAttribute(BEAN, new Attribute(attribute, value));
        } catch (JMException e) {
            throw rethrow(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A generic invoke; the signature follows the arguments: String (or null), Long as long, Integer as int. */
    Object invoke(String operation, Object... arguments) {
        String[] signature = new String[arguments.length];
        for (int i = 0; i < arguments.length; i++) {
            Object a = arguments[i];
            signature[i] = a instanceof Long ? "long" : a instanceof Integer ? "int" : String.class.getName();
        }
        try {
            return connection.invoke(BEAN, operation, arguments, signature);
        } catch (JMException e) {
            throw rethrow(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** JMX's checked exceptions become unchecked, keeping the original as it reached the client. */
    private static RuntimeException rethrow(JMException e) {
        return new UndeclaredThrowableException(e, e.toString());
    }

    String createHeapSnapshot(String path) {
        return (String) invoke("createHeapSnapshot", path);
    }

    String createCpuProfile(String path, long millis) {
        return (String) invoke("createCpuProfile", path, millis);
    }

    byte[] readArtifact(String path, long offset, int length) {
        return (byte[]) invoke("readArtifact", path, offset, length);
    }

    String applyPolicy(String options) {
        return (String) invoke("applyPolicy", options);
    }

    boolean busy() {
        return (Boolean) get("Busy");
    }

    String currentJob() {
        return (String) get("CurrentJob");
    }

    int oomDumpCount() {
        return (Integer) get("OomDumpCount");
    }

    List<String> heapSnapshots() {
        return Arrays.asList((String[]) get("HeapSnapshots"));
    }

    List<String> cpuProfiles() {
        return Arrays.asList((String[]) get("CpuProfiles"));
    }

    /** The Artifacts attribute, one map per file ({@code path}, {@code kind}, {@code state}...). */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> artifacts() {
        return (List<Map<String, Object>>) comparable(get("Artifacts"));
    }

    /** A HotSpot VM option of the child, read remotely through {@code HotSpotDiagnosticMXBean}. */
    String vmOption(String name) {
        try {
            CompositeData option = (CompositeData) connection.invoke(HOTSPOT, "getVMOption", new Object[]{name},
                    new String[]{String.class.getName()});
            return (String) option.get("value");
        } catch (JMException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final Pattern HISTOGRAM_LINE = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+\\d+\\s+(\\S+)");

    /**
     * Live instances of a class in the child, from {@code GC.class_histogram} over JMX (a full GC runs first,
     * so only reachable objects count).
     */
    long liveInstances(String className) {
        String histogram;
        try {
            histogram = (String) connection.invoke(DIAGNOSTIC, "gcClassHistogram", new Object[]{new String[0]},
                    new String[]{String[].class.getName()});
        } catch (JMException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String line : histogram.split("\n")) {
            Matcher m = HISTOGRAM_LINE.matcher(line);
            if (m.find() && m.group(2).equals(className)) {
                return Long.parseLong(m.group(1));
            }
        }
        return 0;
    }

    /** Collections so far, summed over the child's collectors. */
    long collections() {
        try {
            long total = 0;
            for (ObjectName gc : connection.queryNames(name("java.lang:type=GarbageCollector,*"), null)) {
                total += (Long) connection.getAttribute(gc, "CollectionCount");
            }
            return total;
        } catch (JMException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The child's threads, for a failure message when something hangs. */
    String threadDump() {
        try {
            return (String) connection.invoke(DIAGNOSTIC, "threadPrint", new Object[]{new String[0]},
                    new String[]{String[].class.getName()});
        } catch (JMException | IOException | RuntimeException e) {
            return "(no thread dump: " + e + ")";
        }
    }

    interface Call {
        void run() throws Exception;
    }

    /**
     * Runs a call that must fail and returns what the bean threw, unwrapped from the JMX wrappers a remote
     * client gets ({@link RuntimeMBeanException}, {@link MBeanException}...).
     */
    static Throwable failure(String what, Call call) {
        try {
            call.run();
        } catch (Throwable t) {
            return unwrap(t);
        }
        return fail(what + ": expected a failure, the call returned normally");
    }

    static Throwable unwrap(Throwable t) {
        Throwable current = t;
        while (current.getCause() != null && (current instanceof RuntimeMBeanException
                || current instanceof RuntimeOperationsException || current instanceof RuntimeErrorException
                || current instanceof MBeanException || current instanceof UndeclaredThrowableException)) {
            current = current.getCause();
        }
        return current;
    }

    /** Regular files in a directory (hidden ones included) with their sizes; empty when the directory is gone. */
    static Map<String, Long> listing(Path dir) {
        Map<String, Long> files = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (var stream = Files.list(dir)) {
            for (Path p : stream.collect(Collectors.toList())) {
                try {
                    if (Files.isRegularFile(p)) {
                        files.put(p.getFileName().toString(), Files.size(p));
                    }
                } catch (IOException e) {
                    // deleted between list and stat: not there
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** Names of temporary files and dump segments: what a finished or failed job must never leave. */
    static List<String> temporaries(Path dir) {
        List<String> names = new ArrayList<>();
        for (String name : listing(dir).keySet()) {
            if (name.contains(".inprogress") || name.matches(".*\\.hprof(\\.gz)?\\.p\\d+")) {
                names.add(name);
            }
        }
        return names;
    }
}
