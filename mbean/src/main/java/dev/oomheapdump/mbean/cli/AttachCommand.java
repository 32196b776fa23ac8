package dev.oomheapdump.mbean.cli;

import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/** {@code attach PID [OPTIONS]}: loads the agent jar into a running JVM (again: changes its policy). */
final class AttachCommand implements Command {

    @Override
    public int run(List<String> args, PrintStream out) throws Exception {
        if (args.isEmpty() || args.size() > 2) {
            throw new IllegalArgumentException("usage: attach PID [OPTIONS]");
        }
        Path jar = ownJar();
        Class<?> vmClass;
        try {
            vmClass = Class.forName("com.sun.tools.attach.VirtualMachine");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("this Java has no attach API (module jdk.attach): run the CLI with a JDK");
        }
        Object vm = vmClass.getMethod("attach", String.class).invoke(null, args.get(0));
        try {
            vmClass.getMethod("loadAgent", String.class, String.class).invoke(vm, jar.toString(),
                    args.size() > 1 ? args.get(1) : "");
        } finally {
            vmClass.getMethod("detach").invoke(vm);
        }
        out.println("agent loaded into " + args.get(0) + "; its output shows the result");
        return 0;
    }

    /** The agent jar this class runs from. */
    static Path ownJar() throws URISyntaxException {
        return Paths.get(Cli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
