package dev.oomheapdump.mbean;

import javax.management.ConstructorParameters;

/**
 * One file the suite made, as the MXBean shows it. Over JMX this is a {@code CompositeData} with the items
 * {@code path}, {@code kind}, {@code bytes}, {@code createdMillis}, {@code state}, {@code origin} and
 * {@code detail}: clients need no class of this project.
 */
public final class ArtifactInfo {

    private final String path;
    private final String kind;
    private final long bytes;
    private final long createdMillis;
    private final String state;
    private final String origin;
    private final String detail;

    @ConstructorParameters({"path", "kind", "bytes", "createdMillis", "state", "origin", "detail"})
    public ArtifactInfo(String path, String kind, long bytes, long createdMillis, String state, String origin,
                        String detail) {
        this.path = path;
        this.kind = kind;
        this.bytes = bytes;
        this.createdMillis = createdMillis;
        this.state = state;
        this.origin = origin;
        this.detail = detail;
    }

    /** Absolute path on the JVM's host. */
    public String getPath() {
        return path;
    }

    /** {@code HEAP_SNAPSHOT}, {@code OOM_DUMP} or {@code CPU_PROFILE}. */
    public String getKind() {
        return kind;
    }

    /** Size in bytes when last seen. */
    public long getBytes() {
        return bytes;
    }

    /** Epoch milliseconds. */
    public long getCreatedMillis() {
        return createdMillis;
    }

    /** {@code COMPLETE}, {@code TRUNCATED} or {@code IN_PROGRESS}. */
    public String getState() {
        return state;
    }

    /** {@code THIS_RUN} or {@code EARLIER_RUN}. */
    public String getOrigin() {
        return origin;
    }

    /** Why the file is not complete; empty when it is. */
    public String getDetail() {
        return detail;
    }

    @Override
    public String toString() {
        return kind + " " + path + " " + bytes + " bytes " + state + " " + origin;
    }
}
