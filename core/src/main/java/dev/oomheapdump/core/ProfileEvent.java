package dev.oomheapdump.core;

import dev.oomheapdump.core.store.FileNames;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a profile samples: where the CPU goes, where threads spend wall-clock time, who allocates, who waits for locks. */
public enum ProfileEvent {
    /** Threads running on a CPU. */
    CPU("CPU profile", "cpuprofile"),
    /** Every thread, running or not, at a fixed wall-clock interval: where threads wait. */
    WALL("wall-clock profile", "wallprofile"),
    /** Sampled heap allocations, weighed by bytes: who allocates the memory. */
    ALLOC("allocation profile", "allocprofile"),
    /** Contended monitor entries, weighed by time blocked: who waits for which lock. */
    LOCK("lock profile", "lockprofile");

    private final String label;
    private final String prefix;

    ProfileEvent(String label, String prefix) {
        this.label = label;
        this.prefix = prefix;
    }

    /** How messages name a profile of this event: "CPU profile", "allocation profile". */
    public String label() {
        return label;
    }

    /** The start of a generated file name: {@code cpuprofile}, {@code allocprofile}. */
    public String prefix() {
        return prefix;
    }

    /** The name requests use: {@code cpu}, {@code wall}, {@code alloc}, {@code lock}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code cpu, wall, alloc, lock}. */
    public static String names() {
        return Arrays.stream(values()).map(ProfileEvent::id).collect(Collectors.joining(", "));
    }

    /**
     * Reads an event name, in any case; empty or null means {@code cpu}.
     *
     * @throws IllegalArgumentException naming the value when it is none of them
     */
    public static ProfileEvent parse(String value) {
        if (value == null || value.isBlank()) {
            return CPU;
        }
        for (ProfileEvent event : values()) {
            if (event.id().equalsIgnoreCase(value.trim())) {
                return event;
            }
        }
        throw new IllegalArgumentException("Event '" + FileNames.shorten(value) + "' is not a profile event: give one of "
                + names());
    }
}
