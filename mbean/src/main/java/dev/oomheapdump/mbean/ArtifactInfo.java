package dev.oomheapdump.mbean;

import javax.management.ConstructorParameters;

/**
 * One file the suite made, as the MXBean shows it. Over JMX this is a {@code CompositeData} with the items
 * {@code path}, {@code kind}, {@code bytes}, {@code createdMillis}, {@code state}, {@code origin},
 * {@code detail}, {@code id}, {@code shipped} and {@code shippedTo}: clients need no class of this project.
 */
public final class ArtifactInfo {

    private final String path;
    private final String kind;
    private final long bytes;
    private final long createdMillis;
    private final String state;
    private final String origin;
    private final String detail;
    private final String id;
    private final boolean shipped;
    private final String shippedTo;

    @ConstructorParameters({"path", "kind", "bytes", "createdMillis", "state", "origin", "detail", "id", "shipped",
            "shippedTo"})
    public ArtifactInfo(String path, String kind, long bytes, long createdMillis, String state, String origin,
                        String detail, String id, boolean shipped, String shippedTo) {
        this.path = path;
        this.kind = kind;
        this.bytes = bytes;
        this.createdMillis = createdMillis;
        this.state = state;
        this.origin = origin;
        this.detail = detail;
        this.id = id;
        this.shipped = shipped;
        this.shippedTo = shippedTo == null ? "" : shippedTo;
    }

    /**
     * An artifact as an agent without shipping lists it (no {@code shipped}, {@code shippedTo} items): a client of
     * this version reading an older agent through an MXBean proxy is reconstructed with this constructor.
     */
    @ConstructorParameters({"path", "kind", "bytes", "createdMillis", "state", "origin", "detail", "id"})
    public ArtifactInfo(String path, String kind, long bytes, long createdMillis, String state, String origin,
                        String detail, String id) {
        this(path, kind, bytes, createdMillis, state, origin, detail, id, false, "");
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

    /**
     * What tells this file from another one made later under the same name (16 hex digits: its entry in the
     * directory's index and its file key). With {@code bytes} and {@code createdMillis}, the identity a resumed fetch
     * checks before it continues.
     */
    public String getId() {
        return id;
    }

    /** True when the file, as it is now, was uploaded to object storage (option {@code ship}). */
    public boolean isShipped() {
        return shipped;
    }

    /** The object it was uploaded to, {@code s3://bucket/key}; empty when it was not shipped. */
    public String getShippedTo() {
        return shippedTo;
    }

    @Override
    public String toString() {
        return kind + " " + path + " " + bytes + " bytes " + state + " " + origin;
    }
}
