package dev.oomheapdump.core.transfer;

import dev.oomheapdump.core.ArtifactName;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A file to fetch, as its source lists it: where it is on its host, its size, time and id (together its identity,
 * which a resumed fetch checks), its state.
 *
 * @param path           absolute path on the source's host
 * @param bytes          size
 * @param modifiedMillis the file's time, epoch millis
 * @param id             what tells it from another file later made under the same name; empty when the source has none
 * @param state          {@code COMPLETE}, {@code TRUNCATED} or {@code IN_PROGRESS}
 * @param detail         why it is not complete; empty when it is
 */
public record SourceFile(String path, long bytes, long modifiedMillis, String id, String state, String detail) {

    public SourceFile {
        Objects.requireNonNull(path, "path");
        id = id == null ? "" : id;
        state = state == null ? "" : state;
        detail = detail == null ? "" : detail;
    }

    /** The file's name, without its folder. */
    public String fileName() {
        return ArtifactName.fileName(path);
    }

    public boolean complete() {
        return "COMPLETE".equals(state);
    }

    /** True when both stand for the same bytes: same path, size, time and id. */
    public boolean sameFile(SourceFile other) {
        return path.equals(other.path) && bytes == other.bytes && modifiedMillis == other.modifiedMillis
                && id.equals(other.id);
    }

    /** How {@code now} differs from this one, for messages: "size 100 -> 120, id 1a2b -> 3c4d". */
    public String difference(SourceFile now) {
        List<String> changes = new ArrayList<>();
        if (!path.equals(now.path)) {
            changes.add("path " + path + " -> " + now.path);
        }
        if (bytes != now.bytes) {
            changes.add("size " + bytes + " -> " + now.bytes + " bytes");
        }
        if (modifiedMillis != now.modifiedMillis) {
            changes.add("time " + java.time.Instant.ofEpochMilli(modifiedMillis) + " -> "
                    + java.time.Instant.ofEpochMilli(now.modifiedMillis));
        }
        if (!id.equals(now.id)) {
            changes.add("id " + (id.isEmpty() ? "none" : id) + " -> " + (now.id.isEmpty() ? "none" : now.id));
        }
        return changes.isEmpty() ? "unchanged" : String.join(", ", changes);
    }
}
