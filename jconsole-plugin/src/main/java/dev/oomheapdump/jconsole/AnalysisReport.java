package dev.oomheapdump.jconsole;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A heap dump's analysis, read from its {@code <dump>.report.json} (the schema of the suite's {@code analyze
 * --json}): totals, the histogram's rows and the leak suspects, largest first. Fields a report lacks read as 0 or
 * empty, so that a report of a later version with more fields still shows.
 */
record AnalysisReport(String file, long objects, long classes, long shallowBytes, long reachableBytes,
                      long unreachableBytes, long durationMillis, List<ClassRow> histogram, List<Suspect> suspects) {

    AnalysisReport {
        histogram = List.copyOf(histogram);
        suspects = List.copyOf(suspects);
    }

    /** One class of the histogram: every object of it in the file, reachable or not. */
    record ClassRow(String className, long instances, long shallowBytes, long retainedBytes) {
    }

    /** One of the largest dominators, with its shortest path from a GC root (the root first). */
    record Suspect(String className, String objectId, long retainedBytes, double retainedPercent, List<String> path) {

        Suspect {
            path = List.copyOf(path);
        }
    }

    /**
     * Parses a report.
     *
     * @throws IllegalArgumentException when the text is not JSON, or not a JSON object
     */
    static AnalysisReport parse(String json) {
        if (!(JsonReader.parse(json) instanceof Map<?, ?> root)) {
            throw new IllegalArgumentException("A heap report is a JSON object; this is not one");
        }
        List<ClassRow> histogram = new ArrayList<>();
        for (Map<?, ?> row : objects(root.get("histogram"))) {
            histogram.add(new ClassRow(text(row.get("class")), whole(row.get("instances")),
                    whole(row.get("shallowBytes")), whole(row.get("retainedBytes"))));
        }
        List<Suspect> suspects = new ArrayList<>();
        for (Map<?, ?> s : objects(root.get("suspects"))) {
            List<String> path = new ArrayList<>();
            if (s.get("path") instanceof List<?> steps) {
                for (Object step : steps) {
                    path.add(text(step));
                }
            }
            suspects.add(new Suspect(text(s.get("class")), text(s.get("objectId")), whole(s.get("retainedBytes")),
                    s.get("retainedPercent") instanceof Number n ? n.doubleValue() : 0, path));
        }
        return new AnalysisReport(text(root.get("file")), whole(root.get("objects")), whole(root.get("classes")),
                whole(root.get("shallowBytes")), whole(root.get("reachableBytes")), whole(root.get("unreachableBytes")),
                whole(root.get("durationMillis")), histogram, suspects);
    }

    private static List<Map<?, ?>> objects(Object value) {
        List<Map<?, ?>> list = new ArrayList<>();
        if (value instanceof List<?> items) {
            for (Object item : items) {
                if (item instanceof Map<?, ?> map) {
                    list.add(map);
                }
            }
        }
        return list;
    }

    private static String text(Object value) {
        return value == null ? "" : value.toString();
    }

    private static long whole(Object value) {
        return value instanceof Number n ? n.longValue() : 0;
    }
}
