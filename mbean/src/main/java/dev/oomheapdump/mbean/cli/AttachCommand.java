package dev.oomheapdump.mbean.cli;

import dev.oomheapdump.core.OomPolicy;
import dev.oomheapdump.mbean.AgentOutcome;
import dev.oomheapdump.mbean.OomHeapdumpMXBean;

import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code attach PID [OPTIONS]}: loads the agent jar into a running JVM (again: changes its policy), and tells the
 * truth about it. The options are checked here first (exit 2, nothing attached); after the load, the agent's own
 * outcome ({@link AgentOutcome}, read from the JVM's system properties) says whether it refused and why; then
 * the MBean is asked, over the JVM's local JMX connector, for the policy in force, which must hold every option
 * asked. Anything else exits 1 with the reason.
 */
final class AttachCommand implements Command {

    static final String USAGE = "usage: attach PID [OPTIONS] (OPTIONS as for -javaagent: key=value,key=value)";
    /** How long the agent may take to register its MBean and open its port (it retries both, bounded). */
    static final Duration REPORT_WAIT = Duration.ofSeconds(60);

    @Override
    public int run(List<String> args, PrintStream out) throws Exception {
        if (args.isEmpty() || args.size() > 2) {
            throw new IllegalArgumentException(USAGE);
        }
        long pid = pid(args.get(0));
        String options = args.size() > 1 ? args.get(1) : "";
        Map<String, String> asked;
        try {
            OomPolicy.parse(options);
            asked = OomPolicy.parseArguments(options);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad option: " + e.getMessage() + "; nothing attached", e);
        }
        if (ProcessHandle.of(pid).isEmpty()) {
            throw new IllegalArgumentException("no process " + pid + " runs on this host (jps lists the JVMs)");
        }
        if (pid == ProcessHandle.current().pid()) {
            throw new IllegalArgumentException("process " + pid + " is this command itself");
        }
        if (!TargetVm.available()) {
            throw new IllegalStateException("this Java has no attach API (module jdk.attach): run the command with "
                    + "a JDK's java, not a JRE's");
        }
        try (TargetVm vm = TargetVm.attach(pid)) {
            long before = outcome(vm).map(AgentOutcome::attempt).orElse(0L);
            vm.loadAgent(ownJar(), options);
            Optional<AgentOutcome> outcome = awaitOutcome(vm, before);
            if (outcome.isPresent() && outcome.get().state() == AgentOutcome.State.FAILED) {
                throw new IllegalStateException("agent in JVM " + pid + ": " + outcome.get().message());
            }
            String inForce = confirm(vm, pid, asked);
            out.println("agent in JVM " + pid + ": " + outcome.map(AgentOutcome::message)
                    .orElse("the agent did not report (an older version?), but the MBean answers with the options asked"));
            out.println("policy in force: " + inForce);
            return 0;
        }
    }

    private static long pid(String text) {
        try {
            long pid = Long.parseLong(text.trim());
            if (pid > 0) {
                return pid;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new IllegalArgumentException("'" + text + "' is not a process id; " + USAGE);
    }

    private static Optional<AgentOutcome> outcome(TargetVm vm) throws IOException {
        return AgentOutcome.parse(vm.systemProperties().getProperty(AgentOutcome.PROPERTY));
    }

    /**
     * The outcome of this load: the agent records it before {@code loadAgent} returns, and completes it once its
     * init thread registered the MBean and opened the port. Empty when the agent records none (an older one).
     */
    private static Optional<AgentOutcome> awaitOutcome(TargetVm vm, long before) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + REPORT_WAIT.toNanos();
        Optional<AgentOutcome> outcome = outcome(vm).filter(o -> o.attempt() > before);
        while (outcome.isPresent() && outcome.get().state() == AgentOutcome.State.PENDING) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the agent did not finish starting within " + REPORT_WAIT.toSeconds()
                        + " s; its last word: " + outcome.get().message());
            }
            Thread.sleep(100);
            outcome = outcome(vm).filter(o -> o.attempt() > before);
        }
        return outcome;
    }

    /** Asks the MBean, over the JVM's local connector, for the policy in force and checks it holds what was asked. */
    private static String confirm(TargetVm vm, long pid, Map<String, String> asked) throws Exception {
        Path workingDirectory = Paths.get(vm.systemProperties().getProperty("user.dir", ""));
        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(vm.localConnectorAddress()))) {
            MBeanServerConnection connection = connector.getMBeanServerConnection();
            ObjectName name = new ObjectName(OomHeapdumpMXBean.OBJECT_NAME);
            if (!connection.isRegistered(name)) {
                throw new IllegalStateException("the agent was loaded into JVM " + pid + ", but "
                        + OomHeapdumpMXBean.OBJECT_NAME + " is not registered there; its output says why");
            }
            String inForce = JMX.newMXBeanProxy(connection, name, OomHeapdumpMXBean.class).applyPolicy("");
            List<String> differences = differences(asked, inForce, workingDirectory);
            if (!differences.isEmpty()) {
                throw new IllegalStateException("JVM " + pid + " runs another policy than asked: "
                        + String.join("; ", differences) + " (policy in force: " + inForce + ")");
            }
            return inForce;
        }
    }

    /**
     * Where the policy in force differs from the options asked, compared as the agent normalizes them (case,
     * sizes, a relative directory resolved against the JVM's working directory).
     *
     * @param inForce the policy as agent options, as {@code applyPolicy("")} returns it
     * @return one phrase per difference ("threshold is 70, not 80"), empty when the asked options hold
     */
    static List<String> differences(Map<String, String> asked, String inForce, Path workingDirectory) {
        OomPolicy now = OomPolicy.of(OomPolicy.parseArguments(inForce));
        Map<String, String> wanted = new LinkedHashMap<>(asked);
        wanted.computeIfPresent(OomPolicy.DIRECTORY, (key, value) -> workingDirectory.resolve(value).normalize().toString());
        OomPolicy expected;
        try {
            expected = now.with(wanted);
        } catch (IllegalArgumentException e) {
            return List.of(e.getMessage());
        }
        List<String> differences = new ArrayList<>();
        for (String key : asked.keySet()) {
            String is = now.toMap().get(key);
            String want = expected.toMap().get(key);
            if (!Objects.equals(is, want)) {
                differences.add(key + " is " + (is == null ? "not set" : is) + ", not " + want);
            }
        }
        return differences;
    }

    /** The agent jar this class runs from. */
    static Path ownJar() throws URISyntaxException {
        return Paths.get(Cli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
