package dev.oomheapdump.core.analysis;

import java.nio.file.Path;

/**
 * Not a test: a timing harness run by hand, in its own JVM so that {@code /usr/bin/time -v} sees one tool.
 * <pre>
 * java -cp core/target/classes:core/target/test-classes:NETBEANS_JAR dev.oomheapdump.core.analysis.AnalyzerTiming MODE FILE
 * </pre>
 * MODE: {@code analyze} (this engine, prints the text report), {@code phases} (resident and peak resident
 * size at each phase change, Linux only), {@code json}, {@code histogram} (one pass, no dominators), {@code netbeans} (the NetBeans profiler heap library: instance counts and retained sizes).
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
            case "phases":
                // Resident size at each phase change, to see which phase sets the peak.
                String[] last = {""};
                Thread sampler = new Thread(() -> {
                    long high = 0;
                    while (true) {
                        String now = rss();
                        java.util.regex.Matcher m = java.util.regex.Pattern.compile("VmRSS: (\\d+)").matcher(now);
                        if (m.find() && Long.parseLong(m.group(1)) > high + 16384) {
                            high = Long.parseLong(m.group(1));
                            System.err.printf("%6.2f s   new high in %-12s %s%n", (System.nanoTime() - start) / 1e9,
                                    last[0], now);
                        }
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                sampler.setDaemon(true);
                sampler.start();
                HeapAnalyzer.analyze(file, HeapAnalyzer.Options.defaults(), (phase, f) -> {
                    if (!phase.equals(last[0]) || !phase.startsWith("reading")) {
                        last[0] = phase;
                        System.err.printf("%6.2f s %-15s %3.0f%% %s%n", (System.nanoTime() - start) / 1e9, phase,
                                f * 100, rss());
                    }
                });
                System.err.printf("%6.2f s %-20s %s%n", (System.nanoTime() - start) / 1e9, "done", rss());
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

    private static String rss() {
        try {
            StringBuilder out = new StringBuilder();
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS") || line.startsWith("VmHWM") || line.startsWith("RssFile")
                        || line.startsWith("RssAnon")) {
                    out.append(line.replaceAll("\\s+", " ")).append("  ");
                }
            }
            return out.toString();
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
