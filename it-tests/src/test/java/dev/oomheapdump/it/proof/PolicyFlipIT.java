package dev.oomheapdump.it.proof;

import dev.oomheapdump.core.format.HprofFile;
import dev.oomheapdump.it.ChildJvm;
import dev.oomheapdump.it.ChildOutputOnFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import javax.management.Notification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The policy is switched back and forth (NATIVE_HOOK and GC_MONITORING, on and off, new names), one switch
 * at a time and then from four clients at once, while the application leaks slowly. After every switch the
 * JVM holds exactly as many GC monitors as the policy calls for (0 or 1, counted in a class histogram over
 * JMX, so a leaked or doubled listener shows), and HotSpot's hook flags, read over JMX, are armed on a fresh
 * file in the directory or restored to the JVM's own values ({@code false}, empty). At the end the monitor
 * still works, dumps never exceed the limit, and every dump the policy counted is a complete file.
 */
@ExtendWith(ChildOutputOnFailure.class)
class PolicyFlipIT {

    private static final String MONITOR_CLASS = "dev.oomheapdump.core.trigger.HeapGate";
    private static final int LIMIT = 3;

    @TempDir
    Path dir;

    /** A policy state and how to reach it from a client. */
    private static final class Flip {
        final boolean on;
        final String implementation;
        final String path;

        Flip(boolean on, String implementation, String path) {
            this.on = on;
            this.implementation = implementation;
            this.path = path;
        }

        /** Alternates the three ways a client changes the policy. */
        void apply(Remote remote, int way) {
            switch (way % 3) {
                case 0:
                    remote.applyPolicy("heapdumpOnOOM=" + on + ",OOMImplementation=" + implementation + ",path=" + path);
                    break;
                case 1:
                    remote.set("OOMImplementation", implementation);
                    remote.set("Path", path);
                    remote.set("HeapdumpOnOOM", on);
                    break;
                default:
                    remote.set("HeapdumpOnOOM", on);
                    remote.applyPolicy("OOMImplementation=" + implementation.toLowerCase(java.util.Locale.ROOT) + ",path=" + path);
            }
        }

        @Override
        public String toString() {
            return "heapdumpOnOOM=" + on + "," + implementation + ",path=" + path;
        }
    }

    private static final List<Flip> STATES = List.of(
            new Flip(true, "NATIVE_HOOK", "flip-a"),
            new Flip(false, "NATIVE_HOOK", "flip-a"),
            new Flip(true, "GC_MONITORING", "flip-a"),
            new Flip(true, "NATIVE_HOOK", "flip-b"),
            new Flip(false, "GC_MONITORING", "flip-b"),
            new Flip(true, "GC_MONITORING", "flip-b"),
            new Flip(false, "NATIVE_HOOK", "flip-c"),
            new Flip(true, "GC_MONITORING", "flip-c"),
            new Flip(false, "GC_MONITORING", "flip-c"),
            new Flip(true, "NATIVE_HOOK", "flip-c"),
            new Flip(true, "GC_MONITORING", "flip-a"),
            new Flip(true, "NATIVE_HOOK", "flip-a"));

    @Test
    void switchingThePolicyNeverLeavesTwoMonitorsALostListenerOrStaleHookFlags() throws Exception {
        try (ChildJvm child = Proof.start(Proof.app().heap("128m")
                .agent("OOMImplementation=NATIVE_HOOK,threshold=25,limit=" + LIMIT).directory(dir))) {
            Remote remote = Proof.remote(child);
            List<Notification> notifications = Collections.synchronizedList(new ArrayList<>());
            remote.connection().addNotificationListener(Remote.BEAN, (n, h) -> notifications.add(n), null, null);
            assertPolicyHolds(remote, STATES.get(0).on, "NATIVE_HOOK");

            Proof.command(child, "leak 64 10 40", "LEAKING", Duration.ofSeconds(10));

            // one switch at a time, each followed by the checks
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < STATES.size(); i++) {
                    Flip flip = STATES.get(i);
                    flip.apply(remote, round + i);
                    assertEquals(flip.on, remote.get("HeapdumpOnOOM"), flip.toString());
                    assertEquals(flip.implementation, remote.get("OOMImplementation"), flip.toString());
                    assertEquals(flip.path, remote.get("Path"), flip.toString());
                    assertPolicyHolds(remote, flip.on, flip.implementation);
                }
            }

            // four clients switching at once, then one final state
            List<Remote> clients = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                clients.add(Proof.remote(child));
            }
            ExecutorService pool = Executors.newFixedThreadPool(clients.size());
            List<Future<?>> switches = new ArrayList<>();
            for (int c = 0; c < clients.size(); c++) {
                Remote client = clients.get(c);
                int offset = c * 5;
                switches.add(pool.submit(() -> {
                    for (int i = 0; i < 2 * STATES.size(); i++) {
                        STATES.get((offset + i) % STATES.size()).apply(client, offset + i);
                    }
                    return null;
                }));
            }
            pool.shutdown();
            if (!pool.awaitTermination(2, TimeUnit.MINUTES)) {
                pool.shutdownNow();
                fail("concurrent switches did not finish (deadlock?):\n" + remote.threadDump());
            }
            for (Future<?> f : switches) {
                f.get();
            }
            for (Flip flip : List.of(new Flip(true, "GC_MONITORING", "final"), new Flip(false, "GC_MONITORING", "final"),
                    new Flip(true, "NATIVE_HOOK", "final"))) {
                flip.apply(remote, 0);
                assertPolicyHolds(remote, flip.on, flip.implementation);
            }

            // under NATIVE_HOOK the monitor does not dump, however full the heap after a GC
            int before = remote.oomDumpCount();
            Proof.command(child, "fill 50", "FILLED", Duration.ofSeconds(30));
            long collections = remote.collections();
            child.await(Duration.ofSeconds(30), "three more collections").until(() -> remote.collections() >= collections + 3);
            assertEquals(before, remote.oomDumpCount(), "no monitor dump under NATIVE_HOOK");

            // after all the switching the monitor's listener still hears the collector
            remote.set("OOMImplementation", "GC_MONITORING");
            child.await(Duration.ofSeconds(60), "the monitor dumps the full heap after a GC")
                    .until(() -> remote.oomDumpCount() > before);
            child.await(Duration.ofSeconds(60), "the dump is written").until(() -> !remote.busy()
                    && remote.artifacts().stream().noneMatch(a -> "IN_PROGRESS".equals(a.get("state"))));
            int count = remote.oomDumpCount();
            System.out.println("PolicyFlipIT: " + before + " monitor dumps while switching, " + count + " in all");
            assertTrue(count <= LIMIT, "at most limit=" + LIMIT + " dumps: " + count);
            List<Map<String, Object>> dumps = new ArrayList<>();
            for (Map<String, Object> a : remote.artifacts()) {
                if ("OOM_DUMP".equals(a.get("kind"))) {
                    dumps.add(a);
                }
            }
            assertEquals(count, dumps.size(), "one file per counted dump: " + dumps);
            for (Map<String, Object> dump : dumps) {
                assertEquals("COMPLETE", dump.get("state"), dump.toString());
                assertTrue(HprofFile.check(Path.of((String) dump.get("path"))).complete(), dump.toString());
            }
            child.await(Duration.ofSeconds(30), "every dump was notified")
                    .until(() -> events(notifications, "oom.dump.created") == count);
            assertEquals(count, events(notifications, "oom.dump.started"), "one start per dump, none doubled");
            assertEquals(0, events(notifications, "oom.dump.failed"));

            // at the limit the monitor lets go of the hook; NATIVE_HOOK takes it again; off restores the JVM's values
            remote.set("Limit", count);
            assertHook(remote, false);
            assertEquals(1, remote.liveInstances(MONITOR_CLASS), "still monitoring, with one monitor");
            remote.set("OOMImplementation", "NATIVE_HOOK");
            assertHook(remote, true);
            remote.set("HeapdumpOnOOM", false);
            assertPolicyHolds(remote, false, "NATIVE_HOOK");
            assertEquals(count, remote.oomDumpCount());
        }
    }

    /** One monitor exactly when monitoring, the hook armed exactly when on (the limit is not reached here). */
    private static void assertPolicyHolds(Remote remote, boolean on, String implementation) {
        long monitors = on && implementation.equals("GC_MONITORING") ? 1 : 0;
        // a collection notification in flight may hold a closed monitor for a moment: wait a little, boundedly
        org.awaitility.Awaitility.await("GC monitors in the JVM: " + monitors + " (" + implementation
                + (on ? "" : ", off") + ")").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> remote.liveInstances(MONITOR_CLASS) == monitors);
        boolean armed = on && (implementation.equals("NATIVE_HOOK") || remote.oomDumpCount() < (Integer) remote.get("Limit"));
        assertHook(remote, armed);
    }

    private static void assertHook(Remote remote, boolean armed) {
        String flag = remote.vmOption("HeapDumpOnOutOfMemoryError");
        String path = remote.vmOption("HeapDumpPath");
        if (!armed) {
            assertEquals("false", flag, "the hook is off again");
            assertEquals("", path, "HeapDumpPath is the JVM's own value again");
            return;
        }
        assertEquals("true", flag, "the hook is armed");
        String directory = (String) remote.get("Directory");
        String name = (String) remote.get("Path");
        assertTrue(Pattern.matches(Pattern.quote(directory + "/" + name) + "(-\\d+)?\\.hprof", path),
                "HeapDumpPath is the OOM dump's file in the directory (" + name + "): " + path);
        assertFalse(Files.exists(Path.of(path)), "the hook's file does not exist yet (HotSpot refuses an existing one): "
                + path);
    }

    private static long events(List<Notification> notifications, String type) {
        synchronized (notifications) {
            return notifications.stream().filter(n -> n.getType().equals(Remote.NOTIFICATION_PREFIX + type)).count();
        }
    }
}
