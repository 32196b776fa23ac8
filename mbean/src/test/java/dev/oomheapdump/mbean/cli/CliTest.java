package dev.oomheapdump.mbean.cli;

import dev.oomheapdump.core.job.HeapDumper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line's exit codes and messages: 0 done, 2 bad usage or input named, 1 anything else. */
class CliTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Cli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void badUsageExitsTwoNamingWhatIsWrong() {
        assertEquals(2, run("frobnicate"));
        assertTrue(err().contains("unknown command 'frobnicate'"), err());
        assertEquals(2, run("analyze"));
        assertTrue(err().contains("usage: analyze FILE"), err());
        assertEquals(2, run("analyze", dir.resolve("missing.hprof").toString()));
        assertTrue(err().contains("missing.hprof' is not a file"), err());
        assertEquals(2, run("analyze", "x.hprof", "--top", "many"));
        assertTrue(err().contains("--top must be a whole number from 1 to 100000, not 'many'"), err());
        assertEquals(2, run("diff", "only-one.hprof"));
        assertTrue(err().contains("usage: diff OLD NEW"), err());
        assertEquals(2, run("analyze", "x.hprof", "--colour"));
        assertTrue(err().contains("unknown option '--colour'"), err());
    }

    @Test
    void aDumpIsExplainedAsTextAndAsJson() throws Exception {
        Path dump = dir.resolve("here.hprof");
        new HeapDumper().dump(dump, true);
        assertEquals(0, run("analyze", dump.toString(), "--top", "3"));
        assertTrue(out().contains("Leak suspects") && out().contains("Classes by retained size"), out());
        out.reset();
        assertEquals(0, run("analyze", dump.toString(), "--json"));
        String json = out().trim();
        assertTrue(json.startsWith("{\"file\":") && json.endsWith("}") && json.contains("\"histogram\":["), json);
        out.reset();
        assertEquals(0, run("diff", dump.toString(), dump.toString(), "--json"));
        assertTrue(out().trim().startsWith("{\"classes\":["), out());
    }

    @Test
    void aDamagedDumpExitsTwoNamingTheOffsetAndPrintsNoStackTrace() throws Exception {
        Path dump = dir.resolve("whole.hprof");
        new HeapDumper().dump(dump, true);
        Path cut = dir.resolve("cut.hprof");
        byte[] bytes = Files.readAllBytes(dump);
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 3));
        assertEquals(2, run("analyze", cut.toString()));
        assertTrue(err().startsWith("oom-heapdump: " + cut + ": ") && err().contains("byte offset"), err());
        assertFalse(err().contains("\tat "), err());
    }

    @Test
    void theProgressBarIsQuietOffATerminalAndForShortWork() {
        ByteArrayOutputStream bar = new ByteArrayOutputStream();
        try (ProgressBar quiet = new ProgressBar(new PrintStream(bar), false)) {
            quiet.update("reading", 0.5);
        }
        try (ProgressBar fast = new ProgressBar(new PrintStream(bar), true)) {
            fast.update("reading", 0.5); // within the first two seconds
        }
        assertEquals("", bar.toString());
        assertEquals("[###############               ]  50%  dominator tree  3 s",
                ProgressBar.line("dominator tree", 0.5, 3).trim());
    }
}
