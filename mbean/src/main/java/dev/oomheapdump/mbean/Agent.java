package dev.oomheapdump.mbean;

import dev.oomheapdump.core.OomPolicy;
import dev.oomheapdump.core.Daemons;
import dev.oomheapdump.core.job.Profiler;
import dev.oomheapdump.core.store.ArtifactStore;
import dev.oomheapdump.mbean.AgentOutcome.State;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.util.Optional;

/**
 * The {@code -javaagent} and attach entry point. Never throws into the host application: a bad option
 * prints one line naming it, installs nothing, and lets the application run on. The JVM's OOM hook is armed
 * and the OOM trap installed before {@code premain} returns (an early OOM is caught); the MBean is registered and the JMX port opened
 * and checked on the daemon thread {@code oom-heapdump-init}, so the application's start does not wait for
 * the platform MBean server.
 *
 * <p>Attaching again to a JVM that has the agent changes its runtime policy options ({@code port} and
 * {@code directory} may be repeated with the values they have; another value is refused, naming it).
 *
 * <p>Every load records its outcome, the line it printed, in the system property {@value AgentOutcome#PROPERTY}
 * ({@link AgentOutcome}), so that the {@code attach} command can tell why a load was refused.
 */
public final class Agent {

    private Agent() {
    }

    public static void premain(String arguments, Instrumentation instrumentation) {
        agentmain(arguments, instrumentation);
    }

    public static void agentmain(String arguments, Instrumentation instrumentation) {
        long attempt = 0;
        try {
            attempt = AgentOutcome.begin();
            start(arguments, instrumentation, attempt);
        } catch (Throwable t) {
            try {
                report(attempt, State.FAILED, "not installed: " + t + "; the application runs on");
            } catch (Throwable ignored) {
                // nothing more can be said (the heap may be full): the application runs on
            }
        }
    }

    /** Prints one line into the JVM's output and records it as the attempt's outcome. */
    private static void report(long attempt, State state, String line) {
        OomHeapdump.print(System.err, line);
        AgentOutcome.record(attempt, state, line);
    }

    static void start(String arguments, Instrumentation instrumentation, long attempt) {
        OomPolicy policy;
        try {
            policy = OomPolicy.parse(arguments);
        } catch (IllegalArgumentException e) {
            report(attempt, State.FAILED, "bad option: " + e.getMessage() + "; nothing installed, the application runs on");
            return;
        }
        if (instrumentation != null) {
            Profiler.useInstrumentation(instrumentation);
        }
        Optional<OomHeapdump> existing = Installation.current();
        if (existing.isPresent()) {
            updateInstalled(existing.get(), arguments, attempt);
            return;
        }
        OomHeapdump oom;
        try {
            // Synchronous and cheap: the JVM's hook is armed before main runs, so an early OOM is caught.
            oom = Installation.start(policy);
        } catch (IllegalStateException e) {
            // another attach won the race a moment ago: this one is a change of its policy
            Installation.current().ifPresent(installed -> updateInstalled(installed, arguments, attempt));
            return;
        } catch (IOException e) {
            report(attempt, State.FAILED, "not installed: " + ArtifactStore.explain(e, policy.directory())
                    + "; the application runs on");
            return;
        } catch (Exception e) {
            report(attempt, State.FAILED, "not installed: " + e.getMessage() + "; the application runs on");
            return;
        }
        // Synchronous too (tens of ms): an application that dies of direct memory in its first moments is caught.
        if (instrumentation != null) {
            oom.installTrap(instrumentation);
        }
        String installed = "installed, " + policy.implementation() + (policy.heapdumpOnOOM() ? "" : " (off)")
                + ", dumps in " + policy.directory() + ", MBean " + OomHeapdumpMXBean.OBJECT_NAME;
        report(attempt, State.PENDING, installed);
        // from now on, OOM dumps and the hook's state for the disk get a line each
        oom.service().addListener(new OutputLines(System.err));
        oom.service().hookDisarmedForDisk().ifPresent(why -> OomHeapdump.print(System.err, "the JVM's OOM hook is "
                + "not armed: its dump would not fit, " + why + "; it is armed when it fits"));
        // The platform MBean server and the JMX port take a while to start: not on the application's time.
        Daemons.start("init", () -> register(oom, policy, attempt, installed));
    }

    /**
     * Registers the MBean, then opens the port. An application that runs out of memory at once can make the
     * registration itself fail (it allocates): it is tried again, a few times, a second apart.
     */
    private static void register(OomHeapdump oom, OomPolicy policy, long attempt, String installed) {
        boolean registered = false;
        Throwable last = null;
        for (int tries = 0; tries < 10 && !registered; tries++) {
            try {
                oom.registerBean();
                registered = true;
            } catch (IllegalStateException e) {
                last = e;
                break;
            } catch (RuntimeException | OutOfMemoryError e) {
                last = e;
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
        if (!registered) {
            report(attempt, State.FAILED, "MBean not registered: " + last + "; the OOM policy still runs");
            return;
        }
        if (policy.port().isPresent()) {
            openPort(oom, policy.port().getAsInt(), attempt, installed);
        } else {
            AgentOutcome.record(attempt, State.OK, installed);
        }
    }

    private static void openPort(OomHeapdump oom, int port, long attempt, String installed) {
        String line = null;
        Exception last = null;
        // The JDK's own agent may still be starting: give it a few bounded tries.
        for (int tries = 0; tries < 20 && line == null; tries++) {
            try {
                line = oom.openPort();
            } catch (Exception e) {
                last = e;
                if (!System.getProperty(JmxPort.JDK_PORT_PROPERTY, "").trim().equals(Integer.toString(port))) {
                    break;
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
        if (line != null) {
            OomHeapdump.print(System.err, line);
            AgentOutcome.record(attempt, State.OK, installed + "; " + line);
        } else {
            report(attempt, State.FAILED, "JMX NOT listening on 127.0.0.1:" + port + ": "
                    + (last == null ? "unknown" : JmxPort.rootMessage(last))
                    + "; the MBean is still registered locally (jconsole <pid>)");
        }
    }

    /** Attaching again changes the runtime policy, through the same rule and lock as a JMX change. */
    private static void updateInstalled(OomHeapdump oom, String arguments, long attempt) {
        try {
            OomPolicy next = oom.service().changePolicy(OomPolicy.parseArguments(arguments));
            report(attempt, State.OK, "already installed; policy now " + next);
        } catch (RuntimeException e) {
            report(attempt, State.FAILED, "already installed; policy unchanged: " + e.getMessage());
        }
    }
}
