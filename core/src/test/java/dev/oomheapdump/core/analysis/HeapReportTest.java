package dev.oomheapdump.core.analysis;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeapReportTest {

    @Test
    void jsonFollowsTheSchemaAndEscapesStrings() {
        HeapReport report = new HeapReport("C:\\dumps\\a \"b\".hprof", 10, 2, 1000, 900, 5,
                List.of(new HeapReport.ClassRow("com.acme.Outer$Inner", 3, 72, 500)),
                List.of(new HeapReport.Suspect("byte[]", "0x1f", 450, 50.0,
                        List.of("thread \"w\u00e9\tx\n\u0001\" local in A.b", "[12]"))));
        assertEquals("{\"file\":\"C:\\\\dumps\\\\a \\\"b\\\".hprof\",\"objects\":10,\"classes\":2,"
                + "\"shallowBytes\":1000,\"reachableBytes\":900,\"unreachableBytes\":100,\"durationMillis\":5,"
                + "\"histogram\":[{\"class\":\"com.acme.Outer$Inner\",\"instances\":3,\"shallowBytes\":72,"
                + "\"retainedBytes\":500}],"
                + "\"suspects\":[{\"class\":\"byte[]\",\"objectId\":\"0x1f\",\"retainedBytes\":450,"
                + "\"retainedPercent\":50.0,\"path\":[\"thread \\\"w\u00e9\\tx\\n\\u0001\\\" local in A.b\","
                + "\"[12]\"]}]}", report.toJson());
    }

    @Test
    void textGivesSizesInBinaryUnits() {
        HeapReport report = new HeapReport("a.hprof", 1, 1, 3L << 30, 1L << 30, 1500, List.of(), List.of());
        String text = report.toText();
        assertTrue(text.contains("3.0 GiB in all"), text);
        assertTrue(text.contains("unreachable 2.0 GiB (66.7% of the file)"), text);
        assertEquals("512 B", HeapReport.bytes(512));
        assertEquals("1.5 KiB", HeapReport.bytes(1536));
    }
}
