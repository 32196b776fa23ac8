package dev.oomheapdump.it;

import org.awaitility.core.ConditionFactory;

import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;


/**
 * A child JVM running {@code LeakApp} (or another main class) with the shipped agent jar: heap, collector,
 * JDK and agent options chosen per test, a free port on 127.0.0.1. Its output is kept (and shown by
 * {@link ChildOutputOnFailure} when a test fails); every wait is bounded and fails fast when the child died.
 */
public final class ChildJvm implements Closeable {

    public static final String OBJECT_NAME = "dev.oomheapdump:type=OomHeapdump";

    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final int port;
    private final Path directory;
    private final List<String> command;
    private final Writer stdin;
    private final List<JMXConnector> connectors = new ArrayList<>();

    private ChildJvm(Builder builder) throws IOException {
        this.port = builder.port > 0 ? builder.port : freePort();
        this.directory = builder.directory;
        List<String> cmd = new ArrayList<>(builder.prefix);
        cmd.add(builder.javaHome.resolve("bin").resolve("java").toString());
        cmd.add("-Xmx" + builder.heap);
        cmd.add("-XX:+Use" + builder.gc + "GC");
        cmd.add("-Djava.awt.headless=true");
        cmd.addAll(builder.jvmArgs);
        if (builder.agentOptions != null) {
            String options = builder.agentOptions;
            if (builder.withPort) {
                options = "port=" + port + (options.isEmpty() ? "" : "," + options);
            }
            if (directory != null) {
                options = options + (options.isEmpty() ? "" : ",") + "directory=" + directory;
            }
            cmd.add("-javaagent:" + agentJar() + (options.isEmpty() ? "" : "=" + options));
        }
        cmd.add("-cp");
        cmd.add(builder.classPath != null ? builder.classPath : testClasses().toString());
        cmd.add(builder.mainClass);
        cmd.addAll(builder.args);
        this.command = List.copyOf(cmd);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (builder.workingDirectory != null) {
            pb.directory(builder.workingDirectory.toFile());
        }
        pb.environment().putAll(builder.environment);
        this.process = pb.start();
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread pump = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    output.add(line);
                }
            } catch (IOException e) {
                // the child is gone
            }
        }, "child-output-" + process.pid());
        pump.setDaemon(true);
        pump.start();
        ChildOutputOnFailure.register(this);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Runs the agent jar's command line ({@code analyze}, {@code list}...) in a JVM of its own. */
    public static ChildJvm cli(String... args) throws IOException {
        return builder().heap("256m").classPath(agentJar().toString()).mainClass("dev.oomheapdump.mbean.cli.Cli")
                .args(args).start();
    }

    public static Path agentJar() {
        return Paths.get(System.getProperty("oomheapdump.agentJar", "../mbean/target/oom-heapdump-agent.jar"))
                .toAbsolutePath().normalize();
    }

    public static Path testClasses() {
        return Paths.get(System.getProperty("oomheapdump.testClasses", "target/test-classes")).toAbsolutePath();
    }

    /** The JDK that runs the tests; {@code .ci/run} runs the suite once per JDK. */
    public static Path javaHome() {
        return Paths.get(System.getProperty("java.home"));
    }

    public static int javaFeature() {
        return Runtime.version().feature();
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    public Path directory() {
        return directory;
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    public String url() {
        return "service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi";
    }

    /** The child's output so far, with the command line first. */
    public String output() {
        return "$ " + String.join(" ", command) + "\n" + String.join("\n", output);
    }

    public List<String> lines() {
        return List.copyOf(output);
    }

    /** A bounded wait that fails at once, with the child's output, when the child has died. */
    public ConditionFactory await(Duration atMost, String alias) {
        return org.awaitility.Awaitility.await(alias).atMost(atMost).pollInterval(Duration.ofMillis(50))
                .failFast("the child JVM died (exit " + (process.isAlive() ? "?" : process.exitValue()) + ")\n"
                        + output(), () -> !process.isAlive());
    }

    /** Waits for a line of output containing {@code text}. */
    public String awaitLine(String text, Duration atMost) {
        await(atMost, "child output contains '" + text + "'").until(() -> output.stream().anyMatch(l -> l.contains(text)));
        return output.stream().filter(l -> l.contains(text)).findFirst().orElseThrow();
    }

    /** Waits for a line without failing fast: for lines printed right before the child exits. */
    public String awaitLineEvenIfDead(String text, Duration atMost) {
        org.awaitility.Awaitility.await("child output contains '" + text + "'").atMost(atMost)
                .pollInterval(Duration.ofMillis(50)).until(() -> output.stream().anyMatch(l -> l.contains(text)));
        return output.stream().filter(l -> l.contains(text)).findFirst().orElseThrow();
    }

    /** Sends one command line to the child's standard input. */
    public void send(String line) {
        try {
            stdin.write(line + "\n");
            stdin.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to the child (dead?)\n" + output(), e);
        }
    }

    /** Waits for the child to exit and returns its exit code. */
    public int awaitExit(Duration atMost) {
        org.awaitility.Awaitility.await("the child exits").atMost(atMost).pollInterval(Duration.ofMillis(50)).until(() -> !process.isAlive());
        return process.exitValue();
    }

    /** Connects over remote JMX, retrying (bounded) while the agent opens its port. */
    public MBeanServerConnection connect() {
        return connect(null);
    }

    public MBeanServerConnection connect(Map<String, ?> environment) {
        JMXConnector[] holder = new JMXConnector[1];
        await(Duration.ofSeconds(30), "JMX answers on " + url()).ignoreExceptions().until(() -> {
            holder[0] = JMXConnectorFactory.connect(new JMXServiceURL(url()), environment);
            return true;
        });
        connectors.add(holder[0]);
        try {
            return holder[0].getMBeanServerConnection();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An MXBean proxy of the bean over remote JMX. */
    public <T> T proxy(Class<T> mxbeanInterface) {
        MBeanServerConnection connection = connect();
        try {
            return JMX.newMXBeanProxy(connection, new ObjectName(OBJECT_NAME), mxbeanInterface, true);
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (JMXConnector connector : connectors) {
            try {
                connector.close();
            } catch (IOException | RuntimeException e) {
                // the child may be gone
            }
        }
        process.destroyForcibly();
        try {
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Lists the regular files in a directory (hidden ones included), sorted. */
    public static List<Path> files(Path dir) {
        try (var stream = Files.list(dir)) {
            return stream.filter(Files::isRegularFile).sorted().collect(java.util.stream.Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The SHA-256 of a file, hex, computed here (not by the code under test), streaming. */
    public static String sha256(Path file) throws IOException {
        java.security.MessageDigest digest;
        try {
            digest = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buffer = new byte[1 << 20];
        try (java.io.InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return java.util.HexFormat.of().formatHex(digest.digest());
    }

    public static final class Builder {
        private String heap = "64m";
        private String gc = "G1";
        private Path javaHome = ChildJvm.javaHome();
        private String agentOptions = "";
        private boolean withPort = true;
        private int port;
        private Path directory;
        private Path workingDirectory;
        private String mainClass = "dev.oomheapdump.it.app.LeakApp";
        private String classPath;
        private final List<String> args = new ArrayList<>();
        private final List<String> jvmArgs = new ArrayList<>();
        private final List<String> prefix = new ArrayList<>();
        private final Map<String, String> environment = new java.util.HashMap<>();

        public Builder heap(String heap) {
            this.heap = heap;
            return this;
        }

        /** G1, Parallel, Serial, Z, Shenandoah. */
        public Builder gc(String gc) {
            this.gc = gc;
            return this;
        }

        public Builder javaHome(Path javaHome) {
            this.javaHome = javaHome;
            return this;
        }

        /** Agent options without port and directory (added from {@link #port} and {@link #directory}); null: no agent. */
        public Builder agent(String options) {
            this.agentOptions = options;
            return this;
        }

        public Builder noPort() {
            this.withPort = false;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder directory(Path directory) {
            this.directory = directory;
            return this;
        }

        public Builder workingDirectory(Path workingDirectory) {
            this.workingDirectory = workingDirectory;
            return this;
        }

        public Builder mainClass(String mainClass) {
            this.mainClass = mainClass;
            return this;
        }

        public Builder classPath(String classPath) {
            this.classPath = classPath;
            return this;
        }

        public Builder args(String... args) {
            this.args.addAll(List.of(args));
            return this;
        }

        public Builder jvmArgs(String... jvmArgs) {
            this.jvmArgs.addAll(List.of(jvmArgs));
            return this;
        }

        /** Words before {@code java} on the command line, e.g. a shell that moves itself into a cgroup first. */
        public Builder commandPrefix(String... words) {
            this.prefix.addAll(List.of(words));
            return this;
        }

        public Builder env(String key, String value) {
            this.environment.put(key, value);
            return this;
        }

        public ChildJvm start() throws IOException {
            return new ChildJvm(this);
        }
    }
}
