package dev.oomheapdump.core.trigger;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.instrument.Instrumentation;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The child JVM's {@code Premain-Class}. Its argument picks the handler; every handler prints one line that
 * starts with {@code TRAP}, so the test can tell its lines from anything else.
 */
public final class TrapAgent {

    static volatile Instrumentation inst;
    static volatile OomTrap trap;

    private TrapAgent() {
    }

    public static void premain(String args, Instrumentation instrumentation) {
        inst = instrumentation;
        String mode = args == null ? "print" : args;
        if (mode.equals("none")) {
            return;
        }
        trap = OomTrap.install(instrumentation, handler(mode)).orElse(null);
        if (trap == null) {
            System.out.println("TRAP install-failed " + OomTrap.lastFailure());
        }
    }

    static Consumer<OutOfMemoryError> handler(String mode) {
        if (mode.equals("print")) {
            return TrapAgent::print;
        }
        if (mode.equals("throw")) {
            return e -> {
                print(e);
                throw new IllegalStateException("handler failure that must not reach the application");
            };
        }
        if (mode.equals("reenter-new")) {
            return e -> {
                print(e);
                throw new OutOfMemoryError("thrown by the handler itself");
            };
        }
        if (mode.equals("reenter-direct")) {
            return e -> {
                print(e);
                List<ByteBuffer> hold = new ArrayList<>();
                while (true) {
                    hold.add(ByteBuffer.allocateDirect(1 << 20));
                }
            };
        }
        if (mode.equals("slow")) {
            return e -> {
                print(e);
                try {
                    Thread.sleep(1500);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
                System.out.println("TRAP handler-done " + e.getMessage());
            };
        }
        if (mode.startsWith("dump:")) {
            String file = mode.substring("dump:".length());
            return e -> {
                print(e);
                try {
                    ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(file, false);
                    System.out.println("TRAP dumped");
                } catch (Exception failed) {
                    System.out.println("TRAP dump-failed " + failed);
                }
            };
        }
        throw new IllegalArgumentException(mode);
    }

    static void print(OutOfMemoryError e) {
        System.out.println("TRAP " + e.getClass().getName() + " " + e.getMessage());
    }
}
