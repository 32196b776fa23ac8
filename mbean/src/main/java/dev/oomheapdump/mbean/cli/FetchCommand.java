package dev.oomheapdump.mbean.cli;

import dev.oomheapdump.core.Sizes;
import dev.oomheapdump.core.transfer.Fetch;
import dev.oomheapdump.core.transfer.FetchListener;
import dev.oomheapdump.core.transfer.FetchProgress;
import dev.oomheapdump.core.transfer.FetchResult;
import dev.oomheapdump.core.transfer.SourceFile;
import dev.oomheapdump.mbean.JmxAddress;
import dev.oomheapdump.mbean.client.JmxArtifactSource;

import javax.management.remote.JMXConnector;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code fetch [--user U --password-file F] [--ssl] [--limit-rate RATE] TARGET NAME OUT}: brings a listed complete
 * file of a remote JVM home over JMX alone, with the engine of {@code core.transfer} (several reads in flight,
 * {@code OUT.part} resumed after a stop, SHA-256 verified). The password comes from a file or the
 * {@code JMX_PASSWORD} environment variable, never from the command line.
 */
final class FetchCommand implements Command {

    static final String USAGE = "usage: fetch [--user U --password-file F] [--ssl] [--limit-rate RATE] TARGET NAME OUT";
    static final String PASSWORD_VARIABLE = "JMX_PASSWORD";

    private final Function<String, String> environment;

    FetchCommand() {
        this(System::getenv);
    }

    /** With another environment, for tests. */
    FetchCommand(Function<String, String> environment) {
        this.environment = environment;
    }

    /** What the command line says. */
    record Options(String user, Path passwordFile, boolean ssl, long bytesPerSecond, String target, String name,
                   Path out) {
    }

    @Override
    public int run(List<String> args, PrintStream out) throws Exception {
        Options options = parse(args);
        String password = password(options);
        Fetch.target(options.out(), null); // an existing file or a missing folder: refused before connecting
        String url = JmxAddress.of(options.target());
        try (JMXConnector connector = JmxConnect.open(url, options.target(), options.user(), password, options.ssl());
             ProgressBar bar = ProgressBar.forConsole()) {
            JmxArtifactSource source = new JmxArtifactSource(connector.getMBeanServerConnection(), options.name());
            Fetch fetch = new Fetch(options.out(), options.bytesPerSecond(), new FetchListener() {
                @Override
                public void started(SourceFile file, Path target, long resumedFrom, String note) {
                    if (!note.isEmpty()) {
                        out.println(note);
                    }
                    out.println("fetching " + file.fileName() + " (" + file.bytes() + " bytes) from "
                            + options.target() + " to " + target);
                }

                @Override
                public void progress(FetchProgress progress) {
                    bar.show(progress.describe(), progress.fraction());
                }
            });
            FetchResult result;
            try {
                result = fetch.run(source);
            } catch (SecurityException e) {
                throw new IllegalArgumentException((options.user() == null ? "" : "user '" + options.user() + "': ")
                        + e.getMessage());
            }
            bar.close();
            out.println("fetched " + result.summary());
            return 0;
        }
    }

    static Options parse(List<String> args) {
        String user = null;
        Path passwordFile = null;
        boolean ssl = false;
        long rate = 0;
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String name = arg.contains("=") && arg.startsWith("--") ? arg.substring(0, arg.indexOf('=')) : arg;
            String inline = name.equals(arg) ? null : arg.substring(arg.indexOf('=') + 1);
            switch (name) {
                case "--password":
                case "-p":
                    throw new IllegalArgumentException(name + " is refused: a password on the command line is seen by "
                            + "every user of this host (ps, shell history); put it in a file (--password-file F, its "
                            + "first line) or in the " + PASSWORD_VARIABLE + " environment variable");
                case "--user":
                    user = value(args, i, name, inline);
                    i += inline == null ? 1 : 0;
                    break;
                case "--password-file":
                    passwordFile = Paths.get(value(args, i, name, inline));
                    i += inline == null ? 1 : 0;
                    break;
                case "--limit-rate":
                    String text = value(args, i, name, inline);
                    i += inline == null ? 1 : 0;
                    rate = Sizes.parse("--limit-rate", text);
                    if (rate < 1024) {
                        throw new IllegalArgumentException("--limit-rate must be at least 1k (bytes per second, "
                                + "such as 500k or 20m), not '" + text + "'");
                    }
                    break;
                case "--ssl":
                    if (inline != null) {
                        throw new IllegalArgumentException("--ssl takes no value; set the trust store with "
                                + "java -Djavax.net.ssl.trustStore=FILE");
                    }
                    ssl = true;
                    break;
                default:
                    if (arg.startsWith("-") && arg.length() > 1) {
                        throw new IllegalArgumentException("unknown option '" + arg + "'; " + USAGE);
                    }
                    positional.add(arg);
            }
        }
        if (positional.size() != 3) {
            throw new IllegalArgumentException(USAGE);
        }
        if (passwordFile != null && user == null) {
            throw new IllegalArgumentException("--password-file needs --user U");
        }
        if (positional.get(1).isBlank()) {
            throw new IllegalArgumentException("NAME is empty: give a listed file's name or absolute path");
        }
        String out = positional.get(2);
        if ((out.endsWith("/") || out.endsWith(java.io.File.separator)) && !Files.isDirectory(Paths.get(out))) {
            throw new IllegalArgumentException("the folder '" + out + "' does not exist");
        }
        return new Options(user, passwordFile, ssl, rate, positional.get(0), positional.get(1),
                Paths.get(positional.get(2)));
    }

    private static String value(List<String> args, int i, String name, String inline) {
        if (inline != null) {
            if (inline.isEmpty()) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            return inline;
        }
        if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return args.get(i + 1);
    }

    /** The password for {@code --user}: the first line of the file, else the environment variable. */
    String password(Options options) {
        if (options.user() == null) {
            return null;
        }
        if (options.passwordFile() != null) {
            Path file = options.passwordFile();
            String first;
            try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                first = reader.readLine();
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the password file '" + file + "': "
                        + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()));
            }
            if (first == null || first.isEmpty()) {
                throw new IllegalArgumentException("the password file '" + file + "' is empty: the password is its "
                        + "first line");
            }
            warnIfReadableByOthers(file);
            return first;
        }
        String fromEnvironment = environment.apply(PASSWORD_VARIABLE);
        if (fromEnvironment == null || fromEnvironment.isEmpty()) {
            throw new IllegalArgumentException("--user " + options.user() + " needs a password: --password-file F "
                    + "(its first line) or the " + PASSWORD_VARIABLE + " environment variable");
        }
        return fromEnvironment;
    }

    private static void warnIfReadableByOthers(Path file) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.contains(PosixFilePermission.GROUP_READ) || permissions.contains(PosixFilePermission.OTHERS_READ)) {
                System.err.println("oom-heapdump: warning: the password file '" + file + "' is readable by other users "
                        + "(chmod 600 it)");
            }
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system: nothing to say
        }
    }
}
