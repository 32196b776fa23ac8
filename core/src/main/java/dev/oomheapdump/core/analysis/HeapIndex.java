package dev.oomheapdump.core.analysis;

/**
 * The index of one dump: every object (instances, arrays and class objects) as a dense int, with per-object
 * tables in memory-mapped temporary files ({@link BigInts}) and the outbound references in CSR form. Built by {@link IndexBuilder}.
 *
 * <p>Per object: {@code classOf} (class index; {@code -2 - classIndex} for the class object of that class),
 * {@code size} (shallow bytes, 0 for class objects), out-degree offsets; per reference one int target. A hole
 * in the targets (a reference to an object missing from the dump, or a null counted as a bound) is -1.
 */
final class HeapIndex {

    final int idSize;
    final ClassTable classes;
    final IdMap ids;
    final int n;
    final BigInts classOf;
    final BigInts size;
    final BigInts outOff;
    final BigInts targets;
    /** Per class: the index of its class object, -1 for synthetic classes. */
    final int[] classNode;
    /** Per class: instances and shallow bytes, every object in the file. */
    final long[] instances;
    final long[] shallow;
    final Roots roots;
    /** Sizes over {@link Integer#MAX_VALUE}, rare huge arrays: index to size. */
    final java.util.Map<Integer, Long> hugeSizes;

    HeapIndex(int idSize, ClassTable classes, IdMap ids, BigInts classOf, BigInts size, BigInts outOff, BigInts targets,
              int[] classNode, long[] instances, long[] shallow, Roots roots, java.util.Map<Integer, Long> hugeSizes) {
        this.idSize = idSize;
        this.classes = classes;
        this.ids = ids;
        this.n = ids.size;
        this.classOf = classOf;
        this.size = size;
        this.outOff = outOff;
        this.targets = targets;
        this.classNode = classNode;
        this.instances = instances;
        this.shallow = shallow;
        this.roots = roots;
        this.hugeSizes = hugeSizes;
    }

    /** Unmaps the outbound references once the dominator tree (which keeps predecessors) is built. */
    void releaseReferences() {
        outOff.release();
        targets.release();
    }

    long sizeOf(int node) {
        int s = size.get(node);
        return s >= 0 ? s : hugeSizes.get(node);
    }

    boolean isClassObject(int node) {
        return classOf.get(node) < 0;
    }

    /** The class of an object, or for a class object the class it stands for. */
    ClassDef classDef(int node) {
        int c = classOf.get(node);
        return classes.classes.get(c >= 0 ? c : -2 - c);
    }

    /** True for an INSTANCE_DUMP (not an array, not a class object): it keeps its class alive. */
    boolean isInstance(int node) {
        int c = classOf.get(node);
        return c >= 0 && !classes.classes.get(c).isArray();
    }
}
