package dev.oomheapdump.core.trigger;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * The application in the child JVM. One scenario per run; it prints lines starting with {@code APP}. The
 * catch blocks print what the application got, after the handler (if any) printed its {@code TRAP} line.
 */
public final class TrapApp {

    private TrapApp() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "direct" -> direct();
            case "subclass" -> caught(() -> {
                throw new MyOutOfDirectMemoryError("failed to allocate 16777216 byte(s) of direct memory");
            });
            case "repeat" -> caught(() -> System.out.println("ab".repeat(Integer.MAX_VALUE).length()));
            case "heap" -> heap();
            case "threads" -> threads();
            case "plain-error" -> caught(() -> {
                throw new InternalError("not an OOM");
            });
            case "close" -> close();
            case "reinstall" -> reinstall();
            case "concurrent" -> concurrent();
            case "installed" -> System.out.println("APP installed=" + (TrapAgent.trap != null));
            case "bench" -> TrapBench.run();
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void caught(Runnable failing) {
        try {
            failing.run();
            System.out.println("APP no-error");
        } catch (Throwable e) {
            System.out.println("APP caught " + e.getClass().getName() + " " + e.getMessage());
        }
    }

    private static void direct() {
        List<ByteBuffer> hold = new ArrayList<>();
        caught(() -> {
            while (true) {
                hold.add(ByteBuffer.allocateDirect(1 << 20));
            }
        });
        System.out.println("APP held " + hold.size() + " MiB");
    }

    private static void heap() {
        List<long[]> hold = new ArrayList<>();
        OutOfMemoryError error = null;
        try {
            while (true) {
                hold.add(new long[1 << 16]);
            }
        } catch (OutOfMemoryError e) {
            hold.clear();   // room for printing
            error = e;
        }
        System.out.println("APP caught " + error.getClass().getName() + " " + error.getMessage());
    }

    /** Starts parked threads until the VM cannot make another one (run under a pids limit). */
    private static void threads() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        List<Thread> started = new ArrayList<>();
        caught(() -> {
            for (int i = 0; i < 100_000; i++) {
                Thread t = new Thread(() -> {
                    try {
                        release.await();
                    } catch (InterruptedException ignored) {
                        Thread.currentThread().interrupt();
                    }
                });
                t.setDaemon(true);
                t.start();
                started.add(t);
            }
        });
        release.countDown();
        for (Thread t : started) {
            t.join();
        }
        System.out.println("APP threads " + started.size());
    }

    private static void close() {
        caught(() -> {
            throw new MyOutOfDirectMemoryError("before close");
        });
        TrapAgent.trap.close();
        caught(() -> {
            throw new MyOutOfDirectMemoryError("after close");
        });
        caught(() -> {
            throw new OutOfMemoryError("plain after close");
        });
    }

    private static void reinstall() {
        Consumer<OutOfMemoryError> second = e -> System.out.println("TRAP second " + e.getMessage());
        System.out.println("APP while-installed=" + OomTrap.install(TrapAgent.inst, second).isPresent()
                + " reason=" + OomTrap.lastFailure());
        TrapAgent.trap.close();
        OomTrap again = OomTrap.install(TrapAgent.inst, second).orElseThrow();
        caught(() -> {
            throw new OutOfMemoryError("after reinstall");
        });
        again.close();
        caught(() -> {
            throw new OutOfMemoryError("after second close");
        });
    }

    /** While one thread is inside the (slow) handler, another thread's OOM passes without a call. */
    private static void concurrent() throws InterruptedException {
        Thread first = new Thread(() -> caught(() -> {
            throw new OutOfMemoryError("first");
        }));
        first.start();
        Thread.sleep(500);
        caught(() -> {
            throw new OutOfMemoryError("second");
        });
        first.join();
        caught(() -> {
            throw new OutOfMemoryError("third");
        });
    }

    /** The bridge's handler field, as a test (in the unnamed module java.lang was opened to) can reach it. */
    static VarHandle bridgeHandler() throws ReflectiveOperationException {
        Class<?> bridge = Class.forName(TrapBridge.NAME, false, null);
        return MethodHandles.privateLookupIn(bridge, MethodHandles.lookup())
                .findStaticVarHandle(bridge, TrapBridge.HANDLER_FIELD, Consumer.class);
    }
}
