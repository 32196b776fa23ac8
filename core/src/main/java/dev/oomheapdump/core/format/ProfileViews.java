package dev.oomheapdump.core.format;

import dev.oomheapdump.core.ProfileEvent;
import dev.oomheapdump.core.ProfileFormat;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import one.convert.Arguments;
import one.convert.JfrToFlame;
import one.convert.JfrToPprof;
import one.jfr.JfrReader;
import one.jfr.event.AllocationSample;
import one.jfr.event.ContendedLock;
import one.jfr.event.Event;
import one.jfr.event.ExecutionSample;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What people look at, made from a profile's JFR recording by async-profiler's converter ({@code jfr-converter}): an
 * HTML flame graph, collapsed stacks, pprof. The same converter reads recordings of both engines, async-profiler's
 * and JDK Flight Recorder's; the event picks which samples it draws. Also tells whether such a file is complete.
 */
public final class ProfileViews {

    private ProfileViews() {
    }

    /**
     * Writes one view of {@code jfr} to {@code out} (which must not exist yet).
     *
     * @param title the flame graph's heading
     * @throws IOException when the recording cannot be read or the view cannot be written
     */
    public static void write(Path jfr, ProfileEvent event, ProfileFormat format, Path out, String title) throws IOException {
        List<String> args = new ArrayList<>(List.of("--title", title));
        switch (event) {
            case WALL:
                args.add("--wall");
                break;
            case ALLOC:
                args.add("--alloc");
                break;
            case LOCK:
                args.add("--lock");
                break;
            default:
                // cpu: the converter's default selection, execution samples (its --cpu drew nothing from JFR's own)
        }
        switch (format) {
            case HTML:
            case COLLAPSED:
                args.add("-o");
                args.add(format.id());
                JfrToFlame.convert(jfr.toString(), out.toString(), new Arguments(args.toArray(new String[0])));
                break;
            case PPROF:
                args.add("-o");
                args.add("pprof");
                JfrToPprof.convert(jfr.toString(), out.toString(), new Arguments(args.toArray(new String[0])));
                break;
            default:
                throw new IllegalArgumentException("A " + format.id() + " file is not made from a recording");
        }
    }

    /**
     * The event a recording was made for: async-profiler records it in its {@code event} setting; a JDK recording is
     * judged by the samples it has (execution samples, then allocation samples, then contended locks). Empty when it
     * has none of them.
     */
    public static Optional<ProfileEvent> recordedEvent(Path jfr) throws IOException {
        Map<String, String> settings = settings(jfr);
        String event = settings.get("event");
        // async-profiler names cpu and wall in "event"; an alloc or lock profile has its own setting instead
        if (event == null && settings.containsKey("alloc")) {
            return Optional.of(ProfileEvent.ALLOC);
        }
        if (event == null && settings.containsKey("lock")) {
            return Optional.of(ProfileEvent.LOCK);
        }
        if (event != null) {
            for (ProfileEvent e : ProfileEvent.values()) {
                if (event.equals(e.id())) {
                    return Optional.of(e);
                }
            }
            return Optional.of(ProfileEvent.CPU); // itimer, ctimer, a perf event: CPU samples
        }
        boolean alloc = false;
        boolean lock = false;
        try (JfrReader reader = new JfrReader(jfr.toString())) {
            for (Event e = reader.readEvent(); e != null; e = reader.readEvent()) {
                if (e instanceof ExecutionSample) {
                    return Optional.of(ProfileEvent.CPU);
                }
                alloc |= e instanceof AllocationSample;
                lock |= e instanceof ContendedLock;
            }
        }
        return alloc ? Optional.of(ProfileEvent.ALLOC) : lock ? Optional.of(ProfileEvent.LOCK) : Optional.empty();
    }

    /**
     * async-profiler's own settings in a recording ({@code engine}: perf_events, ctimer, itimer, wall...;
     * {@code event}), the first value of each name; empty for a JDK recording.
     */
    public static Map<String, String> settings(Path jfr) throws IOException {
        Map<String, String> settings = new HashMap<>();
        try (RecordingFile file = new RecordingFile(jfr)) {
            while (file.hasMoreEvents()) {
                RecordedEvent e = file.readEvent();
                if (e.getEventType().getName().equals("jdk.ActiveSetting") && ASYNC_NAMES.contains(e.getString("name"))) {
                    settings.putIfAbsent(e.getString("name"), e.getString("value"));
                }
            }
        }
        return settings;
    }

    /** Setting names async-profiler writes and no JDK event has. */
    private static final java.util.Set<String> ASYNC_NAMES = java.util.Set.of("engine", "event", "version", "cstack",
            "alloc", "lock");

    /** Null when a view file is complete, else why not. */
    public static String problem(Path file) {
        ProfileFormat format = ProfileFormat.ofFileName(file.getFileName().toString());
        try {
            if (format == ProfileFormat.HTML) {
                return tail(file, 64).contains("</html>") ? null : "the page ends before </html>";
            }
            if (format == ProfileFormat.COLLAPSED) {
                return Files.size(file) == 0 || tail(file, 1).equals("\n") ? null : "the last stack line is cut";
            }
            if (format == ProfileFormat.PPROF) {
                return protobufProblem(file);
            }
            return "not a profile view";
        } catch (IOException e) {
            return "cannot read: " + e;
        }
    }

    private static String tail(Path file, int bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(bytes, size));
            long position = size - buffer.capacity();
            while (buffer.hasRemaining() && channel.read(buffer, position + buffer.position()) > 0) {
                // read the last bytes
            }
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
        }
    }

    /**
     * Walks the top-level fields of a protocol buffer: a cut file ends inside a field. pprof files are small (a
     * profile's distinct stacks), so one read suffices.
     */
    private static String protobufProblem(Path file) throws IOException {
        byte[] b;
        try (InputStream in = Files.newInputStream(file)) {
            b = in.readAllBytes();
        }
        if (b.length == 0) {
            return "empty file";
        }
        int i = 0;
        while (i < b.length) {
            long[] key = varint(b, i);
            if (key == null) {
                return "ends inside a field key at byte " + i;
            }
            i = (int) key[1];
            int wireType = (int) (key[0] & 7);
            long skip;
            switch (wireType) {
                case 0:
                    long[] value = varint(b, i);
                    if (value == null) {
                        return "ends inside a number at byte " + i;
                    }
                    skip = value[1] - i;
                    break;
                case 1:
                    skip = 8;
                    break;
                case 2:
                    long[] length = varint(b, i);
                    if (length == null) {
                        return "ends inside a length at byte " + i;
                    }
                    skip = length[1] - i + length[0];
                    break;
                case 5:
                    skip = 4;
                    break;
                default:
                    return "not a protocol buffer: wire type " + wireType + " at byte " + i;
            }
            if (skip < 0 || i + skip > b.length) {
                return "a field at byte " + i + " runs past the end of the file";
            }
            i += (int) skip;
        }
        return null;
    }

    /** {value, next index}, or null when the bytes end first. */
    private static long[] varint(byte[] b, int i) {
        long value = 0;
        for (int shift = 0; i < b.length && shift < 64; shift += 7) {
            byte x = b[i++];
            value |= (long) (x & 0x7f) << shift;
            if (x >= 0) {
                return new long[]{value, i};
            }
        }
        return null;
    }
}
