package dev.oomheapdump.mbean;

import dev.oomheapdump.core.CpuProfiler;
import dev.oomheapdump.core.OomPolicy;
import dev.oomheapdump.core.OomService;

import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanRegistrationException;
import javax.management.MBeanServer;
import javax.management.NotCompliantMBeanException;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

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

    private static OomHeapdump installed;

    private final OomService service;
    private final OomHeapdumpBean bean;
    private final MBeanServer mbeanServer;
    private final ExecutorService jobs;
    private volatile JmxPort port;

    private OomHeapdump(OomService service, OomHeapdumpBean bean, MBeanServer mbeanServer) {
        this.service = service;
        this.bean = bean;
        this.mbeanServer = mbeanServer;
        AtomicInteger count = new AtomicInteger();
        this.jobs = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "oom-heapdump-job-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
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
        OomHeapdump oom = installWithoutPort(policy);
        try {
            oom.openPort();
        } catch (IOException | RuntimeException e) {
            oom.close();
            throw e;
        }
        return oom;
    }

    /** Everything but the port, which the agent opens on a background thread. */
    static OomHeapdump installWithoutPort(OomPolicy policy) throws IOException {
        synchronized (OomHeapdump.class) {
            if (installed != null) {
                throw new IllegalStateException("oom-heapdump is installed already in this JVM (directory "
                        + installed.service.policy().directory() + "); use OomHeapdump.installed()");
            }
        }
        OomService service = OomService.start(policy);
        try {
            return register(service);
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
    }

    /**
     * Registers the MBean of a started service on the platform MBean server.
     *
     * @throws IllegalStateException when the suite is installed already, or another copy registered the name
     */
    static synchronized OomHeapdump register(OomService service) {
        if (installed != null) {
            throw new IllegalStateException("oom-heapdump is installed already in this JVM (directory "
                    + installed.service.policy().directory() + "); use OomHeapdump.installed()");
        }
        MBeanServer mbeanServer = ManagementFactory.getPlatformMBeanServer();
        OomHeapdumpBean bean = new OomHeapdumpBean(service);
        try {
            mbeanServer.registerMBean(bean, OomHeapdumpBean.objectName());
        } catch (InstanceAlreadyExistsException | MBeanRegistrationException | NotCompliantMBeanException e) {
            bean.close();
            throw new IllegalStateException("Cannot register " + OomHeapdumpMXBean.OBJECT_NAME + ": "
                    + (e instanceof InstanceAlreadyExistsException ? "it is registered already, by another copy of "
                    + "oom-heapdump in this JVM" : e.toString()), e);
        }
        installed = new OomHeapdump(service, bean, mbeanServer);
        return installed;
    }

    /** Opens the policy's JMX port, if it has one, and checks it answers. */
    String openPort() throws IOException {
        if (service.policy().port().isEmpty()) {
            return null;
        }
        port = JmxPort.open(service.policy().port().getAsInt(), mbeanServer);
        return port.check();
    }

    /** The suite installed in this JVM, if any. */
    public static synchronized Optional<OomHeapdump> installed() {
        return Optional.ofNullable(installed);
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
        return createCpuProfile(path, CpuProfiler.DEFAULT_DURATION);
    }

    /** Records a CPU profile; see {@link OomHeapdumpMXBean#createCpuProfile}. */
    public CompletableFuture<Path> createCpuProfile(String path, Duration duration) {
        return async(() -> service.createCpuProfile(path, duration));
    }

    /** @return true when a file was deleted, false when it was already gone */
    public boolean deleteHeapSnapshot(String path) {
        return service.deleteHeapSnapshot(path);
    }

    public List<Path> deleteAllHeapSnapshots() {
        return service.deleteAllHeapSnapshots();
    }

    /** @return true when a file was deleted, false when it was already gone */
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
        synchronized (OomHeapdump.class) {
            if (installed == this) {
                installed = null;
            }
        }
        JmxPort p = port;
        if (p != null) {
            p.close();
        }
        try {
            mbeanServer.unregisterMBean(OomHeapdumpBean.objectName());
        } catch (InstanceNotFoundException | MBeanRegistrationException e) {
            // already gone
        }
        bean.close();
        service.close();
        jobs.shutdownNow();
    }

    static void print(PrintStream out, String line) {
        out.println("oom-heapdump: " + line);
        out.flush();
    }
}
