package dev.oomheapdump.jconsole;

import dev.oomheapdump.jconsole.TabState.ArtifactRow;
import dev.oomheapdump.jconsole.TabState.Heap;
import dev.oomheapdump.jconsole.TabState.Policy;
import dev.oomheapdump.jconsole.TabState.Progress;
import org.junit.jupiter.api.Test;

import javax.management.InstanceNotFoundException;
import javax.management.MBeanException;
import javax.management.ReflectionException;
import javax.management.RuntimeMBeanException;
import java.io.IOException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.List;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the user reads: unwrapped messages, the field an error is about, the progress of a job. */
class ErrorsAndProgressTest {

    @Test
    void theBeansMessageComesOutOfEveryWrapper() {
        IllegalStateException busy = new IllegalStateException("A CPU profile or heap snapshot is already being "
                + "created, please retry later.");
        Throwable wrapped = new ExecutionException(new UndeclaredThrowableException(
                new MBeanException(new RuntimeMBeanException(busy, "java.lang.IllegalStateException: ..."))));

        assertEquals(busy.getMessage(), Errors.message(wrapped));
    }

    @Test
    void aConnectionFailureSaysSo() {
        assertEquals("Connection problem: Connection refused",
                Errors.message(new ReflectionException(new IOException("Connection refused\n\tat somewhere"))));
    }

    @Test
    void aMissingBeanIsNamed() {
        assertTrue(Errors.message(new InstanceNotFoundException("dev.oomheapdump:type=OomHeapdump"))
                .startsWith("The oom-heapdump MBean is not registered"));
    }

    @Test
    void anExceptionWithoutMessageShowsItsName() {
        assertEquals("NullPointerException", Errors.message(new RuntimeMBeanException(new NullPointerException())));
    }

    @Test
    void theFieldIsTheOptionTheMessageNames() {
        assertEquals("threshold", Errors.field("Option 'threshold' must be from 1 to 99, not 150", Policy.RUNTIME_KEYS));
        assertEquals("OOMImplementation", Errors.field("Option 'OOMImplementation' must be NATIVE_HOOK or "
                + "GC_MONITORING, not 'X'", Policy.RUNTIME_KEYS));
        assertEquals("", Errors.field("Option 'port' cannot change while the JVM runs", Policy.RUNTIME_KEYS));
        assertEquals("", Errors.field("disk full", Policy.RUNTIME_KEYS));
    }

    private static ArtifactRow writing(String kind, long bytes) {
        return new ArtifactRow("/d/x" + ("CPU_PROFILE".equals(kind) ? ".jfr" : ".hprof"), kind, bytes, 1, "IN_PROGRESS",
                "THIS_RUN", "being written");
    }

    @Test
    void aHeapDumpProgressesInBytesWrittenAgainstTheHeapInUseAtItsStart() {
        TabModel.OwnJob own = new TabModel.OwnJob("Heap snapshot", 0, 0, 40L << 20);

        Progress p = TabModel.progress(List.of(writing("HEAP_SNAPSHOT", 10L << 20)), new Heap(99L << 20, 0, 0), "", own, 5);

        assertEquals(250, p.permille());
        assertEquals("Writing x.hprof: 10.0 MiB of about 40.0 MiB", p.label());
    }

    @Test
    void aDumpLargerThanTheHeapInUseSaysSoInsteadOfPassingOneHundredPercent() {
        TabModel.OwnJob own = new TabModel.OwnJob("Heap snapshot", 0, 0, 700L << 20);

        Progress p = TabModel.progress(List.of(writing("HEAP_SNAPSHOT", 808L << 20)), null, "", own, 5);

        assertEquals(990, p.permille());
        assertEquals("Writing x.hprof: 808 MiB, more than the 700 MiB in use; finishing", p.label());
    }

    @Test
    void beforeTheFileAppearsOwnHeapSnapshotsSayWhatHappens() {
        TabModel.OwnJob own = new TabModel.OwnJob("Heap snapshot", 0, 0, 700L << 20);

        Progress p = TabModel.progress(List.of(), null, "heap snapshot 'x.hprof' since ...", own, 5);

        assertTrue(p.indeterminate());
        assertEquals("Heap snapshot: a full GC, then the dump of about 700 MiB (the JVM pauses meanwhile)", p.label());
    }

    @Test
    void aDumpSomeoneElseStartedIsMeasuredAgainstTheHeapInUseNow() {
        Progress p = TabModel.progress(List.of(writing("OOM_DUMP", 30L << 20)), new Heap(60L << 20, 0, 0),
                "OOM dump", null, 5);

        assertEquals(500, p.permille());
    }

    @Test
    void aProfileProgressesInTimeAndOneWithoutKnownDurationIsIndeterminate() {
        TabModel.OwnJob own = new TabModel.OwnJob("CPU profile", 1_000, 10_000, 0);

        Progress mine = TabModel.progress(List.of(writing("CPU_PROFILE", 0)), null, "", own, 5_000);
        Progress theirs = TabModel.progress(List.of(writing("CPU_PROFILE", 0)), null,
                "CPU profile 'x.jfr' since 03:00 (4.0 s ago)", null, 5_000);

        assertEquals(400, mine.permille());
        assertEquals("Recording the CPU profile x.jfr: 4.0 s of 10 s", mine.label());
        assertTrue(theirs.indeterminate());
        assertEquals("CPU profile 'x.jfr' since 03:00 (4.0 s ago)", theirs.label());
        assertFalse(mine.indeterminate());
    }

    @Test
    void aProfileOfAnotherKindIsNamedByItsKind() {
        TabModel.OwnJob own = new TabModel.OwnJob(ProfileKind.ALLOC.event().label(), 1_000, 1_500, 0);

        Progress p = TabModel.progress(List.of(), null, "", own, 2_000);

        assertEquals("Recording the allocation profile: 1.0 s of 1.5 s", p.label());
    }

    @Test
    void sizesReadLikeSizes() {
        assertEquals("512 B", Format.bytes(512));
        assertEquals("1.50 KiB", Format.bytes(1536));
        assertEquals("62.6 MiB", Format.bytes(65_657_786));
        assertEquals("2.00 GiB", Format.bytes(2L << 30));
    }
}
