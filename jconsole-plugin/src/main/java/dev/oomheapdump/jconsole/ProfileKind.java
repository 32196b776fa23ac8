package dev.oomheapdump.jconsole;

import dev.oomheapdump.core.ProfileEvent;

import java.util.Locale;

/** The choices of the tab's profile kind chooser, as people read them, and the event each one asks the bean for. */
enum ProfileKind {
    CPU("CPU", ProfileEvent.CPU, "where the CPU time goes: threads running on a CPU"),
    WALL("Wall clock", ProfileEvent.WALL, "where threads spend their time, running or waiting (async-profiler only: "
            + "the JVM refuses it where JDK Flight Recorder records)"),
    ALLOC("Allocations", ProfileEvent.ALLOC, "who allocates the heap, weighed by bytes"),
    LOCK("Locks", ProfileEvent.LOCK, "who waits for which lock, weighed by time blocked");

    private final String text;
    private final ProfileEvent event;
    private final String description;

    ProfileKind(String text, ProfileEvent event, String description) {
        this.text = text;
        this.event = event;
        this.description = description;
    }

    /** What the bean records: its {@code createProfile} event is {@code event().id()}. */
    ProfileEvent event() {
        return event;
    }

    /** What a profile of this kind shows, for the chooser's tool tip. */
    String description() {
        return description;
    }

    /** "CPU profile", "Allocation profile": how a message starts. */
    String title() {
        return capitalized(event.label());
    }

    /** "a CPU profile", "an allocation profile". */
    String withArticle() {
        String label = event.label();
        return ("aeiou".indexOf(Character.toLowerCase(label.charAt(0))) >= 0 ? "an " : "a ") + label;
    }

    static String capitalized(String text) {
        return text.isEmpty() ? text : text.substring(0, 1).toUpperCase(Locale.ROOT) + text.substring(1);
    }

    /** The kind whose chooser text is {@code text} ("Allocations"), or the one of event id {@code text} ("alloc"). */
    static ProfileKind of(String text) {
        for (ProfileKind kind : values()) {
            if (kind.text.equalsIgnoreCase(text.trim()) || kind.event.id().equalsIgnoreCase(text.trim())) {
                return kind;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a profile kind: give one of CPU, Wall clock, "
                + "Allocations, Locks");
    }

    /** The chooser shows this. */
    @Override
    public String toString() {
        return text;
    }
}
