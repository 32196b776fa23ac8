package dev.oomheapdump.mbean;

import dev.oomheapdump.core.ArtifactKind;
import dev.oomheapdump.core.OomEvent;
import dev.oomheapdump.core.Sizes;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The agent's one-line messages in the application's output for what the suite did on its own: an OOM dump written
 * (where it is, how big), an OOM dump shipped or not shipped, an OOM dump refused for the disk, the JVM's hook disarmed for the disk or armed again, a
 * profiler that falls back (perf events locked down, no native access: told once per reason).
 * One line per event, as {@code oom-heapdump: ...}; it runs on whatever thread tells (often right in the OOM), so
 * nothing it meets, not even an OutOfMemoryError, gets out: it tries once more and then gives up quietly.
 */
final class OutputLines implements Consumer<OomEvent> {

    private final PrintStream out;

    OutputLines(PrintStream out) {
        this.out = out;
    }

    @Override
    public void accept(OomEvent event) {
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                String line = line(event);
                if (line != null) {
                    OomHeapdump.print(out, line);
                }
                return;
            } catch (Throwable e) {
                // an OutOfMemoryError while building the line: once more, then never into the host
            }
        }
    }

    /** The line for an event, or null for events that are not told in the application's output. */
    static String line(OomEvent event) {
        Map<String, String> data = event.data();
        switch (event.type()) {
            case OomEvent.OOM_DUMP_CREATED:
                return "OOM dump written: " + data.get("path") + " (" + Sizes.human(Long.parseLong(data.getOrDefault(
                        "bytes", "0"))) + ", " + data.getOrDefault("state", "").toLowerCase(Locale.ROOT) + ")";
            case OomEvent.DUMP_REFUSED:
            case OomEvent.SHIP_SUCCEEDED:
            case OomEvent.SHIP_FAILED:
                return ArtifactKind.OOM_DUMP.name().equals(data.get("kind")) ? event.message() : null;
            case OomEvent.HOOK_DISARMED:
            case OomEvent.HOOK_ARMED:
            case OomEvent.PROFILER_FALLBACK:
                return event.message();
            default:
                return null;
        }
    }
}
