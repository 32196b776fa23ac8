package dev.oomheapdump.core.transfer;

import java.nio.file.Path;

/** What a {@link Fetch} tells its caller while it runs, on the fetching thread. */
public interface FetchListener {

    /**
     * The output is checked and the first read is about to go out.
     *
     * @param resumedFrom bytes already in {@code OUT.part} of this very file, 0 for a fresh start
     * @param note        what happened to a {@code .part} that was there (resumed, or discarded and why); empty when
     *                    there was none
     */
    default void started(SourceFile source, Path target, long resumedFrom, String note) {
    }

    /** After each part written; the listener throttles its own display. */
    default void progress(FetchProgress progress) {
    }
}
