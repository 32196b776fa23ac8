package dev.oomheapdump.mbean.cli;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Properties;

/**
 * A running JVM reached through the attach API. Only loaded once {@link #available()} said the API is there: the
 * module {@code jdk.attach} is in every JDK but not in a JRE.
 */
final class TargetVm implements AutoCloseable {

    private final VirtualMachine vm;
    private final long pid;

    private TargetVm(VirtualMachine vm, long pid) {
        this.vm = vm;
        this.pid = pid;
    }

    /** True when this Java has the attach API. */
    static boolean available() {
        return ModuleLayer.boot().findModule("jdk.attach").isPresent();
    }

    /**
     * Attaches to a JVM of this host.
     *
     * @throws IllegalStateException saying why it cannot be attached to (not a JVM, another user's, attach disabled)
     */
    static TargetVm attach(long pid) {
        try {
            return new TargetVm(VirtualMachine.attach(Long.toString(pid)), pid);
        } catch (AttachNotSupportedException | IOException e) {
            throw new IllegalStateException("cannot attach to process " + pid + " (a JVM of this user with the attach "
                    + "mechanism on?): " + Failures.reason(e), e);
        }
    }

    /** The JVM's system properties as they are now. */
    Properties systemProperties() throws IOException {
        return vm.getSystemProperties();
    }

    /**
     * Loads an agent jar; returns once its {@code agentmain} returned.
     *
     * @throws IllegalStateException when the JVM could not load or start it, or went away
     */
    void loadAgent(Path jar, String options) {
        try {
            vm.loadAgent(jar.toString(), options);
        } catch (AgentLoadException | AgentInitializationException | IOException e) {
            throw new IllegalStateException("cannot load the agent into JVM " + pid + ": " + Failures.reason(e), e);
        }
    }

    /** The address of the JVM's local JMX connector, started now when it was not running. */
    String localConnectorAddress() throws IOException {
        return vm.startLocalManagementAgent();
    }

    @Override
    public void close() {
        try {
            vm.detach();
        } catch (IOException e) {
            // the JVM is gone: nothing to detach from
        }
    }
}
