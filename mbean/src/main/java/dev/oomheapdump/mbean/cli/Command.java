package dev.oomheapdump.mbean.cli;

import java.io.PrintStream;
import java.util.List;

/** One command of the agent jar's command line. */
interface Command {

    /**
     * Runs the command.
     *
     * @return the exit code: 0 success, 1 anything else (2, bad usage, is an {@link IllegalArgumentException})
     * @throws IllegalArgumentException on bad usage or input, with a message that names it
     * @throws Exception                any other failure; {@link Failures} turns it into one line (exit 1, or 2 for
     *                                  an unknown host or a malformed address)
     */
    int run(List<String> args, PrintStream out) throws Exception;
}
