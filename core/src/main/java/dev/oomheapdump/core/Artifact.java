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
 * @param id            what tells this file from another one later made under the same name: its entry in the
 *                      directory's index and its file key; with size and time, the identity a resumed fetch checks
 */
public record Artifact(Path path, ArtifactKind kind, long bytes, long createdMillis, ArtifactState state,
                       ArtifactOrigin origin, String detail, String id) {

    public Artifact {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(origin, "origin");
        detail = detail == null ? "" : detail;
        id = id == null ? "" : id;
    }

    /** A file without an identity of its own (not read from a directory's index). */
    public Artifact(Path path, ArtifactKind kind, long bytes, long createdMillis, ArtifactState state,
                    ArtifactOrigin origin, String detail) {
        this(path, kind, bytes, createdMillis, state, origin, detail, "");
    }

    public boolean isComplete() {
        return state == ArtifactState.COMPLETE;
    }
}
