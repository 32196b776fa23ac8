package dev.oomheapdump.mbean.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent jar's command line: {@code java -jar oom-heapdump-agent.jar <command>}. Exit codes: 0 success,
 * 2 bad usage or input (the message names it), 1 anything else; never a bare exception class as the only message.
 */
public final class Cli {

    static final String USAGE = String.join("\n",
            "oom-heapdump: heap dumps on OutOfMemoryError, heap snapshots and profiles over JMX",
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
            "  check FILE                    tell whether a .hprof, .hprof.gz or .jfr file is complete",
            "  fetch [--user U --password-file F] [--ssl] [--limit-rate RATE] TARGET NAME OUT",
            "                                copy a listed complete file from a remote JVM over JMX (TARGET: host:port",
            "                                or a service:jmx URL; OUT: a new file or a folder): several reads at once,",
            "                                resumed from OUT.part after a stop, verified by SHA-256; the password is",
            "                                the first line of F or $JMX_PASSWORD, never on the command line",
            "  analyze FILE [--top N] [--json]",
            "                                what filled the heap (.hprof or .hprof.gz): totals, leak suspects with",
            "                                their paths from GC roots, the classes that retain the most",
            "  diff OLD NEW [MORE...] [--top N] [--json]",
            "                                what grew between dumps of one JVM (oldest first)",
            "  flame FILE.jfr [--event cpu|wall|alloc|lock] OUT.html",
            "                                a flame graph of a profile fetched from elsewhere (OUT.collapsed and",
            "                                OUT.pprof too); the event defaults to the one the profile recorded",
            "  ship --to s3://bucket/prefix [--endpoint URL] FILE...",
            "                                upload files to S3-compatible object storage (gzip on the way, SHA-256 in",
            "                                the object's metadata; credentials from AWS_* or the AWS profile only)",
            "  ship --watch DIR --to s3://bucket/prefix [--endpoint URL]",
            "                                sidecar: ship every heap dump, report and profile that lands in DIR once",
            "                                it is complete, until killed",
            "  --help                        this text",
            "",
            "as an agent: java -javaagent:oom-heapdump-agent.jar=port=9010,OOMImplementation=GC_MONITORING ...",
            "options: " + String.join(", ", dev.oomheapdump.core.OomPolicy.KEYS));

    private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("demo", new DemoCommand());
        COMMANDS.put("attach", new AttachCommand());
        COMMANDS.put("list", new ListCommand());
        COMMANDS.put("check", new CheckCommand());
        COMMANDS.put("fetch", new FetchCommand());
        COMMANDS.put("analyze", new AnalyzeCommand());
        COMMANDS.put("diff", new DiffCommand());
        COMMANDS.put("flame", new FlameCommand());
        COMMANDS.put("ship", new ShipCommand());
    }

    private Cli() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
                out.println(USAGE);
                return args.length == 0 ? 2 : 0;
            }
            Command command = COMMANDS.get(args[0]);
            if (command == null) {
                throw new IllegalArgumentException("unknown command '" + args[0] + "'; see --help");
            }
            return command.run(List.copyOf(Arrays.asList(args).subList(1, args.length)), out);
        } catch (Exception | OutOfMemoryError | StackOverflowError | NoClassDefFoundError e) {
            Failures.Failure failure = Failures.of(e);
            err.println("oom-heapdump: " + failure.line());
            return failure.exitCode();
        }
    }
}
