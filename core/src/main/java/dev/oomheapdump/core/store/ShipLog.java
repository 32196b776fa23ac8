package dev.oomheapdump.core.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What was shipped where: one record per upload, appended to the directory's index ({@value ArtifactStore#INDEX_NAME})
 * by whichever process uploaded the file (the agent's shipper, the {@code ship} command, a sidecar). Records are lines
 * of their own version, {@code s1}, which readers of the file records ({@code v1}) skip, so an older agent reading the
 * same index is not disturbed. A record names the file by name and by identity (size and modification time): a file
 * made again under the same name is not shipped until it is uploaded again.
 *
 * <pre>s1 TAB name TAB identity TAB url TAB sha256 TAB epochMillis</pre>
 */
public final class ShipLog {

    private static final String VERSION = "s1";

    /** One upload: the file, the object it became ({@code s3://bucket/key}), the SHA-256 of the file's bytes. */
    public record Shipment(String name, String identity, String url, String sha256, long millis) {
    }

    private ShipLog() {
    }

    /** The identity a record keeps of a file: its size and modification time, {@code size:millis}. */
    public static String identity(Path file) throws IOException {
        return identity(Files.readAttributes(file, BasicFileAttributes.class));
    }

    /** The identity of a file whose attributes were read already. */
    static String identity(BasicFileAttributes a) {
        return a.size() + ":" + a.lastModifiedTime().toMillis();
    }

    /** Appends a record to the index in {@code directory} (made when missing). */
    public static void append(Path directory, Shipment shipment) throws IOException {
        for (String field : new String[]{shipment.name(), shipment.identity(), shipment.url(), shipment.sha256()}) {
            if (field.indexOf('\t') >= 0 || field.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("A shipment record cannot hold tabs or line breaks: '" + field + "'");
            }
        }
        String line = String.join("\t", VERSION, shipment.name(), shipment.identity(), shipment.url(),
                shipment.sha256(), Long.toString(shipment.millis())) + "\n";
        Files.write(directory.resolve(ArtifactStore.INDEX_NAME), line.getBytes(StandardCharsets.UTF_8),
                StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    /** The newest record per file name in the index of {@code directory}; empty when there is no index. */
    public static Map<String, Shipment> read(Path directory) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(directory.resolve(ArtifactStore.INDEX_NAME));
        } catch (NoSuchFileException e) {
            return new LinkedHashMap<>();
        }
        return parse(new String(bytes, StandardCharsets.UTF_8));
    }

    /** The newest record per file name in the text of an index (its other lines are skipped). */
    static Map<String, Shipment> parse(String index) {
        Map<String, Shipment> shipments = new LinkedHashMap<>();
        for (String line : index.split("\n")) {
            String[] f = line.split("\t");
            if (f.length != 6 || !VERSION.equals(f[0])) {
                continue;
            }
            try {
                shipments.put(f[1], new Shipment(f[1], f[2], f[3], f[4], Long.parseLong(f[5])));
            } catch (NumberFormatException e) {
                // a line cut by a crash: skipped
            }
        }
        return shipments;
    }

    /** True when {@code file} was shipped as it is now (same name and identity). */
    public static boolean shipped(Map<String, Shipment> shipments, Path file) throws IOException {
        Shipment s = shipments.get(file.getFileName().toString());
        return s != null && s.identity().equals(identity(file));
    }
}
