package dev.oomheapdump.it.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** What a profile's recording holds, read in the benchmark's JVM with the JDK's reader: its samples and settings. */
final class Recordings {

    /** The sample events of both engines and all four profile events. */
    static final Set<String> SAMPLE_TYPES = Set.of("jdk.ExecutionSample", "jdk.NativeMethodSample", "jdk.CPUTimeSample",
            "jdk.ObjectAllocationInNewTLAB", "jdk.ObjectAllocationOutsideTLAB", "jdk.ObjectAllocationSample",
            "jdk.JavaMonitorEnter", "jdk.ThreadPark", "profiler.WallClockSample");

    /** Names of settings async-profiler writes into its recordings and no JDK event has. */
    private static final Set<String> ASYNC_SETTINGS = Set.of("engine", "event", "interval", "alloc", "lock", "wall",
            "version");

    /** Samples by event type, and async-profiler's own settings (empty for a JDK recording). */
    record Content(Map<String, Long> samples, Map<String, String> settings) {

        long sampleCount() {
            return samples.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private Recordings() {
    }

    static Content read(Path jfr) throws IOException {
        Map<String, Long> samples = new TreeMap<>();
        Map<String, String> settings = new TreeMap<>();
        try (RecordingFile file = new RecordingFile(jfr)) {
            while (file.hasMoreEvents()) {
                RecordedEvent e = file.readEvent();
                String type = e.getEventType().getName();
                if (SAMPLE_TYPES.contains(type)) {
                    samples.merge(type, 1L, Long::sum);
                } else if (type.equals("jdk.ActiveSetting") && ASYNC_SETTINGS.contains(e.getString("name"))) {
                    settings.putIfAbsent(e.getString("name"), e.getString("value"));
                }
            }
        }
        return new Content(samples, settings);
    }
}
