package dev.oomheapdump.core;

import dev.oomheapdump.core.trigger.NativeHookArmer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.PlatformManagedObject;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * After {@code close()} nothing of the suite is left in the JVM: no thread, no GC or memory listener, no changed
 * flag (as the JDK's TestFlightRecorderMXBeanLeak checks for JFR). Listeners are counted through the JDK's own
 * emitter ({@code sun.management.NotificationEmitterSupport.hasListeners}, exported to the tests by surefire).
 */
class OomServiceLeakTest {

    @TempDir
    Path dir;

    @Test
    void closingLeavesNoThreadListenerOrFlagBehind() throws Exception {
        NativeHookArmer flags = new NativeHookArmer();
        String onOom = flags.vmOption(NativeHookArmer.ON_OOM);
        String path = flags.vmOption(NativeHookArmer.PATH);
        assertEquals(List.of(), emittersWithListeners(), "nothing listens before the test");

        for (int round = 0; round < 3; round++) {
            OomService service = OomService.start(OomPolicy.parse("OOMImplementation=GC_MONITORING,directory=" + dir));
            service.updatePolicy(service.policy().with("OOMImplementation", "NATIVE_HOOK"));
            service.updatePolicy(service.policy().with("OOMImplementation", "GC_MONITORING"));
            assertTrue(service.monitorCount() > 0);
            assertFalse(suiteThreads().isEmpty(), "the watcher runs while installed");
            assertFalse(emittersWithListeners().isEmpty(), "a threshold or GC notifications are listened to");
            service.close();

            await().atMost(Duration.ofSeconds(10)).alias("suite threads end after close").until(() -> suiteThreads().isEmpty());
            assertEquals(List.of(), emittersWithListeners());
            assertEquals(0, dev.oomheapdump.core.trigger.HeapGateTest.armedThresholds(), "no memory threshold left set");
            assertEquals(onOom, flags.vmOption(NativeHookArmer.ON_OOM));
            assertEquals(path, flags.vmOption(NativeHookArmer.PATH));
        }
    }

    @Test
    void aStartThatFailsAfterTheMonitorsStartedLeavesNothingBehind() throws Exception {
        HotSpotDiagnosticMXBean platform = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        HotSpotDiagnosticMXBean refusing = (HotSpotDiagnosticMXBean) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[]{HotSpotDiagnosticMXBean.class}, (proxy, method, args) -> {
                    if (method.getName().equals("setVMOption")) {
                        throw new IllegalArgumentException("refused by the test");
                    }
                    return method.invoke(platform, args);
                });
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OomService.start(
                OomPolicy.parse("OOMImplementation=GC_MONITORING,directory=" + dir), new NativeHookArmer(refusing),
                dev.oomheapdump.core.trigger.OomTriggers.jvmMonitors()));
        assertEquals("refused by the test", e.getMessage());
        await().atMost(Duration.ofSeconds(10)).alias("suite threads end after a failed start")
                .until(() -> suiteThreads().isEmpty());
        assertEquals(List.of(), emittersWithListeners(), "the monitors started before the failure are gone");
        assertEquals(0, dev.oomheapdump.core.trigger.HeapGateTest.armedThresholds());
    }

    static List<String> suiteThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith(Daemons.PREFIX)).collect(Collectors.toList());
    }

    /** The platform beans that still have a notification listener. */
    static List<String> emittersWithListeners() throws Exception {
        Class<?> support = Class.forName("sun.management.NotificationEmitterSupport");
        Method hasListeners = support.getMethod("hasListeners");
        List<PlatformManagedObject> beans = new ArrayList<>(ManagementFactory.getGarbageCollectorMXBeans());
        beans.add(ManagementFactory.getMemoryMXBean());
        List<String> listened = new ArrayList<>();
        for (PlatformManagedObject bean : beans) {
            if (support.isInstance(bean) && (boolean) hasListeners.invoke(bean)) {
                listened.add(bean.getObjectName().toString());
            }
        }
        return listened;
    }
}
