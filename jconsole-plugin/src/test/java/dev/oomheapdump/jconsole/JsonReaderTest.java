package dev.oomheapdump.jconsole;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The plugin's own JSON reader: what the analysis report needs, and refusals that say where. */
class JsonReaderTest {

    @Test
    void stringsKeepEveryEscape() {
        Object value = JsonReader.parse("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9 \\ud83d\\ude00 $\"");
        assertEquals("q\" b\\ s/ \b\f\n\r\t \u00e9 \ud83d\ude00 $", value);
    }

    @Test
    void classNamesWithDollarsAndBracketsReadAsWritten() {
        Map<?, ?> map = (Map<?, ?>) JsonReader.parse("{\"class\": \"com.acme.Outer$Inner[][]\", \"x\": \"<a & b>\"}");
        assertEquals("com.acme.Outer$Inner[][]", map.get("class"));
        assertEquals("<a & b>", map.get("x"));
    }

    @Test
    void integersAreLongsAndTheRestDoubles() {
        List<?> list = (List<?>) JsonReader.parse("[0, -12, 9223372036854775807, 12.5, -0.25, 1e3, 2E-2, "
                + "12345678901234567890]");
        assertEquals(List.of(0L, -12L, Long.MAX_VALUE, 12.5, -0.25, 1000.0, 0.02, 1.2345678901234567e19), list);
    }

    @Test
    void nestedArraysAndObjectsKeepTheirOrder() {
        Object value = JsonReader.parse(" {\"b\": [[1, [2, []]], {}], \"a\": {\"z\": null, \"y\": [true, false]}} \n");
        Map<?, ?> map = (Map<?, ?>) value;
        assertEquals(List.of("b", "a"), List.copyOf(map.keySet()));
        assertEquals(List.of(List.of(1L, List.of(2L, List.of())), Map.of()), map.get("b"));
        Map<?, ?> a = (Map<?, ?>) map.get("a");
        assertTrue(a.containsKey("z") && a.get("z") == null);
        assertEquals(List.of(true, false), a.get("y"));
    }

    @Test
    void malformedInputIsRefusedSayingWhere() {
        for (String bad : List.of("", "{\"a\": 1,}", "[1 2]", "\"abc", "{\"a\": 1} x", "tru", "[1,]", "{a: 1}",
                "\"\\x\"", "-", "1.", "\"\\u12\"", "[\"tab\tinside\"]")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JsonReader.parse(bad),
                    "'" + bad + "' is not JSON");
            assertTrue(e.getMessage().startsWith("Malformed JSON at character "), e.getMessage());
        }
    }

    @Test
    void deepNestingIsRefusedNotAStackOverflow() {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JsonReader.parse(deep));
        assertTrue(e.getMessage().contains("nested deeper"), e.getMessage());
    }

    @Test
    void aReportParsesIntoItsRowsAndSuspects() {
        AnalysisReport r = AnalysisReport.parse("{\"file\": \"/d/x.hprof\", \"objects\": 10, \"classes\": 3, "
                + "\"shallowBytes\": 1000, \"reachableBytes\": 900, \"unreachableBytes\": 100, \"durationMillis\": 42, "
                + "\"histogram\": [{\"class\": \"byte[]\", \"instances\": 4, \"shallowBytes\": 800, \"retainedBytes\": 800}],"
                + " \"suspects\": [{\"class\": \"java.lang.Object[]\", \"objectId\": \"0x1f\", \"retainedBytes\": 820, "
                + "\"retainedPercent\": 91.1, \"path\": [\"static Graph.CACHE\", \"java.util.ArrayList.elementData\"]}],"
                + " \"later\": {\"ignored\": [1]}}");
        assertEquals(new AnalysisReport("/d/x.hprof", 10, 3, 1000, 900, 100, 42,
                List.of(new AnalysisReport.ClassRow("byte[]", 4, 800, 800)),
                List.of(new AnalysisReport.Suspect("java.lang.Object[]", "0x1f", 820, 91.1,
                        List.of("static Graph.CACHE", "java.util.ArrayList.elementData")))), r);
    }

    @Test
    void aReportThatIsNotAnObjectIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> AnalysisReport.parse("[1, 2]"));
    }
}
