package dev.oomheapdump.it.bench;

import dev.oomheapdump.core.ProfileEvent;
import dev.oomheapdump.core.ProfileFormat;
import dev.oomheapdump.core.format.ProfileViews;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;

/**
 * Times, in one warm JVM, what {@link ProfilingOverheadBench} compares: reading a recording with the JDK's own reader
 * ({@code jdk.jfr.consumer.RecordingFile}, every event and every stack frame touched: the baseline) and making each
 * view of it with {@link ProfileViews#write} (html, collapsed, pprof), as the agent does beside a profile. Runs on the
 * class path of the agent jar (the converter as shipped, shaded) and the test classes, without the agent.
 *
 * <p>Arguments: {@code WARMUP_ROUNDS ROUNDS OUT_DIR NAME=FILE.jfr=EVENT...}. Per recording: the warm-up rounds (every
 * operation once, not timed), then the timed rounds, the order of the operations rotating from round to round, a
 * {@code System.gc()} before each. Prints {@code INPUT NAME BYTES}, then {@code TIME NAME OP ROUND NANOS OUT_BYTES}
 * per timed operation (OP: read, html, collapsed, pprof), and {@code DONE} at the end.
 */
public final class ConversionTimer {

    static final List<String> OPERATIONS = List.of("read", "html", "collapsed", "pprof");

    private static volatile long sink;

    private ConversionTimer() {
    }

    public static void main(String[] args) throws Exception {
        int warmup = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        Path out = Paths.get(args[2]);
        Files.createDirectories(out);
        for (int i = 3; i < args.length; i++) {
            String[] spec = args[i].split("=", 3);
            String name = spec[0];
            Path jfr = Paths.get(spec[1]);
            ProfileEvent event = ProfileEvent.parse(spec[2]);
            System.out.println("INPUT " + name + " " + Files.size(jfr));
            for (int r = 0; r < warmup; r++) {
                for (String op : OPERATIONS) {
                    Path target = out.resolve(name + "-warmup." + op);
                    run(op, jfr, event, target);
                    Files.deleteIfExists(target);
                }
            }
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < OPERATIONS.size(); k++) {
                    String op = OPERATIONS.get((k + r) % OPERATIONS.size());
                    Path target = out.resolve(name + "." + op);
                    Files.deleteIfExists(target);
                    System.gc();
                    long start = System.nanoTime();
                    run(op, jfr, event, target);
                    long nanos = System.nanoTime() - start;
                    long bytes = op.equals("read") ? 0 : Files.size(target);
                    String problem = op.equals("read") ? null : ProfileViews.problem(target);
                    if (problem != null) {
                        throw new IllegalStateException("the " + op + " view of " + jfr + " is incomplete: " + problem);
                    }
                    Files.deleteIfExists(target);
                    System.out.println("TIME " + name + " " + op + " " + r + " " + nanos + " " + bytes);
                }
            }
        }
        System.out.println("DONE");
    }

    private static void run(String op, Path jfr, ProfileEvent event, Path target) throws IOException {
        if (op.equals("read")) {
            sink = readAll(jfr);
            return;
        }
        Files.deleteIfExists(target);
        ProfileViews.write(jfr, event, ProfileFormat.valueOf(op.toUpperCase(Locale.ROOT)), target,
                event.label() + ": " + jfr.getFileName());
    }

    /** Every event read, and every frame of every stack: what any reader of the samples does at least. */
    static long readAll(Path jfr) throws IOException {
        long touched = 0;
        try (RecordingFile file = new RecordingFile(jfr)) {
            while (file.hasMoreEvents()) {
                RecordedEvent e = file.readEvent();
                RecordedStackTrace stack = e.getStackTrace();
                if (stack != null) {
                    for (RecordedFrame frame : stack.getFrames()) {
                        touched += frame.getMethod().getName().length() + frame.getLineNumber();
                    }
                }
                touched++;
            }
        }
        return touched;
    }
}
