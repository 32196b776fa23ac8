package dev.oomheapdump.core.store;

import dev.oomheapdump.core.ArtifactKind;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The index file {@value ArtifactStore#INDEX_NAME}: one line per file the suite ever reserved in the directory
 * (version, kind, run, creation time, name), appended before any byte of the file is written, so that even a
 * write cut short by a kill stays the suite's. Read again only when another JVM appended to it. Not
 * thread-safe: the store calls it under its lock.
 */
final class ArtifactIndex {

    private static final String VERSION = "v1";

    /** One file the suite made. */
    record Entry(ArtifactKind kind, String name, String runId, long createdMillis) {

        /**
         * A short stable identity of the file this entry stands for: the entry (a name deleted and made again gets
         * a new one) and the file's key (device and inode where the file system has them), hashed to 16 hex digits.
         */
        String id(BasicFileAttributes attributes) {
            String key = runId + "\n" + createdMillis + "\n" + name + "\n" + attributes.fileKey();
            try {
                byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
                return HexFormat.of().formatHex(hash, 0, 8);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is missing from this JDK", e);
            }
        }
    }

    private final Path file;
    /**
     * Tells this run's files from earlier runs' (a pid alone repeats: in containers every JVM is pid 1): the pid, the
     * JVM's start time in hex epoch millis (what a shipped file's key names), and a nanosecond clock's reading.
     */
    private final String runId = ProcessHandle.current().pid() + "-" + Long.toHexString(jvmStartMillis())
            + "-" + Long.toHexString(System.nanoTime());
    /** Known files by final name. */
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    /** The newest shipment record per file name ({@link ShipLog}). */
    private Map<String, ShipLog.Shipment> shipments = Map.of();
    private long bytesRead;

    ArtifactIndex(Path file) {
        this.file = file;
    }

    String runId() {
        return runId;
    }

    /** When this JVM started, epoch millis: the process's start time, the moment this class ran when unknown. */
    private static long jvmStartMillis() {
        return ProcessHandle.current().info().startInstant().map(java.time.Instant::toEpochMilli)
                .orElseGet(System::currentTimeMillis);
    }

    /** The shipment records read so far, newest per file name. */
    Map<String, ShipLog.Shipment> shipments() {
        return shipments;
    }

    /** The entry of a final name, if the suite ever reserved it here. */
    java.util.Optional<Entry> entry(String name) {
        return java.util.Optional.ofNullable(entries.get(name));
    }
    Collection<Entry> entries() {
        return entries.values();
    }

    /** True when the suite ever reserved this final name in the directory (this run or an earlier one). */
    boolean knows(String name) {
        return entries.containsKey(name);
    }

    /** Records a new file of this run: first on disk, then in memory. */
    Entry append(ArtifactKind kind, String name) throws IOException {
        return append(new Entry(kind, name, runId, System.currentTimeMillis()));
    }

    /** Records a file under another name for an earlier entry, keeping its run and time (a dump kept uncompressed). */
    Entry appendAs(Entry original, String name) throws IOException {
        return append(new Entry(original.kind(), name, original.runId(), original.createdMillis()));
    }

    private Entry append(Entry entry) throws IOException {
        byte[] line = line(entry).getBytes(StandardCharsets.UTF_8);
        Files.write(file, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        bytesRead += line.length;
        entries.put(entry.name(), entry);
        return entry;
    }

    /** Writes the index again from memory when it is gone (the directory vanished and was made again). */
    void restoreIfMissing() throws IOException {
        if (Files.exists(file) || entries.isEmpty()) {
            return;
        }
        StringBuilder lines = new StringBuilder();
        for (Entry entry : entries.values()) {
            lines.append(line(entry));
        }
        byte[] bytes = lines.toString().getBytes(StandardCharsets.UTF_8);
        Files.write(file, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        bytesRead = bytes.length;
    }

    boolean exists() {
        return Files.exists(file);
    }

    /** The index file's size, 0 when it is missing (a plain {@code stat}: no exception for a missing file). */
    long length() {
        return file.toFile().length();
    }

    /** Reads what other JVMs appended; lines of a newer version or damaged by a crash are skipped. */
    void readNew() throws IOException {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            return;
        }
        if (size == bytesRead) {
            return;
        }
        byte[] bytes = Files.readAllBytes(file);
        bytesRead = bytes.length;
        String text = new String(bytes, StandardCharsets.UTF_8);
        shipments = Map.copyOf(ShipLog.parse(text));
        for (String line : text.split("\n")) {
            String[] fields = line.split("\t");
            if (fields.length != 5 || !VERSION.equals(fields[0])) {
                continue;
            }
            try {
                ArtifactKind kind = ArtifactKind.valueOf(fields[1]);
                String name = fields[4];
                if (!kind.matches(name) || name.indexOf('/') >= 0 || name.startsWith(".")) {
                    continue;
                }
                Entry known = entries.get(name);
                if (known == null || !known.runId().equals(runId)) {
                    entries.put(name, new Entry(kind, name, fields[2], Long.parseLong(fields[3])));
                }
            } catch (IllegalArgumentException e) {
                // skipped
            }
        }
    }

    private static String line(Entry entry) {
        return String.join("\t", VERSION, entry.kind().name(), entry.runId(), Long.toString(entry.createdMillis()),
                entry.name()) + "\n";
    }
}
