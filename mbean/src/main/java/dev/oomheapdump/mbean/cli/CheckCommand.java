package dev.oomheapdump.mbean.cli;

import dev.oomheapdump.core.format.HprofFile;
import dev.oomheapdump.core.format.JfrFile;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/** {@code check FILE}: whether a {@code .hprof}, {@code .hprof.gz} (to its last gzip trailer) or {@code .jfr} file is complete; exit 1 when not. */
final class CheckCommand implements Command {

    @Override
    public int run(List<String> args, PrintStream out) {
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
}
