package dev.oomheapdump.jconsole;

import dev.oomheapdump.jconsole.TabState.ArtifactRow;

import javax.management.MBeanServerConnection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * "What filled the heap" over JMX, without Swing: asks the bean to analyze a dump ({@code analyzeHeapSnapshot},
 * which runs the analysis in a separate process on the JVM's host and blocks until the report is written) and
 * fetches a report's JSON with {@code readArtifact}. Every method but the static ones blocks on the network: call
 * them off the event thread.
 */
final class ReportModel {

    /** What {@code readArtifact} is asked for at a time (the bean allows up to 8 MiB). */
    static final int CHUNK = 1 << 20;
    /** Reports are small (the top classes and suspects); anything larger is not one. */
    static final long MAX_REPORT = 64L << 20;
    static final String JSON = ".report.json";

    private final Supplier<MBeanServerConnection> connection;
    private final int chunk;

    ReportModel(Supplier<MBeanServerConnection> connection) {
        this(connection, CHUNK);
    }

    /** With smaller blocks, for the tests of the read loop. */
    ReportModel(Supplier<MBeanServerConnection> connection, int chunk) {
        this.connection = Objects.requireNonNull(connection, "connection");
        this.chunk = chunk;
    }

    /** A dump's name without its extension, as the bean names its report: {@code x} for {@code x.hprof}. */
    static String baseName(String name) {
        for (String extension : List.of(".hprof.gz", ".hprof", JSON, ".report.txt")) {
            if (name.endsWith(extension)) {
                return name.substring(0, name.length() - extension.length());
            }
        }
        return name;
    }

    /** Whether the bean would analyze this row: a complete heap snapshot or OOM dump. */
    static boolean analyzable(ArtifactRow row) {
        return row != null && row.heapDump() && row.complete();
    }

    /**
     * The complete {@code .report.json} that belongs to a row: the dump's report, or the JSON twin of a selected
     * report file.
     */
    static Optional<ArtifactRow> reportFor(ArtifactRow row, List<ArtifactRow> artifacts) {
        if (row == null || !(row.heapDump() || row.heapReport())) {
            return Optional.empty();
        }
        String json = baseName(row.name()) + JSON;
        return artifacts.stream().filter(a -> a.heapReport() && a.complete() && a.name().equals(json)).findFirst();
    }

    /** Analyzes a listed dump; returns when the report is written (seconds to minutes), with the JSON's path. */
    Result analyze(String dumpPath) {
        try {
            Object json = connection().invoke(TabModel.BEAN, "analyzeHeapSnapshot", new Object[]{dumpPath},
                    new String[]{String.class.getName()});
            return Result.made("Report written: " + json, String.valueOf(json));
        } catch (Exception e) {
            return Result.failed("Analysis refused or failed: " + Errors.message(e));
        }
    }

    /**
     * Fetches a listed report with {@code readArtifact}, block by block until a short block says the end, and
     * parses it.
     *
     * @throws IllegalArgumentException when it is not a report (malformed JSON, too large)
     * @throws Exception                what the call threw (see {@link Errors#message})
     */
    AnalysisReport load(String reportPath) throws Exception {
        MBeanServerConnection c = connection();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        while (true) {
            byte[] block = (byte[]) c.invoke(TabModel.BEAN, "readArtifact",
                    new Object[]{reportPath, (long) bytes.size(), chunk},
                    new String[]{String.class.getName(), long.class.getName(), int.class.getName()});
            if (block == null || block.length == 0) {
                break;
            }
            bytes.write(block);
            if (bytes.size() > MAX_REPORT) {
                throw new IllegalArgumentException(reportPath + " is larger than " + Format.bytes(MAX_REPORT)
                        + ": not a heap report");
            }
            if (block.length < chunk) {
                break;
            }
        }
        return AnalysisReport.parse(bytes.toString(StandardCharsets.UTF_8));
    }

    private MBeanServerConnection connection() throws IOException {
        MBeanServerConnection c = connection.get();
        if (c == null) {
            throw new IOException("not connected");
        }
        return c;
    }
}
