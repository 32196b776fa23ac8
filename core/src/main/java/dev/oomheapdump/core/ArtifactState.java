package dev.oomheapdump.core;

/** Whether a file can be trusted. */
public enum ArtifactState {
    /** The whole file is there: every record of it was walked up to its end marker. */
    COMPLETE,
    /** The file ends early or is damaged: a crash, a kill or a full disk during the write. */
    TRUNCATED,
    /** The file is being written right now. */
    IN_PROGRESS
}
