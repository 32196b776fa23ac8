package dev.oomheapdump.jconsole;

import java.nio.file.Path;

/**
 * A console's own views for files of this computer: VisualVM opens a heap dump in its heap viewer, and a JFR
 * recording when it has a JFR loader. The tab fetches the file (verified, into a private temporary folder) and
 * hands it over.
 */
interface LocalViewer {

    /** The button that opens the selected file here: "Open in VisualVM". */
    String action();

    /**
     * Whether {@link #open} takes JFR recordings now; when it does not, a profile opens as its flame graph in the
     * browser.
     */
    boolean readsRecordings();

    /** Why {@link #readsRecordings()} is false, for the tab's sentence; empty when it is true. */
    String whyNoRecordings();

    /**
     * Opens a complete {@code .hprof} or {@code .jfr} of this computer; returns once the console took it (its view
     * may still be loading).
     *
     * @return where it opened, for the tab's sentence: "in VisualVM's heap viewer"
     * @throws Exception when the console cannot open it, with a message for people
     */
    String open(Path file) throws Exception;
}
