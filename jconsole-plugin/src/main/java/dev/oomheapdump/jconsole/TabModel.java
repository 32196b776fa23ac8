package dev.oomheapdump.jconsole;

import dev.oomheapdump.jconsole.TabState.ArtifactRow;
import dev.oomheapdump.jconsole.TabState.Heap;
import dev.oomheapdump.jconsole.TabState.Link;
import dev.oomheapdump.jconsole.TabState.Policy;
import dev.oomheapdump.jconsole.TabState.Progress;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanServerConnection;
import javax.management.MalformedObjectNameException;
import javax.management.Notification;
import javax.management.NotificationFilterSupport;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Everything the tab does over JMX, without Swing: reads the bean into a {@link TabState}, runs the operations
 * the buttons stand for, and listens to the bean's notifications. Only generic {@link MBeanServerConnection}
 * calls with open types, so the plugin needs no class of the suite and works against any version of the agent
 * that has the documented attributes.
 *
 * <p>Every method blocks on the network: call them off the event thread. {@link #poll()} may run while an
 * operation blocks (a heap snapshot or a CPU profile takes as long as the job); polls are serialized.
 */
final class TabModel {

    public static final String OBJECT_NAME = "dev.oomheapdump:type=OomHeapdump";
    public static final String NOTIFICATION_PREFIX = "dev.oomheapdump.";
    static final ObjectName BEAN = name(OBJECT_NAME);
    static final ObjectName MEMORY = name("java.lang:type=Memory");
    static final ObjectName RUNTIME = name("java.lang:type=Runtime");

    private static final String[] POLICY_ATTRIBUTES = {"HeapdumpOnOOM", "OOMImplementation", "Path", "AddTimestamp",
            "Threshold", "Limit", "Analyze", "Port", "Directory", "Ship"};
    private static final String[] STATUS_ATTRIBUTES = {"Busy", "CurrentJob", "OomDumpCount", "Artifacts"};

    private final Supplier<MBeanServerConnection> connection;
    private final ConsoleHost host;
    private final Runnable changed;
    private final NotificationListener listener = (notification, handback) -> onNotification(notification);
    private final AtomicBoolean policyStale = new AtomicBoolean(true);
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong notifications = new AtomicLong();
    private final Object pollLock = new Object();

    private volatile MBeanServerConnection subscribed;
    private volatile TabState state = TabState.initial();
    private volatile OwnJob ownJob;

    /**
     * A job this client started: what the progress bar measures it against. {@code kind} names it as labels do:
     * "Heap snapshot", "CPU profile", "allocation profile".
     */
    record OwnJob(String kind, long startMillis, long durationMillis, long expectedBytes) {
    }

    /**
     * @param host    the console: its current connection (JConsole makes a new one on every reconnect) and what the
     *                tab says about the connection
     * @param changed called, on a JMX notification thread, when a notification says the state changed:
     *                the owner schedules a {@link #poll()}; it must not block
     */
    public TabModel(ConsoleHost host, Runnable changed) {
        this.host = Objects.requireNonNull(host, "host");
        this.connection = host.connection();
        this.changed = Objects.requireNonNull(changed, "changed");
    }

    /** In JConsole. */
    public TabModel(Supplier<MBeanServerConnection> connection, Runnable changed) {
        this(ConsoleHost.jconsole(connection), changed);
    }

    private static ObjectName name(String name) {
        try {
            return new ObjectName(name);
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The last state read. */
    public TabState state() {
        return state;
    }

    /** How many of the bean's notifications arrived (for tests and the curious). */
    public long notificationCount() {
        return notifications.get();
    }

    // ---- connection and notifications ---------------------------------------------------------------------

    /**
     * Called when the console (re)connected: listens to the bean's notifications on the current connection
     * (JConsole makes a new connection object on every reconnect; the old subscription died with the old one) and
     * reads everything. Calling it twice for one connection subscribes once.
     */
    public TabState connected() {
        policyStale.set(true);
        return poll();
    }

    /** Called when the console lost the connection: nothing can be read until it reconnects. */
    public TabState disconnected() {
        subscribed = null;
        ownJob = null;
        synchronized (pollLock) {
            return publish(state.with(sequence.incrementAndGet(), Link.DISCONNECTED, host.connectionLost()));
        }
    }

    /** Stops listening (the plugin is disposed). Blocks on the network when still connected. */
    public void close() {
        MBeanServerConnection c = subscribed;
        subscribed = null;
        if (c != null) {
            try {
                c.removeNotificationListener(BEAN, listener);
            } catch (Exception e) {
                // gone with the connection or the bean
            }
        }
    }

    private void subscribe(MBeanServerConnection c) throws IOException, InstanceNotFoundException {
        if (subscribed == c) {
            return;
        }
        NotificationFilterSupport filter = new NotificationFilterSupport();
        filter.enableType(NOTIFICATION_PREFIX);
        c.addNotificationListener(BEAN, listener, filter, null);
        subscribed = c;
    }

    private void onNotification(Notification notification) {
        notifications.incrementAndGet();
        if (notification.getType().endsWith("policy.changed")) {
            policyStale.set(true);
        }
        changed.run();
    }

    // ---- reading -------------------------------------------------------------------------------------------

    /**
     * Reads the heap, the job and the files (and the policy when it changed) in two or three round trips, and
     * subscribes to notifications the first time the bean answers. Never throws: a failure becomes the state.
     */
    public TabState poll() {
        synchronized (pollLock) {
            TabState previous = state;
            MBeanServerConnection c = connection.get();
            if (c == null) {
                return publish(previous.with(sequence.incrementAndGet(), Link.DISCONNECTED, host.notConnected()));
            }
            try {
                if (!c.isRegistered(BEAN)) {
                    subscribed = null; // an unregistered bean drops its listeners
                    policyStale.set(true);
                    long pid = previous.pid() > 0 ? previous.pid() : readPid(c);
                    return publish(new TabState(sequence.incrementAndGet(), Link.NOT_INSTALLED, null, List.of(),
                            readHeap(c), false, "", 0, null, pid, ""));
                }
                subscribe(c);
                Policy policy = previous.policy();
                if (policyStale.getAndSet(false) || policy == null) {
                    try {
                        policy = readPolicy(c);
                    } catch (Exception e) {
                        policyStale.set(true);
                        throw e;
                    }
                }
                Map<String, Object> status = attributes(c, STATUS_ATTRIBUTES);
                Heap heap = readHeap(c);
                boolean busy = Boolean.TRUE.equals(status.get("Busy"));
                List<ArtifactRow> artifacts = artifacts(status.get("Artifacts"));
                String currentJob = Objects.toString(status.get("CurrentJob"), "");
                int oomDumps = status.get("OomDumpCount") instanceof Number n ? n.intValue() : 0;
                Progress progress = busy || ownJob != null ? progress(artifacts, heap, currentJob, ownJob,
                        System.currentTimeMillis()) : null;
                return publish(new TabState(sequence.incrementAndGet(), Link.READY, policy, artifacts, heap, busy,
                        currentJob, oomDumps, progress, previous.pid(), ""));
            } catch (IOException e) {
                // the console notices too and reconnects with a new connection; a passing failure keeps the listener
                return publish(previous.with(sequence.incrementAndGet(), Link.DISCONNECTED, Errors.message(e)));
            } catch (InstanceNotFoundException e) {
                // unregistered between the check and the read: the next poll shows the "not installed" panel
                return publish(previous.with(sequence.incrementAndGet(), previous.link(), Errors.message(e)));
            } catch (Exception e) {
                return publish(previous.with(sequence.incrementAndGet(), previous.link(),
                        "Cannot read " + OBJECT_NAME + ": " + Errors.message(e)));
            }
        }
    }

    private TabState publish(TabState next) {
        state = next;
        return next;
    }

    private static Map<String, Object> attributes(MBeanServerConnection c, String[] names) throws Exception {
        AttributeList list = c.getAttributes(BEAN, names);
        Map<String, Object> values = new HashMap<>();
        for (Attribute attribute : list.asList()) {
            values.put(attribute.getName(), attribute.getValue());
        }
        return values;
    }

    static Policy readPolicy(MBeanServerConnection c) throws Exception {
        Map<String, Object> v = attributes(c, POLICY_ATTRIBUTES);
        return new Policy(Boolean.TRUE.equals(v.get("HeapdumpOnOOM")), Objects.toString(v.get("OOMImplementation"), ""),
                Objects.toString(v.get("Path"), ""), Boolean.TRUE.equals(v.get("AddTimestamp")),
                number(v.get("Threshold")), number(v.get("Limit")), Objects.toString(v.get("Analyze"), ""),
                number(v.get("Port")), Objects.toString(v.get("Directory"), ""), Objects.toString(v.get("Ship"), ""));
    }

    private static int number(Object value) {
        return value instanceof Number n ? n.intValue() : 0;
    }

    static Heap readHeap(MBeanServerConnection c) throws Exception {
        CompositeData usage = (CompositeData) c.getAttribute(MEMORY, "HeapMemoryUsage");
        return new Heap(longItem(usage, "used", 0), longItem(usage, "committed", 0), longItem(usage, "max", -1));
    }

    private static long readPid(MBeanServerConnection c) {
        try {
            return ((Number) c.getAttribute(RUNTIME, "Pid")).longValue();
        } catch (Exception e) {
            return -1;
        }
    }

    static List<ArtifactRow> artifacts(Object value) {
        List<ArtifactRow> rows = new ArrayList<>();
        if (value instanceof CompositeData[] items) {
            for (CompositeData cd : items) {
                rows.add(new ArtifactRow(stringItem(cd, "path"), stringItem(cd, "kind"), longItem(cd, "bytes", 0),
                        longItem(cd, "createdMillis", 0), stringItem(cd, "state"), stringItem(cd, "origin"),
                        stringItem(cd, "detail"), Boolean.TRUE.equals(item(cd, "shipped")) ? stringItem(cd, "shippedTo")
                        : ""));
            }
        }
        return rows;
    }

    private static String stringItem(CompositeData cd, String key) {
        return Objects.toString(item(cd, key), "");
    }

    /** An item, or null where the bean's version has none. */
    private static Object item(CompositeData cd, String key) {
        return cd != null && cd.containsKey(key) ? cd.get(key) : null;
    }

    private static long longItem(CompositeData cd, String key, long otherwise) {
        return cd != null && cd.containsKey(key) && cd.get(key) instanceof Number n ? n.longValue() : otherwise;
    }

    /**
     * The progress of the running job. A heap dump: the bytes of its IN_PROGRESS file against the heap in use
     * when it started (the dump of live objects is about that size). A profile this client started: time
     * elapsed against its duration. Anything else: indeterminate, labelled with the bean's CurrentJob.
     */
    static Progress progress(List<ArtifactRow> artifacts, Heap heap, String currentJob, OwnJob own, long now) {
        ArtifactRow writing = artifacts.stream().filter(ArtifactRow::inProgress).reduce((a, b) -> b).orElse(null);
        String what = currentJob.isBlank() ? (own == null ? "Working" : own.kind()) : currentJob;
        if (writing != null && writing.heapDump()) {
            long expected = own != null && own.expectedBytes() > 0 ? own.expectedBytes() : heap == null ? 0 : heap.used();
            if (writing.bytes() >= expected) {
                // an HPROF of many small objects is larger than the heap they use
                String label = String.format(Locale.ROOT, "Writing %s: %s, more than the %s in use; finishing",
                        writing.name(), Format.bytes(writing.bytes()), Format.bytes(expected));
                return new Progress(label, 99, 100);
            }
            String label = String.format(Locale.ROOT, "Writing %s: %s of about %s", writing.name(),
                    Format.bytes(writing.bytes()), Format.bytes(expected));
            return new Progress(label, writing.bytes(), expected);
        }
        if (own != null && own.durationMillis() > 0) {
            long elapsed = Math.max(0, Math.min(now - own.startMillis(), own.durationMillis()));
            String label = String.format(Locale.ROOT, "Recording the %s%s: %s of %s", own.kind(),
                    writing == null ? "" : " " + writing.name(), Format.seconds(elapsed),
                    Format.seconds(own.durationMillis()));
            return new Progress(label, elapsed, own.durationMillis());
        }
        if (own != null && own.expectedBytes() > 0) {
            return new Progress(String.format(Locale.ROOT, "Heap snapshot: a full GC, then the dump of about %s "
                    + "(the JVM pauses meanwhile)", Format.bytes(own.expectedBytes())), 0, 0);
        }
        return new Progress(what, 0, 0);
    }

    // ---- operations ----------------------------------------------------------------------------------------

    /**
     * Applies the edited runtime options that differ from the policy last read, with one {@code applyPolicy}
     * call: the bean validates them all and applies all or none.
     *
     * @param edited option name to value, as the fields show them
     */
    public Result applyPolicy(Map<String, String> edited) {
        Policy current = state.policy();
        Map<String, String> changes = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : edited.entrySet()) {
            String value = entry.getValue() == null ? "" : entry.getValue().trim();
            if (value.indexOf(',') >= 0 || value.indexOf('=') >= 0) {
                return Result.failed("Option '" + entry.getKey() + "' may not contain ',' or '=': '" + value + "'",
                        entry.getKey());
            }
            if (current == null || !value.equals(current.options().get(entry.getKey()))) {
                changes.put(entry.getKey(), value);
            }
        }
        if (changes.isEmpty()) {
            return Result.ok("Nothing to apply: the policy is as shown");
        }
        StringBuilder options = new StringBuilder();
        changes.forEach((k, v) -> options.append(options.length() == 0 ? "" : ",").append(k).append('=').append(v));
        try {
            Object policy = connection().invoke(BEAN, "applyPolicy", new Object[]{options.toString()},
                    new String[]{String.class.getName()});
            policyStale.set(true);
            return Result.ok("Policy applied: " + options + (policy == null ? "" : " (now " + policy + ")"));
        } catch (Exception e) {
            String message = Errors.message(e);
            return Result.failed(message, Errors.field(message, Policy.RUNTIME_KEYS));
        }
    }

    /** Takes a heap snapshot; returns when the file is complete (seconds for a large heap). */
    public Result createHeapSnapshot(String name) {
        Heap heap = state.heap();
        long expected = heap == null ? 0 : heap.used();
        ownJob = new OwnJob("Heap snapshot", System.currentTimeMillis(), 0, Math.max(expected, 1));
        try {
            Object path = connection().invoke(BEAN, "createHeapSnapshot", new Object[]{name == null ? "" : name},
                    new String[]{String.class.getName()});
            return Result.made("Heap snapshot written: " + path, String.valueOf(path));
        } catch (Exception e) {
            return Result.failed("Heap snapshot failed: " + Errors.message(e));
        } finally {
            ownJob = null;
        }
    }

    /**
     * Records a profile of {@code kind}; returns when its {@code .jfr} is written, after {@code durationMillis} (its
     * flame graph is made before). A refusal (wall clock where JDK Flight Recorder records, a bad duration, another
     * job) comes back as the bean's sentence. An agent older than {@code createProfile} records CPU profiles only.
     */
    public Result createProfile(String name, ProfileKind kind, long durationMillis) {
        ownJob = new OwnJob(kind.event().label(), System.currentTimeMillis(), Math.max(durationMillis, 0), 0);
        try {
            Object path = connection().invoke(BEAN, "createProfile",
                    new Object[]{name == null ? "" : name, kind.event().id(), durationMillis},
                    new String[]{String.class.getName(), String.class.getName(), long.class.getName()});
            return Result.made(kind.title() + " written: " + path, String.valueOf(path));
        } catch (Exception e) {
            boolean older = Errors.unwrap(e) instanceof NoSuchMethodException;
            if (older && kind == ProfileKind.CPU) {
                return createCpuProfile(name, durationMillis);
            }
            return Result.failed(kind.title() + " failed: " + (older ? "the agent in this JVM is older than "
                    + "createProfile: it records CPU profiles only" : Errors.message(e)));
        } finally {
            ownJob = null;
        }
    }

    /** Records a CPU profile; returns when it is written, after {@code durationMillis}. */
    public Result createCpuProfile(String name, long durationMillis) {
        ownJob = new OwnJob("CPU profile", System.currentTimeMillis(), Math.max(durationMillis, 0), 0);
        try {
            Object path = connection().invoke(BEAN, "createCpuProfile",
                    new Object[]{name == null ? "" : name, durationMillis},
                    new String[]{String.class.getName(), long.class.getName()});
            return Result.made("CPU profile written: " + path, String.valueOf(path));
        } catch (Exception e) {
            return Result.failed("CPU profile failed: " + Errors.message(e));
        } finally {
            ownJob = null;
        }
    }

    /** Deletes the given listed files, each with the operation for its kind; stops at the first refusal. */
    public Result delete(List<ArtifactRow> rows) {
        List<String> deleted = new ArrayList<>();
        for (ArtifactRow row : rows) {
            if (!row.heapDump() && !row.cpuProfile()) {
                return Result.failed((deleted.isEmpty() ? "" : "Deleted " + String.join(", ", deleted) + "; ")
                        + "cannot delete " + row.name() + ": the bean deletes heap dumps and CPU profiles only");
            }
            try {
                connection().invoke(BEAN, row.heapDump() ? "deleteHeapSnapshot" : "deleteCpuProfile",
                        new Object[]{row.path()}, new String[]{String.class.getName()});
                deleted.add(row.name());
            } catch (Exception e) {
                return Result.failed((deleted.isEmpty() ? "" : "Deleted " + String.join(", ", deleted) + "; ")
                        + "cannot delete " + row.name() + ": " + Errors.message(e));
            }
        }
        return Result.ok(deleted.isEmpty() ? "Nothing selected" : "Deleted " + String.join(", ", deleted));
    }

    /**
     * Asks the JVM to ship the given listed files to object storage ({@code shipArtifact}: a process of its own
     * uploads; the Shipped column and the bean's notifications tell when each is there); stops at the first refusal.
     */
    public Result ship(List<ArtifactRow> rows) {
        List<String> said = new ArrayList<>();
        for (ArtifactRow row : rows) {
            try {
                said.add(String.valueOf(connection().invoke(BEAN, "shipArtifact", new Object[]{row.path()},
                        new String[]{String.class.getName()})));
            } catch (Exception e) {
                return Result.failed((said.isEmpty() ? "" : String.join("; ", said) + "; ") + "cannot ship "
                        + row.name() + ": " + Errors.message(e));
            }
        }
        return Result.ok(said.isEmpty() ? "Nothing selected" : String.join("; ", said));
    }

    /** Deletes every heap snapshot and CPU profile the suite made; OOM dumps are kept (the bean's contract). */
    public Result deleteAll() {
        int before = (int) state.artifacts().stream().filter(a -> ("HEAP_SNAPSHOT".equals(a.kind()) || a.cpuProfile())
                && !a.inProgress()).count();
        try {
            connection().invoke(BEAN, "deleteAllHeapSnapshots", new Object[0], new String[0]);
            connection().invoke(BEAN, "deleteAllCpuProfiles", new Object[0], new String[0]);
            return Result.ok("Deleted all heap snapshots and CPU profiles (" + before + " listed); OOM dumps are kept");
        } catch (Exception e) {
            return Result.failed("Delete all failed: " + Errors.message(e));
        }
    }

    private MBeanServerConnection connection() throws IOException {
        MBeanServerConnection c = connection.get();
        if (c == null) {
            throw new IOException("not connected");
        }
        return c;
    }
}
