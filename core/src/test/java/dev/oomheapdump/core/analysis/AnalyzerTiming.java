package dev.oomheapdump.core.analysis;

import java.nio.file.Path;

/**
 * Not a test: a timing harness run by hand, in its own JVM so that {@code /usr/bin/time -v} sees one tool.
 * <pre>
 * java -cp core/target/classes:core/target/test-classes:NETBEANS_JAR dev.oomheapdump.core.analysis.AnalyzerTiming MODE FILE
 * </pre>
 * MODE: {@code analyze} (this engine, prints the text report), {@code json}, {@code histogram} (one pass, no
 * dominators), {@code netbeans} (the NetBeans profiler heap library: instance counts and retained sizes).
 */
public final class AnalyzerTiming {

    private AnalyzerTiming() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Path file = Path.of(args[1]);
        long start = System.nanoTime();
        switch (mode) {
            case "analyze":
                System.out.println(HeapAnalyzer.analyze(file, HeapAnalyzer.Options.defaults().withTopClasses(20),
                        AnalysisProgress.NONE).toText());
                break;
            case "json":
                System.out.println(HeapAnalyzer.analyze(file).toJson());
                break;
            case "histogram":
                System.out.println(Histogram.scan(file, AnalysisProgress.NONE).size() + " classes");
                break;
            case "netbeans":
                NetBeansOracle oracle = NetBeansOracle.open(file);
                long total = 0;
                for (var e : oracle.instanceCounts().entrySet()) {
                    total += e.getValue();
                }
                System.out.println(total + " instances");
                for (NetBeansOracle.Big big : oracle.biggest(10)) {
                    System.out.println(big);
                }
                break;
            default:
                throw new IllegalArgumentException(mode);
        }
        System.err.printf("%s: %.2f s%n", mode, (System.nanoTime() - start) / 1e9);
    }
}
