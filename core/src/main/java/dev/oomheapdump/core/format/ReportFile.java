package dev.oomheapdump.core.format;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

/**
 * Tells a whole heap report from a cut one: a {@code .report.json} ends with its closing brace, a
 * {@code .report.txt} is not empty. Reports are written under a temporary name and renamed, so this only guards
 * against a leftover of a killed write.
 */
public final class ReportFile {

    private ReportFile() {
    }

    /** Null when the report is whole, else why not. */
    public static String problem(Path file) {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long size = in.length();
            if (size == 0) {
                return "empty";
            }
            if (!file.getFileName().toString().endsWith(".json")) {
                return null;
            }
            for (long at = size - 1; at >= Math.max(0, size - 64); at--) {
                in.seek(at);
                int c = in.read();
                if (c == '}') {
                    return null;
                }
                if (!Character.isWhitespace(c)) {
                    break;
                }
            }
            return "the JSON does not end with its closing brace (cut at " + size + " bytes)";
        } catch (IOException e) {
            return "cannot read: " + e;
        }
    }
}
