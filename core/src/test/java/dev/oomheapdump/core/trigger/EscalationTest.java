package dev.oomheapdump.core.trigger;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EscalationTest {

    @Test
    void theFirstDumpComesAtTheThresholdAndEachNextHalfWayToTheMaximum() {
        long max = 1000;
        assertEquals(700, Escalation.nextTrigger(max, 70, -1));
        assertEquals(850, Escalation.nextTrigger(max, 70, 700));
        assertEquals(925, Escalation.nextTrigger(max, 70, 850));
        assertEquals(880, Escalation.nextTrigger(max, 70, 760), "from the use that triggered, not the level");
    }

    @Test
    void readingsBelowTheNextLevelDoNotTrigger() {
        assertFalse(Escalation.triggers(699, 1000, 70, -1));
        assertTrue(Escalation.triggers(700, 1000, 70, -1));
        assertFalse(Escalation.triggers(849, 1000, 70, 700));
        assertTrue(Escalation.triggers(850, 1000, 70, 700));
        assertFalse(Escalation.triggers(5, 0, 70, -1), "no maximum, no trigger");
    }

    @Test
    void theThresholdRoundsUpAndNeverOverflowsOnAHugeHeap() {
        assertEquals(1, Escalation.nextTrigger(1, 1, -1), "1% of one byte is reached by one byte");
        long huge = Long.MAX_VALUE / 2;
        long level = Escalation.nextTrigger(huge, 99, -1);
        assertTrue(level > 0 && level <= huge, "no overflow: " + level);
        assertTrue(level >= huge / 100 * 99, "99% of a huge heap: " + level);
        assertFalse(Escalation.triggers(level - 1, huge, 99, -1));
        assertTrue(Escalation.triggers(level, huge, 99, -1));
    }
}
