package dev.oomheapdump.core;

import dev.oomheapdump.core.store.FileNames;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The files a profile leaves: its JFR recording, always, and what option {@code profileFormats} adds beside it, made
 * from the recording by async-profiler's converter.
 */
public enum ProfileFormat {
    /** The recording itself: JDK Mission Control, {@code jfr}, IntelliJ, the converter. */
    JFR(".jfr"),
    /** An interactive flame graph, one self-contained page for any browser. */
    HTML(".html"),
    /** Collapsed stacks, one {@code frame;frame;frame count} line per stack: for scripts, diffs, other renderers. */
    COLLAPSED(".collapsed"),
    /** Google's pprof protocol buffer, for {@code go tool pprof} and the tools that read it. */
    PPROF(".pprof");

    /** What a profile leaves when the option is not given. */
    public static final Set<ProfileFormat> DEFAULT = EnumSet.of(JFR, HTML);

    private final String extension;

    ProfileFormat(String extension) {
        this.extension = extension;
    }

    /** The file name extension, with its dot. */
    public String extension() {
        return extension;
    }

    /** The name options use: {@code jfr}, {@code html}, {@code collapsed}, {@code pprof}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The format a file name's extension gives, or null for none of them. */
    public static ProfileFormat ofFileName(String name) {
        for (ProfileFormat format : values()) {
            if (name.endsWith(format.extension)) {
                return format;
            }
        }
        return null;
    }

    /**
     * Reads a comma-separated list of formats; {@code jfr} is always part of the result, said or not.
     *
     * @throws IllegalArgumentException naming the option and the bad value
     */
    public static Set<ProfileFormat> parse(String option, String value) {
        Set<ProfileFormat> formats = EnumSet.of(JFR);
        if (value == null || value.isBlank()) {
            return formats;
        }
        for (String item : value.split("[,+ ]")) {
            if (item.isBlank()) {
                continue;
            }
            ProfileFormat format = Arrays.stream(values()).filter(f -> f.id().equalsIgnoreCase(item.trim())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("Option '" + option + "' names an unknown format '"
                            + FileNames.shorten(item.trim()) + "': give any of jfr, html, collapsed, pprof"));
            formats.add(format);
        }
        return formats;
    }

    /** The formats as the option writes them, {@code jfr,html}. */
    public static String text(Set<ProfileFormat> formats) {
        return formats.stream().map(ProfileFormat::id).collect(Collectors.joining(","));
    }
}
