package dev.oomheapdump.core;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One file the suite made, as last seen on disk.
 *
 * @param path          absolute path on the host that runs the suite
 * @param kind          what the file is
 * @param bytes         its size when last looked at
 * @param createdMillis when it was made (epoch millis; the file's modification time when unknown)
 * @param state         whether it is complete
 * @param origin        whether this JVM made it
 * @param detail        why it is not complete, empty otherwise
 */
public record Artifact(Path path, ArtifactKind kind, long bytes, long createdMillis, ArtifactState state,
                       ArtifactOrigin origin, String detail) {

    public Artifact {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(origin, "origin");
        detail = detail == null ? "" : detail;
    }

    public boolean isComplete() {
        return state == ArtifactState.COMPLETE;
    }
}
