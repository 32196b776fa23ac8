package dev.oomheapdump.core.job.access;

import java.lang.reflect.Method;

/**
 * Grants async-profiler's module native access on JDK 22+, so that loading its library prints no warning into the
 * host's output. This class is not used where it lies: {@code AsyncProfilerEngine} copies it into a module of its
 * own, beside async-profiler's in a private layer, and has the agent's {@code Instrumentation} open
 * {@code java.lang} to that module alone; nothing else of the host's gains any access.
 */
public final class NativeAccessGrant {

    private NativeAccessGrant() {
    }

    /** Sets the native-access flag of {@code target}, as {@code --enable-native-access} does for boot modules. */
    public static void grant(Module target) throws ReflectiveOperationException {
        Method enable = Module.class.getDeclaredMethod("implAddEnableNativeAccess");
        enable.setAccessible(true);
        enable.invoke(target);
    }
}
