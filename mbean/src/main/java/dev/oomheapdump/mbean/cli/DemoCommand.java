package dev.oomheapdump.mbean.cli;

import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.ArtifactKind;
import dev.oomheapdump.core.Daemons;
import dev.oomheapdump.core.OomPolicy;
import dev.oomheapdump.core.Sizes;
import dev.oomheapdump.core.analysis.AnalysisProgress;
import dev.oomheapdump.core.analysis.HeapAnalyzer;
import dev.oomheapdump.core.analysis.HeapReport;
import dev.oomheapdump.core.store.ArtifactStore;
import dev.oomheapdump.mbean.JmxAddress;
import dev.oomheapdump.mbean.OomHeapdumpMXBean;

import javax.management.JMX;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code demo [--dir DIR] [--wait] [--options key=value,...]}: a child JVM with the agent and a leak; a heap snapshot
 * and a CPU profile over remote JMX; then the leak until the child dies of an OutOfMemoryError; then, with option
 * {@code ship} among the options, the OOM dump's arrival in object storage; then what is on disk.
 */
final class DemoCommand implements Command {

    @Override
    public int run(List<String> args, PrintStream out) throws Exception {
        Path dir = Paths.get("oom-heapdump-demo");
        boolean wait = false;
        String options = "";
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--dir") && i + 1 < args.size()) {
                dir = Paths.get(args.get(++i));
            } else if (args.get(i).equals("--wait")) {
                wait = true;
            } else if (args.get(i).equals("--options") && i + 1 < args.size()) {
                options = args.get(++i).trim();
            } else {
                throw new IllegalArgumentException("usage: demo [--dir DIR] [--wait] [--options key=value,...]; not '"
                        + args.get(i) + "'");
            }
        }
        dir = dir.toAbsolutePath().normalize();
        for (String own : List.of("port", "directory")) {
            if (OomPolicy.parseArguments(options).containsKey(own)) {
                throw new IllegalArgumentException("demo --options: '" + own + "' is the demo's own"
                        + (own.equals("directory") ? " (use --dir)" : ""));
            }
        }
        int port = freePort();
        String agentOptions = "port=" + port + ",directory=" + dir + (options.isEmpty() ? "" : "," + options);
        OomPolicy policy = OomPolicy.parse(agentOptions); // a bad option is refused here, naming it, before any JVM
        Files.createDirectories(dir);
        Path jar = AttachCommand.ownJar();
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        List<String> command = List.of(java.toString(), "-Xmx64m", "-XX:+UseG1GC",
                "-javaagent:" + jar + "=" + agentOptions, "-cp", jar.toString(), DemoApp.class.getName());
        out.println("== oom-heapdump demo");
        out.println("   files go to " + dir);
        out.println("   starting a child JVM with a 64 MiB heap: " + String.join(" ", command));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            pump(child.getInputStream(), out);
            String url = JmxAddress.loopback(port);
            try (JMXConnector connector = connect(url, child)) {
                OomHeapdumpMXBean bean = JMX.newMXBeanProxy(connector.getMBeanServerConnection(),
                        new ObjectName(OomHeapdumpMXBean.OBJECT_NAME), OomHeapdumpMXBean.class);
                out.println("== connected to " + url + " (" + bean.getOOMImplementation() + ", directory "
                        + bean.getDirectory() + ")");
                out.println("== createHeapSnapshot(\"demo-snapshot\")");
                out.println("   -> " + bean.createHeapSnapshot("demo-snapshot-" + child.pid()));
                out.println("== createCpuProfile(\"demo-profile\", 2000)");
                String profile = bean.createCpuProfile("demo-profile-" + child.pid(), 2000);
                out.println("   -> " + profile);
                out.println("   flame graph beside it (open it in a browser): " + profile.replaceFirst("\\.jfr$", ".html")
                        + " (engine " + bean.getProfilerEngine() + ")");
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
        boolean shipped = policy.ship().isEmpty() || awaitShipped(dir, child.pid(), policy.ship(), out);
        List<Artifact> artifacts = new ArtifactStore(dir).list();
        out.println("== files in " + dir + ":");
        Listing.print(artifacts, out);
        long pid = child.pid();
        boolean oomDump = artifacts.stream().anyMatch(a -> a.kind() == ArtifactKind.OOM_DUMP
                && a.isComplete() && a.path().getFileName().toString().startsWith("OoM-pid-" + pid));
        boolean snapshot = artifacts.stream().anyMatch(a -> a.isComplete()
                && a.path().getFileName().toString().equals("demo-snapshot-" + pid + ".hprof"));
        boolean profile = artifacts.stream().filter(a -> a.isComplete() && a.path().getFileName().toString()
                .matches("demo-profile-" + pid + "\\.(jfr|html)")).count() == 2;
        out.println(oomDump && snapshot && profile
                ? "== OK: the OOM dump, the heap snapshot, the CPU profile and its flame graph are complete"
                : "!! missing or incomplete: " + (oomDump ? "" : "OOM dump ") + (snapshot ? "" : "heap snapshot ")
                + (profile ? "" : "CPU profile or its flame graph"));
        Optional<Artifact> dump = artifacts.stream().filter(a -> a.kind() == ArtifactKind.OOM_DUMP && a.isComplete())
                .findFirst();
        boolean explained = dump.isPresent() && explain(dump.get().path(), out);
        return oomDump && snapshot && profile && explained && shipped ? 0 : 1;
    }

    /**
     * Waits for the uploader the dying JVM started to ship its OOM dump (its record in the index), or to say why it
     * did not (its log), for at most {@link #SHIP_WAIT_SECONDS}.
     */
    private static boolean awaitShipped(Path dir, long pid, String to, PrintStream out)
            throws IOException, InterruptedException {
        out.println("== the dying JVM's uploader ships its OOM dump to " + to);
        ArtifactStore store = new ArtifactStore(dir);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SHIP_WAIT_SECONDS);
        while (System.nanoTime() < deadline) {
            store.refresh();
            Optional<Artifact> dump = store.list().stream().filter(a -> a.kind() == ArtifactKind.OOM_DUMP
                    && a.path().getFileName().toString().startsWith("OoM-pid-" + pid)).findFirst();
            if (dump.isPresent() && dump.get().shipped()) {
                out.println("   shipped " + dump.get().path().getFileName() + " to " + dump.get().shippedTo());
                return true;
            }
            Optional<String> refused = dump.flatMap(d -> dev.oomheapdump.core.job.UploaderProcess.notShippedBecause(d.path()));
            if (refused.isPresent()) {
                out.println("!! not shipped " + dump.get().path().getFileName() + ": " + refused.get());
                return false;
            }
            Thread.sleep(250);
        }
        out.println("!! not shipped within " + SHIP_WAIT_SECONDS + " s; the uploader's log is in " + dir + " ("
                + dev.oomheapdump.core.job.UploaderProcess.LOG_PREFIX + "*.log)");
        return false;
    }

    private static final long SHIP_WAIT_SECONDS = 180;


    /** What filled the heap of the OOM dump: its top suspect, as {@code analyze} finds it (in this process). */
    private static boolean explain(Path dump, PrintStream out) throws IOException {
        out.println("== what filled the heap: java -jar oom-heapdump-agent.jar analyze " + dump);
        HeapReport report = HeapAnalyzer.analyze(dump, HeapAnalyzer.Options.defaults().withSuspects(1),
                AnalysisProgress.NONE);
        if (report.suspects().isEmpty()) {
            out.println("!! no leak suspect found");
            return false;
        }
        HeapReport.Suspect top = report.suspects().get(0);
        out.printf(Locale.ROOT, "   top suspect: %s retains %s, %.1f%% of the reachable heap%n", top.className(),
                Sizes.human(top.retainedBytes()), top.retainedPercent());
        out.println("   held by:     " + String.join(" -> ", top.path()));
        return true;
    }

    private static void pump(InputStream in, PrintStream out) {
        Daemons.start("demo-child-output", () -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    out.println("   child | " + line);
                }
            } catch (IOException e) {
                // the child is gone
            }
        });
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

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
