package dev.oomheapdump.jconsole;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * {@code visualvm-install [--userdir DIR]}: puts the plugin jar, a NetBeans module, into an installed VisualVM
 * without its plugin centre, the way the centre itself leaves a plugin in the user directory: the jar as
 * {@code modules/dev-oomheapdump-visualvm.jar}, the module's status {@code config/Modules/dev-oomheapdump-visualvm.xml}
 * (enabled) and its record {@code update_tracking/dev-oomheapdump-visualvm.xml} (so that Tools, Plugins lists it and
 * can uninstall it). Without {@code --userdir}, the directory VisualVM itself uses by default: its launcher on the
 * PATH names it in its configuration ({@code visualvm_default_userdir}). Installing again replaces the jar. No class of
 * VisualVM is needed here.
 */
final class VisualVmInstall {

    static final String CODE_NAME = "dev.oomheapdump.visualvm";
    static final String FILE_NAME = CODE_NAME.replace('.', '-');
    static final String JAR = "modules/" + FILE_NAME + ".jar";
    static final String STATUS = "config/Modules/" + FILE_NAME + ".xml";
    static final String TRACKING = "update_tracking/" + FILE_NAME + ".xml";
    private static final Pattern DEFAULT_USERDIR = Pattern.compile(
            "^\\s*visualvm_default_userdir\\s*=\\s*\"?([^\"#]*)\"?\\s*(#.*)?$");

    private VisualVmInstall() {
    }

    /** Bad input: the message names it (exit status 2). */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /**
     * Installs {@code pluginJar} into {@code userdir} (made when missing) and says what it did.
     *
     * @param named whether the user named the directory ({@code --userdir}), so that VisualVM must be told it too
     * @return the lines to print
     */
    static List<String> install(Path pluginJar, Path userdir, boolean named, String specificationVersion)
            throws IOException, UsageException {
        if (!Files.isRegularFile(pluginJar)) {
            throw new UsageException("the plugin jar " + pluginJar + " is not a file: run visualvm-install with java -jar "
                    + "oom-heapdump-jconsole-plugin.jar");
        }
        if (Files.exists(userdir) && !Files.isDirectory(userdir)) {
            throw new UsageException("--userdir " + userdir + " is not a directory");
        }
        Path jar = userdir.resolve(JAR);
        Files.createDirectories(jar.getParent());
        Path part = jar.resolveSibling("." + jar.getFileName() + ".part");
        Files.copy(pluginJar, part, StandardCopyOption.REPLACE_EXISTING);
        Files.move(part, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        Path status = write(userdir.resolve(STATUS), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<!DOCTYPE module PUBLIC \"-//NetBeans//DTD Module Status 1.0//EN\"\n"
                + "                        \"http://www.netbeans.org/dtds/module-status-1_0.dtd\">\n"
                + "<module name=\"" + CODE_NAME + "\">\n"
                + "    <param name=\"autoload\">false</param>\n"
                + "    <param name=\"eager\">false</param>\n"
                + "    <param name=\"enabled\">true</param>\n"
                + "    <param name=\"jar\">" + JAR + "</param>\n"
                + "    <param name=\"reloadable\">false</param>\n"
                + "</module>\n");
        write(userdir.resolve(TRACKING), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<module codename=\"" + CODE_NAME + "\">\n"
                + "    <module_version install_time=\"" + System.currentTimeMillis() + "\" last=\"true\" origin=\"installer\""
                + " specification_version=\"" + specificationVersion + "\">\n"
                + "        <file crc=\"" + crc(status) + "\" name=\"" + STATUS + "\"/>\n"
                + "        <file crc=\"" + crc(jar) + "\" name=\"" + JAR + "\"/>\n"
                + "    </module_version>\n"
                + "</module>\n");
        // NetBeans keeps a cache of the modules it found; a newer stamp in the cluster (the user directory) renews it
        Path stamp = userdir.resolve(".lastModified");
        if (!Files.exists(stamp)) {
            Files.createFile(stamp);
        }
        Files.setLastModifiedTime(stamp, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));

        List<String> lines = new ArrayList<>();
        lines.add("Installed the OOM Heapdump tab into VisualVM's user directory " + userdir + " (" + JAR + ", enabled).");
        lines.add("Start VisualVM: visualvm" + (named ? " --userdir " + userdir : "") + " (--openjmx HOST:PORT opens a JVM "
                + "at once); every application view has the OOM Heapdump tab.");
        if (Files.exists(userdir.resolve("lock"))) {
            lines.add("A VisualVM may be running with this user directory: it shows the tab after a restart.");
        }
        return lines;
    }

    private static Path write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Path part = file.resolveSibling("." + file.getFileName() + ".part");
        Files.writeString(part, text, StandardCharsets.UTF_8);
        return Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static long crc(Path file) throws IOException {
        CRC32 crc = new CRC32();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                crc.update(buffer, 0, n);
            }
        }
        return crc.getValue();
    }

    // ---- VisualVM's default user directory -------------------------------------------------------------------

    /**
     * The user directory VisualVM uses when started without {@code --userdir}: {@code visualvm_default_userdir} of
     * the configuration its launcher reads ({@code etc/visualvm.conf} of its installation, then Debian's
     * {@code /etc/visualvm/visualvm.conf}), with {@code ${DEFAULT_USERDIR_ROOT}} as the launcher sets it
     * ({@code ~/.visualvm} on Linux, {@code ~/Library/Application Support/VisualVM} on macOS, {@code %APPDATA%\VisualVM}
     * on Windows) and {@code ${HOME}}.
     *
     * @param launcher the {@code visualvm} launcher (symbolic links resolved), or null when none was found
     * @param extra    further configuration files to read after the installation's, when they exist
     * @return the directory, or empty when no configuration names one
     */
    static Optional<Path> defaultUserdir(Path launcher, List<Path> extra, String osName, Path home, Map<String, String> env)
            throws IOException {
        List<Path> configurations = new ArrayList<>();
        if (launcher != null && launcher.getParent() != null && launcher.getParent().getParent() != null) {
            Path installation = launcher.getParent().getParent();
            configurations.add(installation.resolve("etc").resolve("visualvm.conf"));
            configurations.add(installation.resolve("lib").resolve("visualvm").resolve("etc").resolve("visualvm.conf"));
        }
        configurations.addAll(extra);
        String value = null;
        for (Path configuration : configurations) {
            if (Files.isRegularFile(configuration)) {
                for (String line : Files.readAllLines(configuration, StandardCharsets.ISO_8859_1)) {
                    Matcher m = DEFAULT_USERDIR.matcher(line);
                    if (m.matches() && !m.group(1).isBlank()) {
                        value = m.group(1).trim();
                    }
                }
            }
        }
        if (value == null) {
            return Optional.empty();
        }
        String os = osName.toLowerCase(Locale.ROOT);
        String root = os.startsWith("mac") || os.contains("os x") ? home.resolve("Library").resolve("Application Support")
                .resolve("VisualVM").toString()
                : os.startsWith("windows") ? Paths.get(env.getOrDefault("APPDATA", home.toString()), "VisualVM").toString()
                : home.resolve(".visualvm").toString();
        return Optional.of(Paths.get(value.replace("${DEFAULT_USERDIR_ROOT}", root).replace("${HOME}", home.toString())));
    }

    /** The first {@code visualvm} (or {@code visualvm.exe}) on {@code path}, symbolic links resolved; null if none. */
    static Path launcherOnPath(String path) {
        if (path == null) {
            return null;
        }
        for (String entry : path.split(java.io.File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            for (String name : List.of("visualvm", "visualvm.exe")) {
                Path candidate = Paths.get(entry, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    try {
                        return candidate.toRealPath();
                    } catch (IOException e) {
                        return candidate;
                    }
                }
            }
        }
        return null;
    }

    /** The home the launcher knows: {@code $HOME} (what its script reads), else Java's {@code user.home}. */
    private static Path home() {
        String home = System.getenv("HOME");
        return Paths.get(home == null || home.isBlank() ? System.getProperty("user.home") : home);
    }

    /** This machine's default user directory, or a {@link UsageException} that says how to name one. */
    static Path systemDefaultUserdir() throws IOException, UsageException {
        Path launcher = launcherOnPath(System.getenv("PATH"));
        Optional<Path> userdir = defaultUserdir(launcher, List.of(Paths.get("/etc/visualvm/visualvm.conf")),
                System.getProperty("os.name", ""), home(), System.getenv());
        return userdir.orElseThrow(() -> new UsageException((launcher == null ? "no visualvm launcher on the PATH"
                : "the configuration of " + launcher + " names no visualvm_default_userdir")
                + ": name VisualVM's user directory with --userdir DIR (VisualVM's Help, About shows it)"));
    }
}
