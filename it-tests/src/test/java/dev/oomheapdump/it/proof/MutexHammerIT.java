package dev.oomheapdump.it.proof;

import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.store.ArtifactStore;
import dev.oomheapdump.core.format.HprofFile;
import dev.oomheapdump.core.format.JfrFile;
import dev.oomheapdump.it.ChildJvm;
import dev.oomheapdump.it.ChildOutputOnFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import javax.management.Notification;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Eight remote clients, each on its own connection, ask 50 times each for heap snapshots and 20 ms CPU
 * profiles. Exactly one job runs at a time (never two temporary files, never two IN_PROGRESS artifacts,
 * job notifications strictly alternate started/ended), every other request is refused at once with the
 * original module's words plus what runs, nothing deadlocks, and no temporary file is left.
 */
@ExtendWith(ChildOutputOnFailure.class)
class MutexHammerIT {

    private static final int CLIENTS = 8;
    private static final int REQUESTS = 50;
    private static final Pattern REFUSAL = Pattern.compile(Pattern.quote(Remote.BUSY)
            + " Running: (heap snapshot|CPU profile) 'c\\d-\\d+\\.(hprof|jfr)' since \\S+ \\(\\d+\\.\\d s ago\\)");
    /** The main temporary file of a job (JDK 22+ segments, {@code .hprof.pN}, belong to the same job). */
    private static final Pattern TEMPORARY = Pattern.compile("\\..+\\.inprogress\\.(hprof|jfr)");

    @TempDir
    Path dir;

    @Test
    void eightClientsGetOneJobAtATimeAndClearRefusals() throws Exception {
        try (ChildJvm child = Proof.start(Proof.app().heap("64m").agent("").directory(dir))) {
            Remote observer = Proof.remote(child);
            List<Notification> notifications = Collections.synchronizedList(new ArrayList<>());
            observer.connection().addNotificationListener(Remote.BEAN, (n, handback) -> notifications.add(n), null, null);
            List<Remote> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(Proof.remote(child));
            }

            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger mostTemporaryFiles = new AtomicInteger();
            AtomicInteger mostInProgress = new AtomicInteger();
            List<String> samplerErrors = Collections.synchronizedList(new ArrayList<>());
            Thread sampler = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        int temporaries = (int) Remote.listing(dir).keySet().stream()
                                .filter(n -> TEMPORARY.matcher(n).matches()).count();
                        mostTemporaryFiles.accumulateAndGet(temporaries, Math::max);
                        int inProgress = (int) observer.artifacts().stream()
                                .filter(a -> "IN_PROGRESS".equals(a.get("state"))).count();
                        mostInProgress.accumulateAndGet(inProgress, Math::max);
                    } catch (RuntimeException e) {
                        samplerErrors.add(e.toString());
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // pacing, not waiting
                }
            }, "proof-sampler");
            sampler.setDaemon(true);
            sampler.start();

            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            List<Future<List<Object>>> results = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                Remote client = clients.get(i);
                int c = i;
                results.add(pool.submit(() -> hammer(client, c)));
            }
            pool.shutdown();
            if (!pool.awaitTermination(3, TimeUnit.MINUTES)) {
                pool.shutdownNow();
                fail("the clients did not finish within 3 minutes (deadlock?); the child's threads:\n"
                        + observer.threadDump());
            }
            stop.set(true);
            sampler.join(TimeUnit.SECONDS.toMillis(10));

            List<String> created = new ArrayList<>();
            List<String> refusals = new ArrayList<>();
            for (Future<List<Object>> result : results) {
                for (Object outcome : result.get()) {
                    if (outcome instanceof String) {
                        created.add((String) outcome);
                    } else {
                        Throwable t = (Throwable) outcome;
                        assertTrue(t instanceof IllegalStateException && REFUSAL.matcher(t.getMessage()).matches(),
                                "every failure is the busy refusal naming what runs: " + t);
                        refusals.add(t.getMessage());
                    }
                }
            }
            System.out.println("MutexHammerIT: " + created.size() + " jobs ran, " + refusals.size() + " refused");
            assertEquals(CLIENTS * REQUESTS, created.size() + refusals.size());
            assertEquals(created.size(), new HashSet<>(created).size(), "every job wrote its own file");
            assertTrue(created.stream().anyMatch(p -> p.endsWith(".hprof")) && created.stream().anyMatch(p -> p.endsWith(".jfr")),
                    "both kinds of job got through: " + created);
            assertEquals(List.of(), samplerErrors);
            assertTrue(mostTemporaryFiles.get() <= 1, "at most one job writes at a time; seen "
                    + mostTemporaryFiles.get() + " temporary files at once");
            assertTrue(mostInProgress.get() <= 1, "at most one IN_PROGRESS artifact; seen " + mostInProgress.get());

            // the job notifications of the whole run: started, ended, started, ended...
            child.await(Duration.ofSeconds(30), "one job.ended notification per job")
                    .until(() -> jobEvents(notifications).stream().filter(n -> n.getType().endsWith("job.ended")).count()
                            == created.size());
            List<Notification> jobs = jobEvents(notifications);
            assertEquals(2 * created.size(), jobs.size(), "no job started that did not write a file");
            for (int i = 0; i < jobs.size(); i += 2) {
                Notification started = jobs.get(i);
                Notification ended = jobs.get(i + 1);
                assertTrue(started.getType().endsWith("job.started") && ended.getType().endsWith("job.ended"),
                        "jobs never overlap: " + started.getType() + " then " + ended.getType() + " at " + i);
                assertEquals(data(started).get("path"), data(ended).get("path"));
                assertEquals("true", data(ended).get("ok"), "every job that started wrote its file: " + data(ended));
            }

            assertFalse(observer.busy());
            assertEquals("", observer.currentJob());
            assertEquals(List.of(), Remote.temporaries(dir), "no stray temporary file");
            Set<String> heaps = created.stream().filter(p -> p.endsWith(".hprof")).collect(Collectors.toSet());
            Set<String> profiles = created.stream().filter(p -> p.endsWith(".jfr")).collect(Collectors.toSet());
            assertEquals(heaps, Set.copyOf(observer.heapSnapshots()));
            assertEquals(profiles, Set.copyOf(observer.cpuProfiles()));
            for (String heap : heaps) {
                assertTrue(HprofFile.check(Path.of(heap)).complete(), heap);
            }
            for (String profile : profiles) {
                assertTrue(JfrFile.check(Path.of(profile)).complete(), profile);
            }
            List<Artifact> store = new ArtifactStore(dir).list();
            // each profile leaves its flame graph beside it (profileFormats=jfr,html by default)
            assertEquals(created.size() + profiles.size(), store.size(), "the index knows exactly the files made: " + store);
            assertTrue(store.stream().allMatch(Artifact::isComplete), store.toString());

            observer.invoke("deleteAllHeapSnapshots");
            observer.invoke("deleteAllCpuProfiles");
            assertEquals(Set.of(ArtifactStore.INDEX_NAME), Remote.listing(dir).keySet());
        }
    }

    /** One client's requests, alternating kinds; outcomes are paths or what the client caught. */
    private static List<Object> hammer(Remote client, int c) {
        List<Object> outcomes = new ArrayList<>();
        for (int r = 0; r < REQUESTS; r++) {
            // pacing, not waiting: spreads the requests over a few seconds so that many jobs get through
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ThreadLocalRandom.current().nextInt(20)));
            String name = "c" + c + "-" + r;
            try {
                outcomes.add((c + r) % 2 == 0 ? client.createHeapSnapshot(name) : client.createCpuProfile(name, 20));
            } catch (RuntimeException e) {
                outcomes.add(Remote.unwrap(e));
            }
        }
        return outcomes;
    }

    private static List<Notification> jobEvents(List<Notification> notifications) {
        synchronized (notifications) {
            return notifications.stream().filter(n -> n.getType().endsWith(".job.started") || n.getType().endsWith(".job.ended"))
                    .sorted(Comparator.comparingLong(Notification::getSequenceNumber)).collect(Collectors.toList());
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> data(Notification n) {
        return (Map<String, String>) n.getUserData();
    }
}
