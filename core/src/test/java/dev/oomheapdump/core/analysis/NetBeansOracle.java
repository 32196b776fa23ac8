package dev.oomheapdump.core.analysis;

import org.netbeans.lib.profiler.heap.Heap;
import org.netbeans.lib.profiler.heap.HeapFactory;
import org.netbeans.lib.profiler.heap.Instance;
import org.netbeans.lib.profiler.heap.JavaClass;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The NetBeans profiler heap library (VisualVM's), used as the oracle: what it says about a dump. */
final class NetBeansOracle {

    record Big(String className, long id, long retained) {
        @Override
        public String toString() {
            return className + " 0x" + Long.toHexString(id) + " " + retained;
        }
    }

    private final Heap heap;

    private NetBeansOracle(Heap heap) {
        this.heap = heap;
    }

    static NetBeansOracle open(Path file) throws IOException {
        return new NetBeansOracle(HeapFactory.createHeap(file.toFile()));
    }

    /** Instances per class name (classes of one name from several loaders added up). */
    Map<String, Long> instanceCounts() {
        Map<String, Long> counts = new HashMap<>();
        for (Object o : heap.getAllClasses()) {
            JavaClass c = (JavaClass) o;
            if (c.getInstancesCount() > 0) {
                counts.merge(c.getName(), (long) c.getInstancesCount(), Long::sum);
            }
        }
        return counts;
    }

    /** Shallow bytes per class name. */
    Map<String, Long> shallowBytes() {
        Map<String, Long> bytes = new HashMap<>();
        for (Object o : heap.getAllClasses()) {
            JavaClass c = (JavaClass) o;
            if (c.getInstancesCount() > 0) {
                bytes.merge(c.getName(), c.getAllInstancesSize(), Long::sum);
            }
        }
        return bytes;
    }

    List<Big> biggest(int n) {
        List<Big> out = new ArrayList<>();
        for (Object o : heap.getBiggestObjectsByRetainedSize(n)) {
            Instance i = (Instance) o;
            out.add(new Big(i.getJavaClass().getName(), i.getInstanceId(), i.getRetainedSize()));
        }
        return out;
    }

    long retainedSize(long id) {
        Instance i = heap.getInstanceByID(id);
        return i == null ? -1 : i.getRetainedSize();
    }
}
