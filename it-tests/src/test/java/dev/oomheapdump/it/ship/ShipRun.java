package dev.oomheapdump.it.ship;

import dev.oomheapdump.it.AgentCli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The agent jar's {@code ship} command in a process of its own, as the agent and a sidecar run it ({@link AgentCli}),
 * with parts of 5 MiB (S3's minimum) so that small files go up in several.
 */
final class ShipRun {

    private ShipRun() {
    }

    static AgentCli.Result run(Path work, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        return start(work, env, List.of(), args).await();
    }

    static AgentCli.Running start(Path work, Map<String, String> env, List<String> jvmOptions, String... args)
            throws IOException {
        List<String> options = new ArrayList<>();
        options.add("-Doomheapdump.ship.partMiB=5");
        options.addAll(jvmOptions);
        List<String> command = new ArrayList<>();
        command.add("ship");
        command.addAll(List.of(args));
        return AgentCli.start(work, options, env, command.toArray(String[]::new));
    }
}
