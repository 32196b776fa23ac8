package dev.oomheapdump.core.job;

import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.OomEvents;
import dev.oomheapdump.core.OomPolicy;
import dev.oomheapdump.core.store.ArtifactStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The uploader's command line as the ship command reads it, and its words on a file that was not shipped. */
class ShipperTest {

    @TempDir
    Path dir;

    @Test
    void theCommandNamesTargetEndpointAndTheJvmThatMadeTheFiles() throws Exception {
        OomPolicy p = OomPolicy.parse("directory=" + dir + ",ship=s3://dumps/prod,shipEndpoint=http://127.0.0.1:9000");
        ArtifactStore store = new ArtifactStore(dir);
        Shipper shipper = new Shipper(store, new OomEvents(), () -> p);
        Artifact file = new Artifact(dir.resolve("OoM-pid-7.hprof"), dev.oomheapdump.core.ArtifactKind.OOM_DUMP, 1, 0,
                dev.oomheapdump.core.ArtifactState.COMPLETE, dev.oomheapdump.core.ArtifactOrigin.EARLIER_RUN, "");
        List<String> command = shipper.command(p, new ArtifactStore.Maker(7, 1_767_268_800_000L), List.of(file));
        int main = command.indexOf(Shipper.MAIN);
        assertTrue(main > 0 && command.get(main - 2).equals("-cp"), command.toString());
        assertEquals(List.of("ship", "--to", "s3://dumps/prod", "--endpoint", "http://127.0.0.1:9000", "--host",
                dev.oomheapdump.core.ShipTarget.localHost(), "--started", "20260101-120000", "--pid", "7",
                file.path().toString()), command.subList(main + 1, command.size()));
        assertTrue(command.contains("-Xmx256m"), "the uploader's heap is bounded: " + command);
        shipper.close();
    }

    @Test
    void theReasonIsTheUploadersLineOnTheFileElseItsLastLine() {
        List<String> lines = List.of("shipped /d/a.hprof to s3://b/k (1 bytes, sha256 00)",
                "not shipped /d/b.hprof: the store refused the access key (InvalidAccessKeyId)", "", "done");
        assertEquals("the store refused the access key (InvalidAccessKeyId)", Shipper.reason(lines, "/d/b.hprof"));
        assertEquals("done", Shipper.reason(lines, "/d/c.hprof"));
        assertEquals("(it said nothing)", Shipper.reason(List.of(), "/d/c.hprof"));
    }
}
