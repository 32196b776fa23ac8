package dev.oomheapdump.mbean;

import java.util.Optional;

/**
 * What the agent's latest load in this JVM came to, kept where the {@code attach} command can read it through the
 * attach API: the system property {@value #PROPERTY}, {@code <attempt> <state> <one line>}, for example
 * {@code 2 FAILED already installed; policy unchanged: Option 'port' is fixed when the agent starts (it is 9010)...}.
 * The attempt number grows with every load ({@code -javaagent} is the first); the line is the one the agent printed.
 *
 * @param attempt which load of the agent in this JVM, from 1
 * @param state   {@code PENDING} while the agent's init thread still registers the MBean and opens the port
 * @param message one line, as printed in the JVM's output
 */
public record AgentOutcome(long attempt, State state, String message) {

    /** The system property of the JVM the agent runs in. */
    public static final String PROPERTY = "dev.oomheapdump.agent.result";

    /** How a load of the agent ended. */
    public enum State {
        /** Installed; the MBean and the port are on their way. */
        PENDING,
        /** Installed (or the policy changed), the MBean registered and the port, when asked, listening. */
        OK,
        /** Refused or failed: the message says why. */
        FAILED
    }

    /** The outcome a property value holds; empty when there is none or it is not one. */
    public static Optional<AgentOutcome> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String[] parts = value.split(" ", 3);
        try {
            return Optional.of(new AgentOutcome(Long.parseLong(parts[0]), State.valueOf(parts[1]),
                    parts.length > 2 ? parts[2] : ""));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Starts the next attempt: its number, recorded as {@code PENDING}. */
    static synchronized long begin() {
        long attempt = current().map(AgentOutcome::attempt).orElse(0L) + 1;
        write(new AgentOutcome(attempt, State.PENDING, "loading"));
        return attempt;
    }

    /** Records how an attempt ended, unless a later attempt began meanwhile. Never throws. */
    static synchronized void record(long attempt, State state, String message) {
        try {
            if (current().map(AgentOutcome::attempt).orElse(0L) == attempt) {
                write(new AgentOutcome(attempt, state, message));
            }
        } catch (RuntimeException e) {
            // a security manager, or a host that locked its properties: attach then confirms over JMX alone
        }
    }

    private static Optional<AgentOutcome> current() {
        return parse(System.getProperty(PROPERTY));
    }

    private static void write(AgentOutcome outcome) {
        System.setProperty(PROPERTY, outcome.toString());
    }

    /** The property's value. */
    @Override
    public String toString() {
        return attempt + " " + state + " " + message.replaceAll("\\s+", " ").trim();
    }
}
