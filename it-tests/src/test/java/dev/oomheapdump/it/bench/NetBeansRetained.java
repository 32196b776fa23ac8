package dev.oomheapdump.it.bench;

import org.netbeans.lib.profiler.heap.Heap;
import org.netbeans.lib.profiler.heap.HeapFactory;
import org.netbeans.lib.profiler.heap.Instance;

import java.io.File;

/**
 * The baseline of the analysis benchmark, run in its own JVM: VisualVM's heap library (NetBeans
 * {@code org-netbeans-lib-profiler}) opens a dump and computes retained sizes for the whole heap
 * ({@code getBiggestObjectsByRetainedSize} needs the dominator tree of every object).
 *
 * <p>Arguments: the dump, then optionally object ids ({@code 0x...}) whose retained size to print too. Prints
 * {@code OPENED <ms>}, {@code BIGGEST <id> <class> <retained bytes>} for the 10 biggest objects,
 * {@code LOOKUP <id> <retained bytes or -1>} per id asked for, then {@code DONE <ms>}.
 */
public final class NetBeansRetained {

    private NetBeansRetained() {
    }

    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        Heap heap = HeapFactory.createHeap(new File(args[0]));
        System.out.println("OPENED " + (System.nanoTime() - start) / 1_000_000);
        for (Object o : heap.getBiggestObjectsByRetainedSize(10)) {
            Instance i = (Instance) o;
            System.out.println("BIGGEST 0x" + Long.toHexString(i.getInstanceId()) + " " + i.getJavaClass().getName()
                    + " " + i.getRetainedSize());
        }
        for (int k = 1; k < args.length; k++) {
            long id = Long.parseUnsignedLong(args[k].replaceFirst("^0x", ""), 16);
            Instance i = heap.getInstanceByID(id);
            System.out.println("LOOKUP 0x" + Long.toHexString(id) + " " + (i == null ? -1 : i.getRetainedSize()));
        }
        System.out.println("DONE " + (System.nanoTime() - start) / 1_000_000);
    }
}
