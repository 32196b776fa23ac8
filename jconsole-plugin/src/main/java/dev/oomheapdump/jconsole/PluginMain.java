package dev.oomheapdump.jconsole;

import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * {@code java -jar oom-heapdump-jconsole-plugin.jar visualvm-install [--userdir DIR]}: the plugin jar's one command.
 * Exit status 0 on success, 2 for bad usage or input (the message names it), 1 for anything else.
 */
public final class PluginMain {

    static final String USAGE = "usage: java -jar oom-heapdump-jconsole-plugin.jar visualvm-install [--userdir DIR]\n"
            + "  puts the OOM Heapdump tab into an installed VisualVM (2.1 or later); DIR is VisualVM's user directory,\n"
            + "  by default the one VisualVM itself uses. JConsole needs no install:\n"
            + "  jconsole -pluginpath oom-heapdump-jconsole-plugin.jar HOST:PORT";

    private PluginMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            if (args.length == 0 || !"visualvm-install".equals(args[0])) {
                throw new VisualVmInstall.UsageException(args.length == 0 ? "no command"
                        : "unknown command '" + args[0] + "'");
            }
            Path userdir = null;
            for (int i = 1; i < args.length; i++) {
                if ("--userdir".equals(args[i]) && i + 1 < args.length && !args[i + 1].isBlank()) {
                    userdir = Paths.get(args[++i]).toAbsolutePath().normalize();
                } else if ("--userdir".equals(args[i])) {
                    throw new VisualVmInstall.UsageException("--userdir needs a directory");
                } else {
                    throw new VisualVmInstall.UsageException("unknown option '" + args[i] + "'");
                }
            }
            boolean named = userdir != null;
            if (!named) {
                userdir = VisualVmInstall.systemDefaultUserdir();
            }
            List<String> lines = VisualVmInstall.install(thisJar(), userdir, named, specificationVersion());
            lines.forEach(out::println);
            return 0;
        } catch (VisualVmInstall.UsageException e) {
            err.println("visualvm-install: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (Exception e) {
            err.println("visualvm-install failed: " + Errors.message(e));
            return 1;
        }
    }

    /** The jar this class was loaded from. */
    private static Path thisJar() throws URISyntaxException {
        return Paths.get(PluginMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** The module's version, from the jar's manifest ({@code OpenIDE-Module-Specification-Version}). */
    private static String specificationVersion() {
        try (var jar = new java.util.jar.JarFile(thisJar().toFile())) {
            String version = jar.getManifest() == null ? null
                    : jar.getManifest().getMainAttributes().getValue("OpenIDE-Module-Specification-Version");
            return version == null ? "0" : version;
        } catch (Exception e) {
            return "0";
        }
    }
}
