package dev.oomheapdump.core.analysis;

/**
 * Receives progress while a dump is analyzed, for a progress bar. Called from the analyzing thread, at most a
 * few times per second of work; an implementation must be quick and must not throw.
 */
@FunctionalInterface
public interface AnalysisProgress {

    /** Ignores progress. */
    AnalysisProgress NONE = (phase, fraction) -> { };

    /**
     * @param phase    what is being done, for example {@code "reading objects"} or {@code "dominator tree"}
     * @param fraction how much of that phase is done, from 0 to 1
     */
    void update(String phase, double fraction);
}
