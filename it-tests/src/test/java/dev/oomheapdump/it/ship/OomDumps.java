package dev.oomheapdump.it.ship;

import dev.oomheapdump.it.ChildJvm;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** Heap dumps as HotSpot writes them on an OutOfMemoryError, from a child JVM without the agent. */
final class OomDumps {

    private OomDumps() {
    }

    /**
     * Starts a JVM without the agent that leaks until it dies of an OOM with {@code -XX:+HeapDumpOnOutOfMemoryError
     * -XX:HeapDumpPath=directory}; the dump is {@code directory/java_pid<pid>.hprof} (being written while the JVM is
     * alive).
     */
    static ChildJvm leakWithoutAgent(Path directory, String heap, int blobKb, int sleepMs) throws IOException {
        return ChildJvm.builder().agent(null).noPort().heap(heap)
                .jvmArgs("-XX:+HeapDumpOnOutOfMemoryError", "-XX:HeapDumpPath=" + directory)
                .args("heap", Integer.toString(blobKb), Integer.toString(sleepMs)).start();
    }

    /** A complete dump: the JVM died of its OOM and exited. */
    static Path dump(Path directory) throws IOException {
        try (ChildJvm child = leakWithoutAgent(directory, "48m", 256, 0)) {
            child.awaitExit(Duration.ofSeconds(120));
            return directory.resolve("java_pid" + child.pid() + ".hprof");
        }
    }
}
