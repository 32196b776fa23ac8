package dev.oomheapdump.mbean;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent never throws into its host: bad options print one line and install nothing. */
class AgentTest {

    @Test
    void badOptionsPrintOneLineAndInstallNothing() throws Exception {
        for (String options : new String[]{"threshold=150", "limit=-1", "OOMImplementation=FOO", "heapdumpOnOOM=maybe",
                "nonsense", "colour=red"}) {
            String printed = captureErr(() -> Agent.agentmain(options, null));
            assertTrue(printed.startsWith("oom-heapdump: bad option: "), printed);
            assertTrue(printed.contains("nothing installed, the application runs on"), printed);
            assertTrue(printed.trim().lines().count() == 1, "one line: " + printed);
            assertFalse(ManagementFactory.getPlatformMBeanServer().isRegistered(OomHeapdumpBean.objectName()));
            assertTrue(OomHeapdump.installed().isEmpty());
        }
    }

    @Test
    void everyLoadRecordsItsOutcomeForTheAttachCommandAsANewAttempt() {
        long before = AgentOutcome.parse(System.getProperty(AgentOutcome.PROPERTY)).map(AgentOutcome::attempt).orElse(0L);
        String printed = captureErr(() -> Agent.agentmain("limit=0", null));
        AgentOutcome outcome = AgentOutcome.parse(System.getProperty(AgentOutcome.PROPERTY)).orElseThrow();
        assertEquals(before + 1, outcome.attempt());
        assertEquals(AgentOutcome.State.FAILED, outcome.state());
        assertEquals(printed.trim(), "oom-heapdump: " + outcome.message(), "the line the agent printed");
        assertEquals(outcome, AgentOutcome.parse(outcome.toString()).orElseThrow());
        assertTrue(AgentOutcome.parse("garbage").isEmpty());
        assertTrue(AgentOutcome.parse(null).isEmpty());
    }

    private static String captureErr(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
