package dev.oomheapdump.it.proof;

import dev.oomheapdump.it.ChildJvm;

import java.io.IOException;
import java.time.Duration;

/** Starting {@link ProofApp} children and talking to them. */
final class Proof {

    private Proof() {
    }

    /** A child running {@link ProofApp} with the shipped agent; add heap, agent options, directory. */
    static ChildJvm.Builder app() {
        return ChildJvm.builder().mainClass(ProofApp.class.getName());
    }

    /** Starts the child and waits until the application reads commands. */
    static ChildJvm start(ChildJvm.Builder builder) throws IOException {
        ChildJvm child = builder.start();
        child.awaitLine("READY pid", Duration.ofSeconds(30));
        return child;
    }

    /** Sends a command and waits (bounded) for one more line starting with {@code reply}. */
    static void command(ChildJvm child, String command, String reply, Duration atMost) {
        long before = replies(child, reply);
        child.send(command);
        child.await(atMost, "the child answers '" + command + "' with '" + reply + "'")
                .until(() -> replies(child, reply) > before);
    }

    private static long replies(ChildJvm child, String reply) {
        return child.lines().stream().filter(l -> l.startsWith(reply)).count();
    }

    static Remote remote(ChildJvm child) {
        return new Remote(child.connect());
    }
}
