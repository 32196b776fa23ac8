package dev.oomheapdump.mbean.cli;

import dev.oomheapdump.core.Artifact;
import dev.oomheapdump.core.store.ArtifactStore;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/** {@code list DIR}: what the suite left in a directory; exit 1 when anything is not complete. */
final class ListCommand implements Command {

    @Override
    public int run(List<String> args, PrintStream out) throws IOException {
        if (args.size() != 1) {
            throw new IllegalArgumentException("usage: list DIR");
        }
        Path dir = Paths.get(args.get(0)).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("'" + dir + "' is not a directory");
        }
        List<Artifact> artifacts = new ArtifactStore(dir).list();
        Listing.print(artifacts, out);
        return artifacts.stream().allMatch(Artifact::isComplete) ? 0 : 1;
    }
}
