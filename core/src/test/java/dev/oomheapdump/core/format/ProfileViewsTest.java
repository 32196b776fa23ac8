package dev.oomheapdump.core.format;

import dev.oomheapdump.core.ArtifactKind;
import dev.oomheapdump.core.OomPolicy;
import dev.oomheapdump.core.ProfileEvent;
import dev.oomheapdump.core.ProfileFormat;
import dev.oomheapdump.core.job.JobGuard;
import dev.oomheapdump.core.job.Profiler;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProfileViewsTest {

    @TempDir
    static Path dir;
    private static Path jfr;

    @BeforeAll
    static void record() throws Exception {
        jfr = dir.resolve("p.jfr");
        Thread busy = new Thread(() -> {
            long x = 0;
            while (!Thread.currentThread().isInterrupted()) {
                x += Long.toString(x ^ System.nanoTime()).hashCode();
            }
        });
        busy.start();
        try (JobGuard.Ticket ticket = new JobGuard().tryAcquire(ArtifactKind.CPU_PROFILE, "p.jfr")) {
            new Profiler(dir).record(jfr, ProfileEvent.CPU, Duration.ofSeconds(1), ticket, true);
        } finally {
            busy.interrupt();
            busy.join();
        }
    }

    @Test
    void everyViewIsWrittenCompleteAndACutOneIsNamed() throws Exception {
        for (ProfileFormat format : EnumSet.complementOf(EnumSet.of(ProfileFormat.JFR))) {
            Path view = dir.resolve("p" + format.extension());
            ProfileViews.write(jfr, ProfileEvent.CPU, format, view, "a title");
            assertNull(ProfileViews.problem(view), format + " complete");
            byte[] bytes = Files.readAllBytes(view);
            Path cut = dir.resolve("cut" + format.extension());
            Files.write(cut, Arrays.copyOf(bytes, bytes.length - (format == ProfileFormat.PPROF ? 3 : 9)));
            assertTrue(ProfileViews.problem(cut) != null, format + " cut is told");
        }
        assertTrue(Files.readString(dir.resolve("p.html")).contains("a title"));
        assertEquals(ProfileEvent.CPU, ProfileViews.recordedEvent(jfr).orElseThrow());
    }

    @Test
    void profileFormatsIsAListInAgentArguments() {
        OomPolicy policy = OomPolicy.parse("profileFormats=html,collapsed,pprof,limit=2");
        assertEquals(EnumSet.allOf(ProfileFormat.class), policy.profileFormats(), "jfr is always kept");
        assertEquals(2, policy.limit());
        assertEquals("jfr,html,collapsed,pprof", policy.toMap().get(OomPolicy.PROFILE_FORMATS));
        assertEquals(ProfileFormat.DEFAULT, OomPolicy.defaults().profileFormats());
        assertEquals(EnumSet.of(ProfileFormat.JFR), OomPolicy.parse("profileFormats=jfr").profileFormats());
        assertEquals(policy, OomPolicy.parse(policy.toString()), "the policy's text reads back");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OomPolicy.parse("profileFormats=html,svg"));
        assertTrue(e.getMessage().contains("'svg'") && e.getMessage().contains("profileFormats"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> OomPolicy.parse("profiler=perf"));
        assertTrue(e.getMessage().contains("perf") && e.getMessage().contains("auto or jfr"), e.getMessage());
        assertEquals(OomPolicy.ProfilerChoice.JFR, OomPolicy.parse("profiler=jfr").profiler());
    }
}
