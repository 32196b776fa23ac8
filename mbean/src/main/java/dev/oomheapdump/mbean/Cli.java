package dev.oomheapdump.mbean;

import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.ArtifactStore;
import dev.oomheapdump.core.HprofFile;
import dev.oomheapdump.core.JfrFile;
import org.apache.commons.io.FileUtils;

import javax.management.JMX;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The agent jar's command line: {@code java -jar oom-heapdump-agent.jar <command>}.
 */
public final class Cli {

    static final String USAGE = String.join("\n",
            "oom-heapdump: heap dumps on OutOfMemoryError, heap snapshots and CPU profiles over JMX",
            "",
            "usage: java -jar oom-heapdump-agent.jar <command> [arguments]",
            "",
            "commands:",
            "  demo [--dir DIR] [--wait]     start a child JVM with the agent and a leak, take a heap snapshot and a",
            "                                CPU profile over remote JMX, let it die of an OutOfMemoryError, and show",
            "                                what is on disk (DIR defaults to ./oom-heapdump-demo; --wait pauses",
            "                                before the leak so you can connect JConsole)",
            "  attach PID [OPTIONS]          load the agent into a running JVM (again: change its runtime policy)",
            "  list DIR                      list what the suite left in DIR: kind, size, complete or truncated",
            "  check FILE                    tell whether a .hprof or .jfr file is complete",
            "  fetch URL PATH OUT            copy a listed file from a remote JVM over JMX (URL: host:port or a",
            "                                service:jmx URL), for when JMX is all that reaches it",
            "  --help                        this text",
            "",
            "as an agent: java -javaagent:oom-heapdump-agent.jar=port=9010,OOMImplementation=GC_MONITORING ...",
            "options: heapdumpOnOOM, OOMImplementation, path, addTimestamp, port, limit, threshold, directory");

    private final PrintStream out;

    Cli(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        int code;
        try {
            code = new Cli(System.out).run(args);
        } catch (IllegalArgumentException e) {
            System.err.println("oom-heapdump: " + e.getMessage());
            code = 2;
        } catch (Exception e) {
            System.err.println("oom-heapdump: " + e);
            code = 1;
        }
        System.exit(code);
    }

    int run(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            out.println(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        List<String> rest = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
        switch (args[0]) {
            case "demo":
                return demo(rest);
            case "attach":
                return attach(rest);
            case "list":
                return list(rest);
            case "check":
                return check(rest);
            case "fetch":
                return fetch(rest);
            default:
                throw new IllegalArgumentException("unknown command '" + args[0] + "'; see --help");
        }
    }

    // ---- list and check ----

    private int list(List<String> args) throws IOException {
        if (args.size() != 1) {
            throw new IllegalArgumentException("usage: list DIR");
        }
        Path dir = Paths.get(args.get(0)).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("'" + dir + "' is not a directory");
        }
        List<Artifact> artifacts = new ArtifactStore(dir).list();
        printArtifacts(artifacts);
        return artifacts.stream().allMatch(Artifact::isComplete) ? 0 : 1;
    }

    private void printArtifacts(List<Artifact> artifacts) {
        if (artifacts.isEmpty()) {
            out.println("  (no files made by oom-heapdump)");
        }
        for (Artifact a : artifacts) {
            out.printf(Locale.ROOT, "  %-13s %-10s %9s  %s  %s%s%n", a.kind(), a.state(),
                    FileUtils.byteCountToDisplaySize(a.bytes()), Instant.ofEpochMilli(a.createdMillis()), a.path(),
                    a.detail().isEmpty() ? "" : "  (" + a.detail() + ")");
        }
    }

    private int check(List<String> args) {
        if (args.size() != 1) {
            throw new IllegalArgumentException("usage: check FILE");
        }
        Path file = Paths.get(args.get(0));
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("'" + file + "' is not a file");
        }
        boolean complete;
        String detail;
        if (file.toString().endsWith(".jfr")) {
            JfrFile.Check c = JfrFile.check(file);
            complete = c.complete();
            detail = c.chunks() + " chunk(s)" + (complete ? "" : ", " + c.reason());
        } else {
            HprofFile.Check c = HprofFile.check(file);
            complete = c.complete();
            detail = c.records() + " records" + (complete ? "" : ", " + c.reason());
        }
        out.println((complete ? "COMPLETE " : "TRUNCATED ") + file + " (" + detail + ")");
        return complete ? 0 : 1;
    }

    // ---- attach ----

    private int attach(List<String> args) throws Exception {
        if (args.isEmpty() || args.size() > 2) {
            throw new IllegalArgumentException("usage: attach PID [OPTIONS]");
        }
        Path jar = ownJar();
        Class<?> vmClass;
        try {
            vmClass = Class.forName("com.sun.tools.attach.VirtualMachine");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("this Java has no attach API (module jdk.attach): run the CLI with a JDK");
        }
        Object vm = vmClass.getMethod("attach", String.class).invoke(null, args.get(0));
        try {
            vmClass.getMethod("loadAgent", String.class, String.class).invoke(vm, jar.toString(),
                    args.size() > 1 ? args.get(1) : "");
        } finally {
            vmClass.getMethod("detach").invoke(vm);
        }
        out.println("agent loaded into " + args.get(0) + "; its output shows the result");
        return 0;
    }

    static Path ownJar() throws URISyntaxException {
        return Paths.get(Cli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    // ---- fetch ----

    private int fetch(List<String> args) throws IOException {
        if (args.size() != 3) {
            throw new IllegalArgumentException("usage: fetch URL PATH OUT");
        }
        String url = args.get(0).startsWith("service:jmx:") ? args.get(0)
                : "service:jmx:rmi:///jndi/rmi://" + args.get(0) + "/jmxrmi";
        Path target = Paths.get(args.get(2));
        Path partial = target.resolveSibling(target.getFileName() + ".part");
        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(url))) {
            OomHeapdumpMXBean bean = JMX.newMXBeanProxy(connector.getMBeanServerConnection(),
                    OomHeapdumpBean.objectName(), OomHeapdumpMXBean.class);
            long offset = 0;
            try (OutputStream file = Files.newOutputStream(partial, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                byte[] chunk;
                while ((chunk = bean.readArtifact(args.get(1), offset, 4 << 20)).length > 0) {
                    file.write(chunk);
                    offset += chunk.length;
                }
            }
            Files.move(partial, target);
            out.println("fetched " + offset + " bytes to " + target.toAbsolutePath());
            return 0;
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    // ---- demo ----

    private int demo(List<String> args) throws Exception {
        Path dir = Paths.get("oom-heapdump-demo");
        boolean wait = false;
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--dir") && i + 1 < args.size()) {
                dir = Paths.get(args.get(++i));
            } else if (args.get(i).equals("--wait")) {
                wait = true;
            } else {
                throw new IllegalArgumentException("usage: demo [--dir DIR] [--wait]; not '" + args.get(i) + "'");
            }
        }
        dir = dir.toAbsolutePath().normalize();
        Files.createDirectories(dir);
        int port = freePort();
        Path jar = ownJar();
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        List<String> command = List.of(java.toString(), "-Xmx64m", "-XX:+UseG1GC",
                "-javaagent:" + jar + "=port=" + port + ",directory=" + dir,
                "-cp", jar.toString(), DemoApp.class.getName());
        out.println("== oom-heapdump demo");
        out.println("   files go to " + dir);
        out.println("   starting a child JVM with a 64 MiB heap: " + String.join(" ", command));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            pump(child.getInputStream());
            String url = JmxPort.url(port);
            try (JMXConnector connector = connect(url, child)) {
                OomHeapdumpMXBean bean = JMX.newMXBeanProxy(connector.getMBeanServerConnection(),
                        OomHeapdumpBean.objectName(), OomHeapdumpMXBean.class);
                out.println("== connected to " + url + " (" + bean.getOOMImplementation() + ", directory "
                        + bean.getDirectory() + ")");
                out.println("== createHeapSnapshot(\"demo-snapshot\")");
                out.println("   -> " + bean.createHeapSnapshot("demo-snapshot-" + child.pid()));
                out.println("== createCpuProfile(\"demo-profile\", 2000)");
                out.println("   -> " + bean.createCpuProfile("demo-profile-" + child.pid(), 2000));
                out.println("== attribute HeapSnapshots: " + String.join(", ", bean.getHeapSnapshots()));
                out.println("== attribute CpuProfiles:   " + String.join(", ", bean.getCpuProfiles()));
                if (wait) {
                    out.println("== connect JConsole now:  jconsole -pluginpath "
                            + "jconsole-plugin/target/oom-heapdump-jconsole-plugin.jar 127.0.0.1:" + port);
                    out.println("   press Enter to start the leak");
                    new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                }
            }
            out.println("== telling the child to leak until it runs out of memory");
            try (Writer stdin = new java.io.OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8)) {
                stdin.write("leak\n");
            }
            if (!child.waitFor(3, TimeUnit.MINUTES)) {
                out.println("!! the child did not die within 3 minutes; killing it");
                child.destroyForcibly();
                return 1;
            }
            out.println("== the child exited with code " + child.exitValue());
        } finally {
            child.destroyForcibly();
        }
        List<Artifact> artifacts = new ArtifactStore(dir).list();
        out.println("== files in " + dir + ":");
        printArtifacts(artifacts);
        long pid = child.pid();
        boolean oomDump = artifacts.stream().anyMatch(a -> a.kind() == dev.oomheapdump.core.ArtifactKind.OOM_DUMP
                && a.isComplete() && a.path().getFileName().toString().startsWith("OoM-pid-" + pid));
        boolean snapshot = artifacts.stream().anyMatch(a -> a.isComplete()
                && a.path().getFileName().toString().equals("demo-snapshot-" + pid + ".hprof"));
        boolean profile = artifacts.stream().anyMatch(a -> a.isComplete()
                && a.path().getFileName().toString().equals("demo-profile-" + pid + ".jfr"));
        out.println(oomDump && snapshot && profile
                ? "== OK: the OOM dump, the heap snapshot and the CPU profile are complete"
                : "!! missing or incomplete: " + (oomDump ? "" : "OOM dump ") + (snapshot ? "" : "heap snapshot ")
                + (profile ? "" : "CPU profile"));
        return oomDump && snapshot && profile ? 0 : 1;
    }

    private void pump(InputStream in) {
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    out.println("   child | " + line);
                }
            } catch (IOException e) {
                // the child is gone
            }
        }, "demo-child-output");
        thread.setDaemon(true);
        thread.start();
    }

    private static JMXConnector connect(String url, Process child) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (!child.isAlive()) {
                throw new IOException("the child JVM exited with code " + child.exitValue() + " before JMX answered");
            }
            try {
                return JMXConnectorFactory.connect(new JMXServiceURL(url));
            } catch (IOException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw new IOException("nothing answered on " + url + " within 30 s", last);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
