package dev.oomheapdump.mbean;

import dev.oomheapdump.core.OomEvent;
import dev.oomheapdump.core.OomEvents;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The agent's own lines in the application's output: one per OOM dump written, and the hook's state for the disk. */
class OutputLinesTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final OutputLines lines = new OutputLines(new PrintStream(bytes, true, StandardCharsets.UTF_8));

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void anOomDumpWrittenIsOneLineWithWhereAndHowBig() {
        lines.accept(new OomEvent(OomEvent.OOM_DUMP_CREATED, "OOM dump written: /srv/d/OoM-pid-7.hprof.gz",
                OomEvents.map("path", "/srv/d/OoM-pid-7.hprof.gz", "kind", "OOM_DUMP", "bytes", "851759104",
                        "state", "COMPLETE")));
        assertEquals("oom-heapdump: OOM dump written: /srv/d/OoM-pid-7.hprof.gz (812.3 MiB, complete)"
                + System.lineSeparator(), printed());
    }

    @Test
    void theHooksStateForTheDiskAndRefusedOomDumpsAreToldButNotOtherEvents() {
        lines.accept(new OomEvent(OomEvent.HOOK_DISARMED, "the JVM's OOM hook is disarmed: ...", OomEvents.map()));
        lines.accept(new OomEvent(OomEvent.DUMP_REFUSED, "heap snapshot refused", OomEvents.map("kind", "HEAP_SNAPSHOT")));
        lines.accept(new OomEvent(OomEvent.FILE_CREATED, "Created x", OomEvents.map("path", "x")));
        lines.accept(new OomEvent(OomEvent.DUMP_REFUSED, "The OOM dump x was refused", OomEvents.map("kind", "OOM_DUMP")));
        assertEquals("oom-heapdump: the JVM's OOM hook is disarmed: ..." + System.lineSeparator()
                + "oom-heapdump: The OOM dump x was refused" + System.lineSeparator(), printed(),
                "a refused snapshot is its caller's to tell; a file made on request is not told");
    }

    @Test
    void nothingGetsOutOfALineThatCannotBeMade() {
        lines.accept(new OomEvent(OomEvent.OOM_DUMP_CREATED, "m", OomEvents.map("path", "p", "bytes", "not a number")));
        assertEquals("", printed());
    }
}
