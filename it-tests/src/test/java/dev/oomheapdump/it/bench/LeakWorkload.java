package dev.oomheapdump.it.bench;

import com.sun.management.GarbageCollectionNotificationInfo;

import javax.management.MBeanServer;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * A service that leaks until it runs out of heap, for the catch-rate benchmark. It first fills the heap to
 * {@code prefill} percent quickly, then leaks {@code leakMBps} MB/s (0: as fast as it can) while making
 * {@code churnMBps} MB/s of short-lived garbage, so that collections come as in a busy service.
 *
 * <p>It prints, with {@link System#currentTimeMillis()} stamps:
 * <ul>
 *   <li>{@code NOTE <type> <timestamp> key=value...}: every notification of the oom-heapdump MBean (the
 *   timestamp is when the agent emitted it)</li>
 *   <li>{@code GCN <heap used after> <receipt ms> <collector>}: when its own GC listener, a plain one,
 *   received a collection's notification (only above half the heap)</li>
 *   <li>{@code LEAKING <ms>} when the prefill is done, {@code OOM <ms> <message>} when the
 *   OutOfMemoryError reached it; then it waits for the agent to finish (Busy false) and exits with code 3</li>
 * </ul>
 * The leak is kept after the OOM (a 4 MiB reserve is dropped instead), so that a dump made late still holds it.
 */
public final class LeakWorkload {

    private static final List<Object> LEAK = new ArrayList<>();
    private static byte[] reserve = new byte[4 << 20];
    private static volatile long sink;

    private LeakWorkload() {
    }

    public static void main(String[] args) throws Exception {
        int prefill = Integer.parseInt(args[0]);
        double leakMBps = Double.parseDouble(args[1]);
        double churnMBps = Double.parseDouble(args[2]);
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName bean = new ObjectName("dev.oomheapdump:type=OomHeapdump");
        if (agentLoaded()) {
            // The agent registers its MBean on a thread of its own, off the application's start: wait for it.
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!server.isRegistered(bean) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            server.addNotificationListener(bean, (n, hb) -> printNote(n), null, null);
        }
        listenToGcs();
        long max = Runtime.getRuntime().maxMemory();
        try {
            long leaked = 0;
            while (leaked < max * prefill / 100) {
                leaked += leakOne();
            }
            System.out.println("LEAKING " + System.currentTimeMillis());
            long start = System.nanoTime();
            long garbage = 0;
            long leakedSinceStart = 0;
            while (true) {
                double elapsed = (System.nanoTime() - start) / 1e9;
                boolean idle = true;
                if (leakMBps <= 0 || leakedSinceStart < leakMBps * 1e6 * elapsed) {
                    leakedSinceStart += leakOne();
                    idle = false;
                }
                if (leakMBps > 0 && garbage < churnMBps * 1e6 * elapsed) {
                    garbage += churn();
                    idle = false;
                }
                if (idle) {
                    LockSupport.parkNanos(200_000);
                }
            }
        } catch (OutOfMemoryError e) {
            reserve = null;
            System.out.println("OOM " + System.currentTimeMillis() + " " + e.getMessage());
            System.out.flush();
            awaitAgent(server, bean);
            System.exit(3);
        }
    }

    /** Leaks 64 KiB: one array and a small holder. */
    private static long leakOne() {
        LEAK.add(new Object[]{new byte[64 << 10], Long.valueOf(LEAK.size())});
        return (64 << 10) + 64;
    }

    /** 64 KiB of short-lived small objects. */
    private static long churn() {
        long h = 0;
        for (int i = 0; i < 1024; i++) {
            h += new long[4].length + Integer.toString(i).length();
        }
        sink = h;
        return 64 << 10;
    }

    private static boolean agentLoaded() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-javaagent:") && a.contains("oom-heapdump-agent"));
    }

    private static void printNote(Notification n) {
        Object data = n.getUserData();
        String fields = data instanceof Map ? new TreeMap<>((Map<?, ?>) data).entrySet().stream()
                .map(e -> e.getKey() + "=" + String.valueOf(e.getValue()).replace(' ', '_'))
                .collect(Collectors.joining(" ")) : "";
        System.out.println("NOTE " + n.getType() + " " + n.getTimeStamp() + " " + fields);
    }

    private static void listenToGcs() {
        Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
        long max = Runtime.getRuntime().maxMemory();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener((n, hb) -> {
                long received = System.currentTimeMillis();
                GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                long used = 0;
                for (Map.Entry<String, MemoryUsage> pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                    if (heapPools.contains(pool.getKey())) {
                        used += pool.getValue().getUsed();
                    }
                }
                if (used > max / 2) {
                    System.out.println("GCN " + used + " " + received + " " + info.getGcName().replace(' ', '_'));
                }
            }, n -> GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType()), null);
        }
    }

    /** Waits (at most 2 minutes) until the agent has no dump in flight, so that its notifications are printed. */
    private static void awaitAgent(MBeanServer server, ObjectName bean) {
        try {
            if (!server.isRegistered(bean)) {
                return;
            }
            long deadline = System.nanoTime() + 120_000_000_000L;
            Thread.sleep(300);
            while (System.nanoTime() < deadline && Boolean.TRUE.equals(server.getAttribute(bean, "Busy"))) {
                Thread.sleep(50);
            }
            Thread.sleep(1500);
        } catch (Exception | OutOfMemoryError e) {
            // exit anyway
        }
    }
}
