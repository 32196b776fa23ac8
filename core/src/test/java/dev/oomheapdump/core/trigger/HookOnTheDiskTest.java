package dev.oomheapdump.core.trigger;

import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.OomEvents;
import dev.oomheapdump.core.OomPolicy;
import dev.oomheapdump.core.store.ArtifactStore;
import dev.oomheapdump.core.Sizes;
import dev.oomheapdump.core.store.DiskGuard;
import dev.oomheapdump.core.store.DumpEstimate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JVM's hook and the disk: its dump is written compressed at the policy's {@code gzip} level by the JVM itself,
 * and the hook is disarmed while its dump would not fit ({@code minFreeDisk}), armed again when it fits.
 */
class HookOnTheDiskTest {

    private static final long GIB = 1L << 30;

    @TempDir
    Path dir;

    private final FakeHotSpot hotspot = new FakeHotSpot();
    /** The disk: 200 GiB, of which {@code free} are free; the heap's maximum is 4 GiB (a dump of about 5.2 GiB). */
    private final AtomicLong free = new AtomicLong(100 * GIB);
    private OomTriggers triggers;
    private OomPolicy policy;

    private OomTriggers start(String options) throws Exception {
        policy = OomPolicy.parse(options + (options.isEmpty() ? "" : ",") + "directory=" + dir);
        HookRoom room = new HookRoom(new DiskGuard(dir, free::get, () -> 200 * GIB), () -> 4 * GIB, 0);
        triggers = new OomTriggers(policy, new ArtifactStore(dir), this::write, new NativeHookArmer(hotspot),
                t -> List.of(), new OomEvents(), Clock.systemUTC(), room);
        triggers.apply(policy);
        return triggers;
    }

    private Optional<Artifact> write(String fileName, String reason, Map<String, String> details) {
        return Optional.empty();
    }

    private void change(String key, String value) {
        policy = policy.with(key, value);
        triggers.apply(policy);
    }

    @AfterEach
    void close() {
        if (triggers != null) {
            triggers.close();
        }
    }

    @Test
    void underGzipTheJvmWritesAHprofGzAtThatLevel() throws Exception {
        start("gzip=3,path=crash");
        assertTrue(hotspot.armed());
        assertEquals(dir.resolve("crash.hprof.gz").toString(), hotspot.options.get(NativeHookArmer.PATH));
        assertEquals("3", hotspot.options.get(NativeHookArmer.GZIP_LEVEL));

        change("gzip", "0");
        assertEquals(dir.resolve("crash.hprof").toString(), hotspot.options.get(NativeHookArmer.PATH));
        assertEquals("0", hotspot.options.get(NativeHookArmer.GZIP_LEVEL), "plain, whatever the JVM was told before");
        triggers.close();
        assertEquals("0", hotspot.options.get(NativeHookArmer.GZIP_LEVEL));
        assertFalse(hotspot.armed());
    }

    @Test
    void theHookIsDisarmedWhileItsDumpWouldNotFitAndArmedAgainWhenItFits() throws Exception {
        start("");
        assertTrue(hotspot.armed());
        assertEquals(Optional.empty(), triggers.hookDisarmedForDisk());

        // the hook's dump of a 4 GiB heap: about 5.2 GiB, twice that on a JDK that merges segments
        long needs = DumpEstimate.ofHook(4 * GIB, 0).peakBytes();
        free.set(10 * GIB + needs - GIB); // leaves less than the 10 GiB that 5% of 200 GiB keeps
        triggers.checkHookRoom();
        assertFalse(hotspot.armed(), "disarmed while its dump would not fit");
        String why = triggers.hookDisarmedForDisk().orElseThrow();
        assertTrue(why.contains("needs about " + Sizes.human(needs)) && why.contains("has "
                + Sizes.human(free.get()) + " free") && why.contains("minFreeDisk=5% keeps 10.0 GiB"), why);

        free.set(10 * GIB + needs + GIB);
        triggers.checkHookRoom();
        assertTrue(hotspot.armed(), "armed again once it fits");
        assertTrue(hotspot.options.get(NativeHookArmer.PATH).startsWith(dir.toString()));
        assertEquals(Optional.empty(), triggers.hookDisarmedForDisk());
    }

    @Test
    void aPolicyChangeLooksAtOnce() throws Exception {
        start("minFreeDisk=199g");
        assertFalse(hotspot.armed(), "never armed: 100 GiB less the dump leaves less than 199 GiB");
        change("minFreeDisk", "80g");
        assertTrue(hotspot.armed());
        change("gzip", "1");
        assertTrue(hotspot.armed(), "compressed, the dump needs less");
        assertTrue(hotspot.options.get(NativeHookArmer.PATH).endsWith(".hprof.gz"));
    }

    @Test
    void aHookThePolicyDoesNotWantIsNotReportedForTheDisk() throws Exception {
        start("heapdumpOnOOM=false,minFreeDisk=199g");
        assertFalse(hotspot.armed());
        assertEquals(Optional.empty(), triggers.hookDisarmedForDisk(), "off by the policy, not by the disk");
    }
}
