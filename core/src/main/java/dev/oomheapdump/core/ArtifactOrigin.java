package dev.oomheapdump.core;

/** Whether a file was made by this JVM or left by an earlier run on the same directory. */
public enum ArtifactOrigin {
    THIS_RUN,
    EARLIER_RUN
}
