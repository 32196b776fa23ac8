package dev.oomheapdump.mbean.cli;

import dev.oomheapdump.core.ProfileEvent;
import dev.oomheapdump.core.ProfileFormat;
import dev.oomheapdump.core.format.JfrFile;
import dev.oomheapdump.core.format.ProfileViews;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code flame FILE.jfr [--event cpu|wall|alloc|lock] OUT}: a flame graph (or collapsed stacks, or pprof, by OUT's
 * extension) of a recording fetched from elsewhere, made by the same converter as the agent's. Without
 * {@code --event}, the event the recording was made for (async-profiler records it; a JDK recording is judged by
 * its samples). OUT is written under a temporary name and renamed, never over an existing file.
 */
final class FlameCommand implements Command {

    static final String USAGE = "usage: flame FILE.jfr [--event cpu|wall|alloc|lock] OUT.html (or OUT.collapsed, OUT.pprof)";

    @Override
    public int run(List<String> args, PrintStream out) throws Exception {
        List<String> files = new ArrayList<>();
        ProfileEvent event = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--event")) {
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException("--event needs one of " + ProfileEvent.names() + "; " + USAGE);
                }
                event = ProfileEvent.parse(args.get(++i));
            } else if (arg.startsWith("--event=")) {
                event = ProfileEvent.parse(arg.substring("--event=".length()));
            } else if (arg.startsWith("-")) {
                throw new IllegalArgumentException("unknown option '" + arg + "'; " + USAGE);
            } else {
                files.add(arg);
            }
        }
        if (files.size() != 2) {
            throw new IllegalArgumentException(USAGE);
        }
        Path jfr = Paths.get(files.get(0));
        Path target = Paths.get(files.get(1));
        if (!Files.isRegularFile(jfr)) {
            throw new IllegalArgumentException("'" + jfr + "' is not a file");
        }
        JfrFile.Check check = JfrFile.check(jfr);
        if (!check.complete()) {
            throw new IllegalArgumentException("'" + jfr + "' is not a complete JFR recording: " + check.reason());
        }
        ProfileFormat format = ProfileFormat.ofFileName(target.getFileName().toString());
        if (format == null || format == ProfileFormat.JFR) {
            throw new IllegalArgumentException("'" + target + "' must end in .html, .collapsed or .pprof");
        }
        if (Files.exists(target)) {
            throw new IllegalArgumentException("'" + target + "' exists: give a new file");
        }
        Path folder = target.toAbsolutePath().getParent();
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("folder '" + folder + "' does not exist");
        }
        if (event == null) {
            event = ProfileViews.recordedEvent(jfr).orElseThrow(() -> new IllegalArgumentException("'" + jfr
                    + "' has no CPU, allocation or lock samples; give --event"));
        }
        Path temp = Files.createTempFile(folder, "." + target.getFileName(), ".part");
        try {
            ProfileViews.write(jfr, event, format, temp, event.label() + ": " + jfr.getFileName());
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        out.println("wrote " + target + " (" + event.label() + ", " + Files.size(target) + " bytes)");
        return 0;
    }
}
