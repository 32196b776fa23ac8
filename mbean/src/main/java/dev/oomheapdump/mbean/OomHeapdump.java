package dev.oomheapdump.mbean;

import dev.oomheapdump.core.Daemons;
import dev.oomheapdump.core.ProfileEvent;
import dev.oomheapdump.core.job.Profiler;
import dev.oomheapdump.core.trigger.OomTrap;
import dev.oomheapdump.core.OomPolicy;
import dev.oomheapdump.core.OomService;

import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanRegistrationException;
import javax.management.MBeanServer;
import javax.management.NotCompliantMBeanException;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The Java API, for installing the suite from code and using it in-process:
 * <pre>
 * OomHeapdump oom = OomHeapdump.install("OOMImplementation=GC_MONITORING,threshold=80");
 * Path snapshot = oom.createHeapSnapshot("before-migration").join();
 * </pre>
 * {@link #install} registers the MBean on the platform MBean server (and opens the JMX port when the policy
 * has one), exactly as the agent does. Jobs return {@link CompletableFuture}s, completed on a daemon thread;
 * a job refused because another runs completes exceptionally with an {@link IllegalStateException} at once.
 */
public final class OomHeapdump implements AutoCloseable {

    private final OomService service;
    private final ExecutorService jobs = Executors.newCachedThreadPool(Daemons.factory("job"));
    /** Looked up when the bean is registered, never in premain: the platform MBean server takes ≈ 60 ms to start. */
    private static MBeanServer mbeanServer() {
        return ManagementFactory.getPlatformMBeanServer();
    }
    private volatile OomHeapdumpBean bean;
    private volatile JmxPort port;
    private volatile OomTrap trap;

    OomHeapdump(OomService service) {
        this.service = service;
    }

    /**
     * Installs the suite with agent-style options ({@code key=value,key=value}); see {@link OomPolicy}.
     *
     * @throws IllegalArgumentException on a bad option, naming it
     * @throws IllegalStateException    when the suite is installed already in this JVM
     * @throws IOException              when the directory cannot be made or the port cannot be opened
     */
    public static OomHeapdump install(String options) throws IOException {
        return install(OomPolicy.parse(options));
    }

    /** Installs the suite with a policy; see {@link #install(String)}. */
    public static OomHeapdump install(OomPolicy policy) throws IOException {
        OomHeapdump oom = Installation.start(policy);
        try {
            oom.registerBean();
            oom.openPort();
        } catch (IOException | RuntimeException e) {
            oom.close();
            throw e;
        }
        return oom;
    }

    /**
     * Installs the OOM trap, so that the OutOfMemoryErrors the JVM's hook never sees (made by Java code: direct
     * memory, a library's own subclass, "unable to create native thread") are dumped too. Where the JVM cannot
     * retransform the class, prints one line and runs on with the hook alone.
     */
    void installTrap(Instrumentation instrumentation) {
        Optional<OomTrap> installed = OomTrap.install(instrumentation, service::onTrapped);
        if (installed.isPresent()) {
            trap = installed.get();
        } else {
            print(System.err, OomTrap.lastFailure() + "; the JVM's own hook still dumps heap OOMs");
        }
    }

    /**
     * Registers the MBean on the platform MBean server.
     *
     * @throws IllegalStateException when another copy of the suite registered the name
     */
    synchronized void registerBean() {
        if (bean != null) {
            return;
        }
        OomHeapdumpBean made = new OomHeapdumpBean(service);
        try {
            mbeanServer().registerMBean(made, OomHeapdumpBean.objectName());
        } catch (InstanceAlreadyExistsException | MBeanRegistrationException | NotCompliantMBeanException e) {
            made.close();
            throw new IllegalStateException("Cannot register " + OomHeapdumpMXBean.OBJECT_NAME + ": "
                    + (e instanceof InstanceAlreadyExistsException ? "it is registered already, by another copy of "
                    + "oom-heapdump in this JVM" : e.toString()), e);
        }
        bean = made;
    }

    /** Opens the policy's JMX port, if it has one, and checks it answers. */
    String openPort() throws IOException {
        if (service.policy().port().isEmpty()) {
            return null;
        }
        port = JmxPort.open(service.policy().port().getAsInt(), mbeanServer());
        return port.check();
    }

    /** The suite installed in this JVM, if any. */
    public static Optional<OomHeapdump> installed() {
        return Installation.current();
    }

    /** The service, for everything the MBean offers (policy, listing, events). */
    public OomService service() {
        return service;
    }

    /** The URL of the JMX port, when one is open. */
    public Optional<String> jmxServiceUrl() {
        JmxPort p = port;
        return p == null ? Optional.empty() : Optional.of(p.url());
    }

    /** Dumps the live heap; see {@link OomHeapdumpMXBean#createHeapSnapshot}. */
    public CompletableFuture<Path> createHeapSnapshot(String path) {
        return async(() -> service.createHeapSnapshot(path));
    }

    /** Records a CPU profile for 30 seconds; see {@link OomHeapdumpMXBean#createCpuProfile}. */
    public CompletableFuture<Path> createCpuProfile(String path) {
        return createCpuProfile(path, Profiler.DEFAULT_DURATION);
    }

    /** Records a CPU profile; see {@link OomHeapdumpMXBean#createCpuProfile}. */
    public CompletableFuture<Path> createCpuProfile(String path, Duration duration) {
        return createProfile(path, ProfileEvent.CPU, duration);
    }

    /** Records a profile of {@code event}; see {@link OomHeapdumpMXBean#createProfile}. */
    public CompletableFuture<Path> createProfile(String path, ProfileEvent event, Duration duration) {
        return async(() -> service.createProfile(path, event, duration));
    }

    /**
     * @return true when a file was deleted, false when the suite made it and it was already gone
     * @throws IllegalArgumentException when the suite never made it; see {@link OomHeapdumpMXBean#deleteHeapSnapshot}
     */
    public boolean deleteHeapSnapshot(String path) {
        return service.deleteHeapSnapshot(path);
    }

    public List<Path> deleteAllHeapSnapshots() {
        return service.deleteAllHeapSnapshots();
    }

    /** As {@link #deleteHeapSnapshot}, for CPU profiles. */
    public boolean deleteCpuProfile(String path) {
        return service.deleteCpuProfile(path);
    }

    public List<Path> deleteAllCpuProfiles() {
        return service.deleteAllCpuProfiles();
    }

    private interface Job {
        Path run() throws IOException;
    }

    private CompletableFuture<Path> async(Job job) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return job.run();
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }, jobs);
    }

    /** Closes the port, unregisters the MBean, restores the JVM's flags, stops the threads. Files stay. */
    @Override
    public void close() {
        Installation.removed(this);
        OomTrap t = trap;
        if (t != null) {
            t.close();
        }
        JmxPort p = port;
        if (p != null) {
            p.close();
        }
        OomHeapdumpBean b = bean;
        if (b != null) {
            try {
                mbeanServer().unregisterMBean(OomHeapdumpBean.objectName());
            } catch (InstanceNotFoundException | MBeanRegistrationException e) {
                // already gone
            }
            b.close();
        }
        service.close();
        jobs.shutdownNow();
    }

    static void print(PrintStream out, String line) {
        out.println("oom-heapdump: " + line);
        out.flush();
    }
}
