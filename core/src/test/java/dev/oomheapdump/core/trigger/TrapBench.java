package dev.oomheapdump.core.trigger;

import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * Measures, in the child JVM: how long {@link OomTrap#install} takes (first and second time), and what
 * constructing an {@code Error} and an {@code OutOfMemoryError} costs before, with a no-op handler and with
 * the constructors rewritten but no handler set. Prints one {@code APP bench} line.
 */
final class TrapBench {

    private static final int ROUNDS = 200_000;
    private static volatile Object sink;

    private TrapBench() {
    }

    static void run() throws ReflectiveOperationException {
        double errorBefore = nanosPer(() -> sink = new Error("x"));
        double oomBefore = nanosPer(() -> sink = new OutOfMemoryError("x"));

        Consumer<OutOfMemoryError> noop = e -> sink = e;
        long start = System.nanoTime();
        OomTrap trap = OomTrap.install(TrapAgent.inst, noop).orElseThrow();
        double firstInstallMs = (System.nanoTime() - start) / 1e6;

        double errorAfter = nanosPer(() -> sink = new Error("x"));
        double oomNoopHandler = nanosPer(() -> sink = new OutOfMemoryError("x"));
        VarHandle handler = TrapApp.bridgeHandler();
        handler.setVolatile((Consumer<?>) null);
        double oomNoHandler = nanosPer(() -> sink = new OutOfMemoryError("x"));
        handler.setVolatile(noop);
        start = System.nanoTime();
        trap.close();
        double closeMs = (System.nanoTime() - start) / 1e6;

        start = System.nanoTime();
        OomTrap.install(TrapAgent.inst, noop).orElseThrow().close();
        double secondInstallMs = (System.nanoTime() - start) / 1e6;

        System.out.printf("APP bench java=%s install-ms=%.1f close-ms=%.1f second-install-ms=%.1f"
                        + " error-ns-before=%.0f error-ns-after=%.0f oom-ns-before=%.0f oom-ns-noop-handler=%.0f"
                        + " oom-ns-no-handler=%.0f%n",
                System.getProperty("java.version"), firstInstallMs, closeMs, secondInstallMs,
                errorBefore, errorAfter, oomBefore, oomNoopHandler, oomNoHandler);
    }

    private static double nanosPer(Runnable construct) {
        for (int i = 0; i < ROUNDS; i++) {
            construct.run();
        }
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < ROUNDS; i++) {
                construct.run();
            }
            best = Math.min(best, (System.nanoTime() - start) / (double) ROUNDS);
        }
        return best;
    }
}
