package dev.oomheapdump.core.trigger;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;

import javax.management.ObjectName;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The hook's flags, kept in a map: arming can be checked without touching this JVM's real flags. */
final class FakeHotSpot implements HotSpotDiagnosticMXBean {

    final Map<String, String> options = new ConcurrentHashMap<>(Map.of(NativeHookArmer.ON_OOM, "false",
            NativeHookArmer.PATH, "", NativeHookArmer.GZIP_LEVEL, "0"));
    final List<String> changes = new ArrayList<>();

    @Override
    public void dumpHeap(String outputFile, boolean live) {
        throw new UnsupportedOperationException("the fake does not dump");
    }

    @Override
    public List<VMOption> getDiagnosticOptions() {
        return List.of();
    }

    @Override
    public VMOption getVMOption(String name) {
        return new VMOption(name, options.get(name), true, VMOption.Origin.DEFAULT);
    }

    @Override
    public synchronized void setVMOption(String name, String value) {
        options.put(name, value);
        changes.add(name + "=" + value);
    }

    @Override
    public ObjectName getObjectName() {
        return null;
    }

    boolean armed() {
        return "true".equals(options.get(NativeHookArmer.ON_OOM));
    }
}
