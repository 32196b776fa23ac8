package dev.oomheapdump.core.job;

import dev.oomheapdump.core.ProfileEvent;
import dev.oomheapdump.core.format.ProfileViews;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Profiles with async-profiler, loaded into this JVM only when the first profile starts. Its jar (Java API and the
 * native libraries for linux-x64, linux-arm64 and macOS) lies nested in ours, never on the host's class path: it is
 * put in a module layer of its own, so the host never sees {@code one.profiler} classes, and on JDK 22+ that module
 * alone gets native access, so loading its library prints no JNI warning into the host's output. Its own messages go
 * to a log file of ours, never to the host's output. The library is written to a private temporary file, loaded, and
 * deleted; where the temporary folder forbids running code ({@code noexec}) the scratch folder is tried.
 */
final class AsyncProfilerEngine {

    /** Why async-profiler cannot record this profile here; the words follow "async-profiler". */
    static final class CannotStart extends Exception {
        private static final long serialVersionUID = 1L;

        CannotStart(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static final String NESTED_JAR = "async-profiler.jar";
    private static final String MODULE = "async.profiler";
    /** Bytes allocated per allocation sample. */
    static final String ALLOC_INTERVAL = "2m";
    private static final String GRANT_MODULE = "oom.heapdump.nativeaccess";
    private static final String GRANT_CLASS = "dev.oomheapdump.core.job.access.NativeAccessGrant";
    private static volatile Instrumentation instrumentation;

    private final Path scratch;
    private Method execute;
    private Object instance;
    private String unavailable;

    AsyncProfilerEngine(Path scratch) {
        this.scratch = scratch;
    }

    /** The agent's instrumentation: lets async-profiler load on JDK 22+ without a JDK warning. */
    static void useInstrumentation(Instrumentation value) {
        instrumentation = value;
    }

    /** async-profiler's folder in its jar for this OS and CPU, as its own loader names it; empty where it has none. */
    static Optional<String> platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (os.contains("linux")) {
            if (arch.equals("amd64") || arch.equals("x86_64")) {
                return Optional.of("linux-x64");
            }
            if (arch.equals("aarch64") || arch.equals("arm64")) {
                return Optional.of("linux-arm64");
            }
        } else if (os.contains("mac")) {
            return Optional.of("macos");
        }
        return Optional.empty();
    }

    /** Why async-profiler cannot run here, once known (no library for this platform, a failed load). */
    synchronized Optional<String> unavailable() {
        if (unavailable == null && platform().isEmpty()) {
            return Optional.of("has no library for " + System.getProperty("os.name") + " on " + System.getProperty("os.arch"));
        }
        return unavailable == null ? nativeAccessProblem() : Optional.of(unavailable);
    }

    /** True when this code may call restricted methods without a JDK warning (JDK 22+ only; false before). */
    private static boolean ownNativeAccess() {
        if (Runtime.version().feature() < 22) {
            return false;
        }
        try {
            return (boolean) Module.class.getMethod("isNativeAccessEnabled").invoke(AsyncProfilerEngine.class.getModule());
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Why loading the library would make the JDK print a warning into the host's output: JDK 22+ without native access
     * for our code and without the agent's instrumentation to grant it; empty otherwise.
     */
    private static Optional<String> nativeAccessProblem() {
        if (Runtime.version().feature() < 22 || ownNativeAccess() || instrumentation != null) {
            return Optional.empty();
        }
        return Optional.of("needs native access on JDK " + Runtime.version().feature() + " and would make the JDK print "
                + "a warning: load oom-heapdump as an agent, or start the JVM with --enable-native-access=ALL-UNNAMED");
    }

    /**
     * Records {@code event} into {@code file} (a JFR recording) for {@code duration}, or less when the ticket is
     * preempted by an OOM dump.
     *
     * @throws CannotStart when the library cannot load here or the profile cannot start; nothing was written
     */
    synchronized Profiler.Recorded record(Path file, ProfileEvent event, Duration duration, JobGuard.Ticket ticket)
            throws CannotStart, IOException, InterruptedException {
        load();
        Path log;
        try {
            log = Files.createTempFile("oom-heapdump-async-profiler-", ".log");
        } catch (IOException e) {
            throw new CannotStart("cannot write its log in the temporary folder: " + e, e);
        }
        try {
            for (Path path : List.of(file, log)) {
                if (path.toString().contains(",") || path.toString().contains("%")) {
                    throw new CannotStart("cannot write to " + path + ": its options take no ',' or '%' in a path", null);
                }
            }
            try {
                execute("start,event=" + event.id() + interval(event) + ",file=" + file + ",jfr,log=" + log);
            } catch (IllegalStateException e) {
                throw new CannotStart("could not start a " + event.id() + " profile: " + e.getMessage() + warnings(log), e);
            }
            boolean early;
            try {
                early = ticket.awaitPreemption(duration);
            } finally {
                try {
                    execute("stop");
                } catch (IllegalStateException e) {
                    throw new IOException("async-profiler could not stop: " + e.getMessage() + warnings(log), e);
                }
            }
            // which sampler took CPU samples is in the recording's settings; the other events have one sampler each
            String sampler = event == ProfileEvent.CPU ? ProfileViews.settings(file).getOrDefault("engine", "cpu") : event.id();
            Optional<String> fallback = Optional.empty();
            if (event == ProfileEvent.CPU && !sampler.equals("perf_events")) {
                fallback = Optional.of("perf events are not allowed here" + paranoid() + ": async-profiler samples CPU "
                        + "with " + sampler + " instead (Java and native frames, no kernel frames)" + warnings(log));
            }
            return new Profiler.Recorded(Profiler.Engine.ASYNC_PROFILER, sampler, early, fallback);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /**
     * The sampling interval where async-profiler's own would cost too much: it samples allocations at every new TLAB
     * (thousands a second in a busy service, several per cent of its CPU); one sample per {@link #ALLOC_INTERVAL}
     * bytes allocated keeps a 30 s profile of a service allocating 100 MB/s at about 1500 samples.
     */
    private static String interval(ProfileEvent event) {
        return event == ProfileEvent.ALLOC ? ",alloc=" + ALLOC_INTERVAL : "";
    }

    private static String paranoid() {
        try {
            return " (kernel.perf_event_paranoid=" + Files.readString(Path.of("/proc/sys/kernel/perf_event_paranoid")).trim() + ")";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** The warnings async-profiler logged, as a sentence to append; empty when none. */
    private static String warnings(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                    .filter(l -> l.startsWith("[WARN]") || l.startsWith("[ERROR]")).limit(3).collect(Collectors.toList());
            return lines.isEmpty() ? "" : " (async-profiler: " + String.join("; ", lines) + ")";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private String execute(String command) throws CannotStart {
        try {
            return String.valueOf(execute.invoke(instance, command));
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw new IllegalStateException(cause.getMessage() == null ? cause.toString() : cause.getMessage(), cause);
        } catch (IllegalAccessException e) {
            throw new CannotStart("cannot be called: " + e, e);
        }
    }

    /** Loads the library once; a failure is remembered and named by every later profile. */
    private void load() throws CannotStart {
        if (instance != null) {
            return;
        }
        Optional<String> reason = unavailable();
        if (reason.isPresent()) {
            throw new CannotStart(reason.get(), null);
        }
        try {
            loadNow(platform().orElseThrow());
        } catch (CannotStart e) {
            unavailable = e.getMessage();
            throw e;
        } catch (IOException | RuntimeException | LinkageError e) {
            unavailable = "could not load: " + e;
            throw new CannotStart(unavailable, e);
        }
    }

    private void loadNow(String platform) throws IOException, CannotStart {
        byte[] jar;
        try (InputStream in = AsyncProfilerEngine.class.getResourceAsStream(NESTED_JAR)) {
            if (in == null) {
                throw new CannotStart("is not part of this build (" + NESTED_JAR + " is missing)", null);
            }
            jar = in.readAllBytes();
        }
        List<String> failures = new ArrayList<>();
        List<Path> folders = new ArrayList<>(List.of(Path.of(System.getProperty("java.io.tmpdir"))));
        if (scratch != null) {
            folders.add(scratch);
        }
        for (Path folder : folders) {
            Path dir = null;
            try {
                dir = privateFolder(folder);
                Path jarFile = Files.write(dir.resolve(NESTED_JAR), jar);
                Path library = dir.resolve("libasyncProfiler.so");
                try (java.util.jar.JarFile opened = new java.util.jar.JarFile(jarFile.toFile())) {
                    java.util.jar.JarEntry entry = opened.getJarEntry(platform + "/libasyncProfiler.so");
                    if (entry == null) {
                        throw new CannotStart("has no library for " + platform + " in " + NESTED_JAR, null);
                    }
                    try (InputStream in = opened.getInputStream(entry)) {
                        Files.copy(in, library);
                    }
                }
                Class<?> api = isolatedApi(dir, jarFile);
                instance = api.getMethod("getInstance", String.class).invoke(null, library.toString());
                execute = api.getMethod("execute", String.class);
                return;
            } catch (InvocationTargetException e) {
                failures.add(folder + ": " + reason(e.getCause()));
            } catch (ReflectiveOperationException | IOException | RuntimeException e) {
                failures.add(folder + ": " + reason(e));
            } finally {
                deleteQuietly(dir);
            }
        }
        throw new CannotStart("could not load its library (" + String.join("; ", failures) + ")", null);
    }

    /** Why a load failed, short: the linker's words without the library's path it repeats. */
    private static String reason(Throwable e) {
        String message = String.valueOf(e.getMessage());
        if (e instanceof UnsatisfiedLinkError) {
            String words = message.substring(message.lastIndexOf(": ") + 2);
            return words + (words.contains("failed to map segment") ? " (the folder is mounted noexec)" : "");
        }
        return e.toString();
    }

    /**
     * The API class, in a module layer of its own whose parent is the platform loader: invisible to the host. On JDK
     * 22+ its module gets native access first, without which loading the library prints a JDK warning: through
     * {@code ModuleLayer.Controller} when our own code has native access, else through the agent's instrumentation
     * (see {@link dev.oomheapdump.core.job.access.NativeAccessGrant}); with neither, async-profiler is not used.
     */
    private static Class<?> isolatedApi(Path dir, Path jarFile) throws ReflectiveOperationException, IOException,
            CannotStart {
        boolean nativeAccessAsked = Runtime.version().feature() >= 22;
        boolean ownAccess = ownNativeAccess();
        Instrumentation instrumentation = AsyncProfilerEngine.instrumentation;
        Optional<String> noAccess = nativeAccessProblem();
        if (noAccess.isPresent()) {
            throw new CannotStart(noAccess.get(), null);
        }
        Set<String> roots = Set.of(MODULE);
        ModuleFinder finder = ModuleFinder.of(jarFile);
        if (nativeAccessAsked && !ownAccess) {
            finder = ModuleFinder.of(jarFile, grantJar(dir));
            roots = Set.of(MODULE, GRANT_MODULE);
        }
        Configuration configuration = ModuleLayer.boot().configuration().resolve(finder, ModuleFinder.of(), roots);
        ModuleLayer.Controller controller = ModuleLayer.defineModulesWithOneLoader(configuration,
                List.of(ModuleLayer.boot()), ClassLoader.getPlatformClassLoader());
        Module module = controller.layer().findModule(MODULE).orElseThrow();
        if (ownAccess) {
            ModuleLayer.Controller.class.getMethod("enableNativeAccess", Module.class).invoke(controller, module);
        } else if (nativeAccessAsked) {
            Module grant = controller.layer().findModule(GRANT_MODULE).orElseThrow();
            instrumentation.redefineModule(Object.class.getModule(), Set.of(), Map.of(),
                    Map.of("java.lang", Set.of(grant)), Set.of(), Map.of());
            Class.forName(grant, GRANT_CLASS).getMethod("grant", Module.class).invoke(null, module);
        }
        Class<?> api = Class.forName(module, "one.profiler.AsyncProfiler");
        if (api == null) {
            throw new ClassNotFoundException("one.profiler.AsyncProfiler in " + MODULE);
        }
        // the jar file is deleted once loaded: take every class of the API now, while it is there
        Class.forName(module, "one.profiler.AsyncProfilerMXBean");
        return api;
    }

    /** A jar holding only {@code NativeAccessGrant}: an automatic module of its own. */
    private static Path grantJar(Path dir) throws IOException {
        String entry = GRANT_CLASS.replace('.', '/') + ".class";
        Path jar = dir.resolve(GRANT_MODULE.replace('.', '-') + ".jar");
        try (InputStream in = AsyncProfilerEngine.class.getClassLoader().getResourceAsStream(entry);
             java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
            if (in == null) {
                throw new IOException(entry + " is missing from this build");
            }
            out.putNextEntry(new java.util.jar.JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
        return jar;
    }

    private static Path privateFolder(Path parent) throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return Files.createTempDirectory(parent, ".oom-heapdump-async-profiler-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        return Files.createTempDirectory(parent, ".oom-heapdump-async-profiler-");
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(dir);
        } catch (IOException | RuntimeException e) {
            // a private temporary folder left behind; nothing of the host's
        }
    }
}
