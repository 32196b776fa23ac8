package dev.oomheapdump.jconsole;

import dev.oomheapdump.core.format.HprofFile;
import dev.oomheapdump.jconsole.TabState.ArtifactRow;
import dev.oomheapdump.jconsole.TabState.Link;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tab's model against the real bean: in-process, and over a loopback RMI connector like JConsole's. */
class TabModelTest {

    @TempDir
    Path dir;

    private BeanFixture fixture;
    private final AtomicInteger changes = new AtomicInteger();

    @AfterEach
    void close() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    private TabModel model(MBeanServerConnection connection) {
        return new TabModel(() -> connection, changes::incrementAndGet);
    }

    private static Map<String, String> edit(String... keyValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return map;
    }

    @Test
    void readsThePolicyTheHeapAndTheFiles() throws Exception {
        fixture = new BeanFixture(dir, true);
        TabState state = model(fixture.server).connected();

        assertEquals(Link.READY, state.link(), state.toString());
        assertEquals(false, state.policy().heapdumpOnOOM());
        assertEquals("NATIVE_HOOK", state.policy().implementation());
        assertEquals(70, state.policy().threshold());
        assertEquals(3, state.policy().limit());
        assertEquals(dir.toAbsolutePath().normalize().toString(), state.policy().directory());
        assertTrue(state.heap().used() > 0 && state.heap().max() > 0, state.heap().toString());
        assertEquals(List.of(), state.artifacts());
        assertFalse(state.busy());
        assertEquals("", state.problem());
    }

    @Test
    void withoutTheBeanItSaysNotInstalledAndTurnsReadyWhenTheBeanAppears() throws Exception {
        fixture = new BeanFixture(dir, false);
        TabModel model = model(fixture.server);

        TabState missing = model.connected();
        assertEquals(Link.NOT_INSTALLED, missing.link());
        assertEquals(ProcessHandle.current().pid(), missing.pid(), "the pid for the attach command");
        assertNotNull(missing.heap());

        fixture.installBean();
        assertEquals(Link.READY, model.poll().link(), "attached later: the next poll finds the bean");
    }

    @Test
    void applyPolicySendsTheChangedOptionsAndTheNextPollShowsThem() throws Exception {
        fixture = new BeanFixture(dir, true);
        TabModel model = model(fixture.remote());
        model.connected();

        Result result = model.applyPolicy(edit("heapdumpOnOOM", "false", "OOMImplementation", "GC_MONITORING",
                "threshold", "85", "limit", "3", "path", "service-oom", "addTimestamp", "false"));

        assertTrue(result.ok(), result.toString());
        assertTrue(result.message().contains("OOMImplementation=GC_MONITORING,threshold=85,path=service-oom"),
                "only the changed options are sent: " + result.message());
        TabState state = model.poll();
        assertEquals("GC_MONITORING", state.policy().implementation());
        assertEquals(85, state.policy().threshold());
        assertEquals("service-oom", state.policy().path());
        assertEquals(85, fixture.bean().getThreshold());
    }

    @Test
    void theAnalyzeOptionIsReadAndAppliedLikeTheOtherRuntimeOptions() throws Exception {
        fixture = new BeanFixture(dir, true);
        TabModel model = model(fixture.remote());
        assertEquals("off", model.connected().policy().analyze());

        Map<String, String> edited = new LinkedHashMap<>(model.state().policy().options());
        edited.put("analyze", "oom");
        Result result = model.applyPolicy(edited);

        assertTrue(result.ok(), result.toString());
        assertTrue(result.message().startsWith("Policy applied: analyze=oom "), "only analyze is sent: " + result.message());
        assertEquals("oom", model.poll().policy().analyze());
        assertEquals("oom", fixture.bean().getAnalyze());
    }

    @Test
    void aBadAnalyzeValueIsRefusedNextToItsField() throws Exception {
        fixture = new BeanFixture(dir, true);
        TabModel model = model(fixture.remote());
        model.connected();

        Result result = model.applyPolicy(edit("analyze", "sometimes"));

        assertFalse(result.ok());
        assertEquals("analyze", result.field(), result.message());
        assertEquals("off", fixture.bean().getAnalyze());
    }

    @Test
    void aRejectedPolicyNamesItsFieldInThePlainMessageAndChangesNothing() throws Exception {
        fixture = new BeanFixture(dir, true);
        TabModel model = model(fixture.remote());
        model.connected();

        Result result = model.applyPolicy(edit("threshold", "150", "limit", "2"));

        assertFalse(result.ok());
        assertEquals("threshold", result.field());
        assertEquals("Option 'threshold' must be from 1 to 99, not 150", result.message());
        assertEquals(3, fixture.bean().getLimit(), "all or nothing: the valid limit was not applied either");
        assertEquals(3, model.poll().policy().limit());
    }

    @Test
    void aNonNumberIsRejectedByTheBeanNextToItsField() throws Exception {
        fixture = new BeanFixture(dir, true);
        TabModel model = model(fixture.remote());
        model.connected();

        Result result = model.applyPolicy(edit("limit", "lots"));

        assertEquals("limit", result.field(), result.toString());
        assertTrue(result.message().contains("'lots'"), result.message());
    }

    @Test
    void aCommaCannotSmuggleInAnotherOption() throws Exception {
        fixture = new BeanFixture(dir, true);
        TabModel model = model(fixture.server);
        model.connected();

        Result result = model.applyPolicy(edit("path", "x,heapdumpOnOOM=true"));

        assertFalse(result.ok());
        assertEquals("path", result.field());
        assertFalse(fixture.bean().isHeapdumpOnOOM());
    }

    @Test
    void nothingChangedIsNotAnError() throws Exception {
        fixture = new BeanFixture(dir, true);
        TabModel model = model(fixture.server);
        TabState state = model.connected();

        Result result = model.applyPolicy(state.policy().options());

        assertTrue(result.ok());
        assertTrue(result.message().startsWith("Nothing to apply"), result.message());
    }

    @Test
    void aHeapSnapshotOverRemoteJmxIsCompleteListedAndAnnouncedByNotifications() throws Exception {
        fixture = new BeanFixture(dir, true);
        TabModel model = model(fixture.remote());
        model.connected();

        Result result = model.createHeapSnapshot("");

        assertTrue(result.ok(), result.message());
        Path file = Paths.get(result.path());
        assertEquals(dir.toAbsolutePath().normalize(), file.getParent());
        assertTrue(HprofFile.check(file).complete(), HprofFile.check(file).toString());
        await("job.started, file.created and job.ended arrive").atMost(Duration.ofSeconds(10))
                .until(() -> model.notificationCount() >= 3 && changes.get() >= 3);
        ArtifactRow row = row(model, result.path());
        assertEquals("HEAP_SNAPSHOT", row.kind());
        assertTrue(row.complete() && row.thisRun(), row.toString());
        assertEquals(Files.size(file), row.bytes());
    }

    /** The listed file of this path, as the next poll sees it. */
    private static ArtifactRow row(TabModel model, String path) {
        return model.poll().artifacts().stream().filter(a -> a.path().equals(path)).findFirst().orElseThrow();
    }

    @Test
    void aFileAnUploaderRecordedIsShownShippedWithWhereItWent() throws Exception {
        fixture = new BeanFixture(dir, false);
        fixture.installBean();
        TabModel model = model(fixture.server);
        model.connected();
        Result result = model.createHeapSnapshot("");
        assertTrue(result.ok(), result.message());
        Path file = Paths.get(result.path());
        ArtifactRow before = row(model, result.path());
        assertFalse(before.shipped(), before.toString());

        String url = "s3://dumps/prod/host/20260101-120000-1/" + file.getFileName() + ".gz";
        dev.oomheapdump.core.store.ShipLog.append(dir, new dev.oomheapdump.core.store.ShipLog.Shipment(
                file.getFileName().toString(), dev.oomheapdump.core.store.ShipLog.identity(file), url, "00",
                System.currentTimeMillis()));

        ArtifactRow row = await("the bean lists the uploader's record").atMost(Duration.ofSeconds(10))
                .until(() -> row(model, result.path()), ArtifactRow::shipped);
        assertEquals(url, row.shippedTo());
        ArtifactTable table = new ArtifactTable();
        table.setRows(List.of(row, before));
        assertEquals("Shipped", table.getColumnName(6));
        assertEquals("shipped", table.getValueAt(0, 6));
        assertEquals("", table.getValueAt(1, 6));
    }

    @Test
    void shipSaysTheBeansRefusalWhereNoStoreIsSetAndReadsTheStoreWhereOneIs() throws Exception {
        fixture = new BeanFixture(dir, true);
        TabModel model = model(fixture.server);
        assertEquals("", model.connected().policy().ship());
        Result made = model.createHeapSnapshot("");
        Result refused = model.ship(List.of(row(model, made.path())));
        assertFalse(refused.ok());
        assertTrue(refused.message().startsWith("cannot ship " + Paths.get(made.path()).getFileName() + ": ")
                && refused.message().contains("option 'ship' is not set"), refused.message());

        fixture.server.setAttribute(TabModel.BEAN, new javax.management.Attribute("Ship", "s3://dumps/tab"));
        assertEquals("s3://dumps/tab", model.connected().policy().ship());
    }

    @Test
    void aSecondJobIsRefusedWithTheBeansOwnMessageWhileTheFirstShowsItsProgress() throws Exception {
        fixture = new BeanFixture(dir, true);
        TabModel model = model(fixture.remote());
        model.connected();
        CompletableFuture<Result> profile = CompletableFuture.supplyAsync(() -> model.createCpuProfile("", 3000));
        AtomicReference<TabState> busy = new AtomicReference<>();
        await("the profile runs").atMost(Duration.ofSeconds(10))
                .until(() -> {
                    busy.set(model.poll());
                    return busy.get().busy();
                });

        Result refused = model.createHeapSnapshot("");

        assertFalse(refused.ok());
        assertTrue(refused.message().startsWith("Heap snapshot failed: A CPU profile or heap snapshot is already "
                + "being created, please retry later."), refused.message());
        assertFalse(refused.message().contains("Exception"), "no exception class names: " + refused.message());
        TabState.Progress progress = busy.get().progress();
        assertNotNull(progress, busy.get().toString());
        assertEquals(3000, progress.total(), "elapsed against the duration: " + progress);
        assertTrue(progress.label().contains("of 3.0 s"), progress.label());
        Result done = profile.get();
        assertTrue(done.ok(), done.message());
        assertTrue(done.path().endsWith(".jfr"));
        assertFalse(model.poll().busy());
    }

    @Test
    void aBadDurationIsRefusedWithTheBeansMessage() throws Exception {
        fixture = new BeanFixture(dir, true);
        TabModel model = model(fixture.remote());
        model.connected();

        Result result = model.createCpuProfile("", 0);

        assertFalse(result.ok());
        assertTrue(result.message().contains("Duration 0 ms is out of range"), result.message());
    }

    @Test
    void anAllocationProfileIsRecordedWithItsFlameGraphBesideIt() throws Exception {
        fixture = new BeanFixture(dir, true);
        TabModel model = model(fixture.remote());
        model.connected();

        Result result = model.createProfile("", ProfileKind.ALLOC, 300);

        assertTrue(result.ok(), result.message());
        Path jfr = Paths.get(result.path());
        assertTrue(jfr.getFileName().toString().startsWith("allocprofile") && result.path().endsWith(".jfr"),
                result.path());
        assertEquals("Allocation profile written: " + jfr, result.message());
        String flameGraph = result.path().replaceFirst("\\.jfr$", ".html");
        List<ArtifactRow> rows = model.poll().artifacts();
        assertTrue(rows.stream().anyMatch(a -> a.path().equals(flameGraph) && a.cpuProfile() && a.complete()),
                rows.toString());
    }

    @Test
    void aWallClockProfileUnderJfrIsRefusedWithTheBeansReason() throws Exception {
        fixture = new BeanFixture(dir, true, "profiler=jfr");
        TabModel model = model(fixture.remote());
        model.connected();

        Result result = model.createProfile("", ProfileKind.WALL, 1000);

        assertFalse(result.ok());
        assertTrue(result.message().startsWith("Wall-clock profile failed: A wall-clock profile needs async-profiler, "
                + "and profiles here are recorded by JDK Flight Recorder (option profiler=jfr)."), result.message());
        assertFalse(result.message().contains("Exception"), result.message());
        assertEquals(List.of(), model.poll().artifacts(), "nothing recorded");
    }

    /** The operations of an agent older than createProfile. */
    public interface OldAgent {
        String createCpuProfile(String path, long duration);
    }

    @Test
    void anAgentOlderThanCreateProfileStillRecordsCpuProfilesAndSaysWhyNotTheRest() throws Exception {
        javax.management.MBeanServer server = javax.management.MBeanServerFactory.newMBeanServer();
        List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
        server.registerMBean(new javax.management.StandardMBean((OldAgent) (path, duration) -> {
            calls.add(path + " " + duration);
            return "/d/" + path + ".jfr";
        }, OldAgent.class), TabModel.BEAN);
        TabModel model = model(server);

        Result cpu = model.createProfile("old", ProfileKind.CPU, 1000);
        Result alloc = model.createProfile("old", ProfileKind.ALLOC, 1000);

        assertTrue(cpu.ok(), cpu.message());
        assertEquals("CPU profile written: /d/old.jfr", cpu.message());
        assertEquals(List.of("old 1000"), calls, "createCpuProfile, once");
        assertFalse(alloc.ok());
        assertEquals("Allocation profile failed: the agent in this JVM is older than createProfile: it records CPU "
                + "profiles only", alloc.message());
    }

    @Test
    void deleteRemovesTheSelectedFilesAndDeleteAllTheRest() throws Exception {
        fixture = new BeanFixture(dir, true);
        TabModel model = model(fixture.server);
        model.connected();
        String first = model.createHeapSnapshot("first").path();
        String second = model.createHeapSnapshot("second").path();
        String profile = model.createCpuProfile("profile", 200).path();
        List<ArtifactRow> rows = model.poll().artifacts();
        // the profile's flame graph (ProfileFormats jfr,html by default) is listed beside its recording
        assertEquals(4, rows.size(), rows.toString());
        String flameGraph = profile.replaceFirst("\\.jfr$", ".html");
        assertTrue(rows.stream().anyMatch(a -> a.path().equals(flameGraph) && a.cpuProfile()), rows.toString());

        Result deleted = model.delete(rows.stream().filter(a -> a.path().equals(first)).toList());
        assertTrue(deleted.ok(), deleted.message());
        assertFalse(Files.exists(Paths.get(first)));

        Result all = model.deleteAll();
        assertTrue(all.ok(), all.message());
        assertFalse(Files.exists(Paths.get(second)));
        assertFalse(Files.exists(Paths.get(profile)));
        assertFalse(Files.exists(Paths.get(flameGraph)));
        assertEquals(List.of(), model.poll().artifacts());
    }

    @Test
    void deletingAFileTheSuiteDidNotMakeIsRefusedReadably() throws Exception {
        fixture = new BeanFixture(dir, true);
        TabModel model = model(fixture.remote());
        model.connected();
        Path stranger = Files.writeString(dir.resolve("stranger.hprof"), "not ours");

        Result result = model.delete(List.of(new ArtifactRow(stranger.toString(), "HEAP_SNAPSHOT", 8, 0, "COMPLETE",
                "THIS_RUN", "")));

        assertFalse(result.ok());
        assertTrue(result.message().startsWith("cannot delete stranger.hprof: "), result.message());
        assertFalse(result.message().contains("Exception"), result.message());
        assertTrue(Files.exists(stranger));
    }

    @Test
    void afterAReconnectNotificationsArriveOnTheNewConnection() throws Exception {
        fixture = new BeanFixture(dir, true);
        JMXConnector first = fixture.connect();
        AtomicReference<MBeanServerConnection> current = new AtomicReference<>(first.getMBeanServerConnection());
        TabModel model = new TabModel(current::get, changes::incrementAndGet);
        model.connected();
        first.close();

        TabState lost = model.poll();
        assertEquals(Link.DISCONNECTED, lost.link());
        assertTrue(lost.problem().startsWith("Connection problem:"), lost.problem());
        assertEquals(Link.DISCONNECTED, model.disconnected().link());

        current.set(fixture.remote());
        assertEquals(Link.READY, model.connected().link());
        long before = model.notificationCount();
        fixture.bean().applyPolicy("threshold=60");
        await("policy.changed arrives on the new connection").atMost(Duration.ofSeconds(10))
                .until(() -> model.notificationCount() > before);
        assertEquals(60, model.poll().policy().threshold(), "policy.changed makes the next poll re-read the policy");
    }

    @Test
    void connectedTwiceForOneConnectionListensOnce() throws Exception {
        fixture = new BeanFixture(dir, true);
        TabModel model = model(fixture.remote());
        model.connected();
        model.connected();

        fixture.bean().applyPolicy("limit=5");

        await("exactly one policy.changed").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .until(() -> model.notificationCount() == 1);
    }

    @Test
    void theBeanUnregisteredTurnsTheTabBackToNotInstalled() throws Exception {
        fixture = new BeanFixture(dir, true);
        TabModel model = model(fixture.server);
        assertEquals(Link.READY, model.connected().link());

        fixture.server.unregisterMBean(TabModel.BEAN);

        assertEquals(Link.NOT_INSTALLED, model.poll().link());
    }
}
