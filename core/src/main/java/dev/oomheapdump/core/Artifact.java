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
 * @param shippedTo     the object this file was uploaded to as it is now ({@code s3://bucket/key}), from the shipment
 *                      records of the directory's index; empty when it was not shipped
 */
public record Artifact(Path path, ArtifactKind kind, long bytes, long createdMillis, ArtifactState state,
                       ArtifactOrigin origin, String detail, String id, String shippedTo) {

    public Artifact {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(origin, "origin");
        detail = detail == null ? "" : detail;
        id = id == null ? "" : id;
        shippedTo = shippedTo == null ? "" : shippedTo;
    }

    /** A file that was not shipped. */
    public Artifact(Path path, ArtifactKind kind, long bytes, long createdMillis, ArtifactState state,
                    ArtifactOrigin origin, String detail, String id) {
        this(path, kind, bytes, createdMillis, state, origin, detail, id, "");
    }

    /** A file without an identity of its own (not read from a directory's index). */
    public Artifact(Path path, ArtifactKind kind, long bytes, long createdMillis, ArtifactState state,
                    ArtifactOrigin origin, String detail) {
        this(path, kind, bytes, createdMillis, state, origin, detail, "");
    }

    /** True when the file, as it is now, was uploaded ({@link #shippedTo} says where). */
    public boolean shipped() {
        return !shippedTo.isEmpty();
    }

    public boolean isComplete() {
        return state == ArtifactState.COMPLETE;
    }
}
