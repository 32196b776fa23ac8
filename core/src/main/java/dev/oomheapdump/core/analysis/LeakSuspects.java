package dev.oomheapdump.core.analysis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The largest dominators, each followed down to its accumulation point and given its shortest path from a
 * GC root.
 *
 * <p>Candidates are the top-level dominators (children of the virtual super-root), largest first; class loaders
 * and class objects are seen through, their own dominated objects taking their place (that the application's class
 * loader retains most of the heap says nothing; which of its classes' statics does, says everything). A candidate
 * that owes at least {@link #ACCUMULATION} of its retained size to one child in the dominator tree (a class to
 * one static field, a collection to its backing array) is followed down to that child, repeatedly, as Eclipse
 * MAT's leak suspects do; but never into an object of its own class, so a linked list is reported at its head,
 * not at its last node. The path is a shortest path in the object graph, found by a breadth-first search
 * backwards over predecessors from the object to the nearest GC root — except that a root that only a thread's
 * stack holds (a local variable, a JNI local) gives way to a durable one (a class's static field, a JNI global,
 * a thread) found at most {@link #STACK_ROOT_DETOUR} steps further: {@code static Cache.ENTRIES} says who keeps
 * the object, the method that happened to hold it when the heap was dumped says less.
 */
final class LeakSuspects {

    static final double ACCUMULATION = 0.8;
    private static final int MAX_DESCENT = 10_000;
    /** Scans in preorder before {@link #descend} falls back to a table of biggest children. */
    private static final int SCANS = 16;
    /** How many steps longer a path from a durable root may be than one from a root held only by a stack. */
    static final int STACK_ROOT_DETOUR = 2;

    private LeakSuspects() {
    }

    static List<HeapReport.Suspect> find(HeapIndex index, DominatorTree tree, int limit, Path file,
                                         Scratch scratch) throws IOException {
        long total = tree.reachableBytes;
        if (limit <= 0 || total == 0) {
            return List.of();
        }
        // In preorder numbers from here on.
        tree.window(1);
        int[] top = topLevel(tree, containerClasses(index), limit);
        int[] points = descend(tree, top, scratch);
        tree.window(0);
        List<int[]> paths = new ArrayList<>();
        BigInts from = scratch.ints("bfsFrom", tree.count + 1L);
        BigInts queue = scratch.ints("bfsQueue", tree.count + 1L);
        int[] durable = durableRoots(index);
        for (int p : points) {
            paths.add(path(tree, p, from, queue, x -> Arrays.binarySearch(durable, tree.vertex(x)) >= 0));
        }
        from.release();
        queue.release();
        List<List<String>> names = new PathNames(index, file).name(paths);
        List<HeapReport.Suspect> out = new ArrayList<>();
        int i = 0;
        for (int p : points) {
            long retained = tree.retainedPre(p);
            int node = tree.vertex(p);
            ClassDef def = index.classDef(node);
            String cls = index.isClassObject(node) ? "java.lang.Class" : def.name;
            double percent = Math.round(retained * 10000.0 / total) / 100.0;
            out.add(new HeapReport.Suspect(cls, "0x" + Long.toHexString(index.ids.id(node)), retained, percent,
                    names.get(i++)));
        }
        out.sort((a, b) -> Long.compare(b.retainedBytes(), a.retainedBytes()));
        return out;
    }

    /** Per class index, true for class loaders (subclasses of {@code java.lang.ClassLoader}). */
    static boolean[] containerClasses(HeapIndex index) {
        List<ClassDef> classes = index.classes.classes;
        boolean[] loader = new boolean[classes.size()];
        for (int c = 0; c < loader.length; c++) {
            for (ClassDef d = classes.get(c); d != null && !loader[c]; d = d.superClass) {
                loader[c] = "java.lang.ClassLoader".equals(d.name);
            }
        }
        return loader;
    }

    /**
     * The largest children of the super-root, ties broken by node index (lowest first), class loaders and class
     * objects seen through: in preorder a node comes after its dominator, so one scan marks the containers at the
     * top and takes the children of marked ones as top-level too.
     */
    private static int[] topLevel(DominatorTree tree, boolean[] loaderClasses, int limit) {
        long[] best = new long[limit];
        int[] nodes = new int[limit];
        int[] pres = new int[limit];
        int count = 0;
        java.util.Set<Integer> seenThrough = new java.util.HashSet<>();
        for (int p = 2; p <= tree.count; p++) {
            long r = tree.retainedPre(p);
            int dom = tree.domPre(p);
            if (dom != DominatorTree.SUPER && !seenThrough.contains(dom) || r == 0) {
                continue;
            }
            int c = tree.classPre(p);
            if (c < 0 || loaderClasses[c]) {
                seenThrough.add(p);
                continue;
            }
            int v = tree.vertex(p);
            if (count == limit && !before(r, v, best[count - 1], nodes[count - 1])) {
                continue;
            }
            if (count < limit) {
                count++;
            }
            int i = count - 1;
            while (i > 0 && before(r, v, best[i - 1], nodes[i - 1])) {
                best[i] = best[i - 1];
                nodes[i] = nodes[i - 1];
                pres[i] = pres[i - 1];
                i--;
            }
            best[i] = r;
            nodes[i] = v;
            pres[i] = p;
        }
        return Arrays.copyOf(pres, count);
    }

    private static boolean before(long r, int v, long otherR, int otherV) {
        return r > otherR || r == otherR && v < otherV;
    }

    /**
     * Each candidate followed down to its accumulation point. The biggest children of all the candidates at
     * one depth are found together in one scan of the tables in preorder (a child's preorder number is above its
     * parent's), so only a few chunks of them are mapped at a time; after {@link #SCANS} scans the rest of the
     * way goes through a table of the biggest child of every object.
     */
    private static int[] descend(DominatorTree tree, int[] top, Scratch scratch) {
        int k = top.length;
        int[] at = top.clone();
        int[] steps = new int[k];
        boolean[] done = new boolean[k];
        for (int scan = 0; scan < SCANS; scan++) {
            int[] keys = new int[k];
            int[] slots = new int[k];
            int m = 0;
            for (int j = 0; j < k; j++) {
                if (!done[j]) {
                    keys[m++] = at[j];
                }
            }
            if (m == 0) {
                return at;
            }
            keys = Arrays.copyOf(keys, m);
            Arrays.sort(keys);
            for (int j = 0; j < k; j++) {
                if (!done[j]) {
                    slots[Arrays.binarySearch(keys, at[j])] = j;
                }
            }
            int[] bestChild = new int[m];
            long[] bestRetained = new long[m];
            int[] bestNode = new int[m];
            for (int i = keys[0] + 1; i <= tree.count; i++) {
                int p = tree.domPre(i);
                if (p < keys[0] || p > keys[m - 1]) {
                    continue;
                }
                int s = Arrays.binarySearch(keys, p);
                if (s < 0) {
                    continue;
                }
                long r = tree.retainedPre(i);
                int v = tree.vertex(i);
                if (bestChild[s] == 0 || before(r, v, bestRetained[s], bestNode[s])) {
                    bestChild[s] = i;
                    bestRetained[s] = r;
                    bestNode[s] = v;
                }
            }
            for (int s = 0; s < m; s++) {
                int j = slots[s];
                int x = at[j];
                int child = bestChild[s];
                if (child == 0 || bestRetained[s] < ACCUMULATION * tree.retainedPre(x)
                        || tree.classPre(child) == tree.classPre(x)) {
                    done[j] = true;
                } else {
                    at[j] = child;
                    done[j] = ++steps[j] == MAX_DESCENT;
                }
            }
        }
        BigInts biggest = null;
        for (int j = 0; j < k; j++) {
            if (done[j]) {
                continue;
            }
            if (biggest == null) {
                tree.window(0);
                biggest = biggestChildren(tree, scratch);
            }
            int x = at[j];
            for (; steps[j] < MAX_DESCENT; steps[j]++) {
                int child = biggest.get(x);
                if (child == 0 || tree.retainedPre(child) < ACCUMULATION * tree.retainedPre(x)
                        || tree.classPre(child) == tree.classPre(x)) {
                    break;
                }
                x = child;
            }
            at[j] = x;
        }
        if (biggest != null) {
            biggest.release();
        }
        return at;
    }

    /** Per preorder number, its child in the dominator tree with the most retained bytes (0 when none). */
    private static BigInts biggestChildren(DominatorTree tree, Scratch scratch) {
        BigInts biggest = scratch.ints("biggest", tree.count + 1L);
        for (int i = 2; i <= tree.count; i++) {
            int p = tree.domPre(i);
            int b = biggest.get(p);
            if (b == 0 || before(tree.retainedPre(i), tree.vertex(i), tree.retainedPre(b), tree.vertex(b))) {
                biggest.set(p, i);
            }
        }
        return biggest;
    }

    /** The nodes that are GC roots other than by a thread's stack alone, sorted. */
    static int[] durableRoots(HeapIndex index) {
        Roots roots = index.roots;
        int[] nodes = new int[roots.nodes.length];
        int n = 0;
        for (int i = 0; i < roots.nodes.length; i++) {
            int kind = roots.kinds.get(i);
            boolean stack = kind == Hprof.ROOT_JAVA_FRAME || kind == Hprof.ROOT_JNI_LOCAL
                    || kind == Hprof.ROOT_NATIVE_STACK || kind == Hprof.ROOT_THREAD_BLOCK;
            if (!stack && roots.nodes[i] >= 0) {
                nodes[n++] = roots.nodes[i];
            }
        }
        int[] sorted = Arrays.copyOf(nodes, n);
        Arrays.sort(sorted);
        return sorted;
    }

    /**
     * Nodes from a GC root object to the target (a preorder number), found backwards over predecessors, level by
     * level: the nearest durable root, unless only roots held by a stack are found within
     * {@link #STACK_ROOT_DETOUR} levels of the nearest root. {@code from} must be all 0 and is left so.
     */
    static int[] path(DominatorTree tree, int target, BigInts from, BigInts queue, java.util.function.IntPredicate durable) {
        int head = 0;
        int tail = 0;
        queue.set(tail++, target);
        from.set(target, target);
        int found = -1;
        int stackRoot = -1;
        int level = 0;
        int levelEnd = tail;
        int lastLevel = Integer.MAX_VALUE;
        while (head < tail && found < 0 && level <= lastLevel) {
            int x = queue.get(head++);
            int end = tree.predOff.get(x + 1L);
            for (int e = tree.predOff.get(x); e < end; e++) {
                int p = tree.preds.get(e);
                if (p == DominatorTree.SUPER) {
                    if (durable.test(x)) {
                        found = x;
                        break;
                    }
                    if (stackRoot < 0) {
                        stackRoot = x;
                        lastLevel = level + STACK_ROOT_DETOUR;
                    }
                    continue;
                }
                if (from.get(p) == 0) {
                    from.set(p, x);
                    queue.set(tail++, p);
                }
            }
            if (head == levelEnd) {
                level++;
                levelEnd = tail;
            }
        }
        if (found < 0) {
            found = stackRoot;
        }
        List<Integer> nodes = new ArrayList<>();
        for (int x = found; x > 0; x = from.get(x) == x ? -1 : from.get(x)) {
            nodes.add(tree.vertex(x));
        }
        for (int i = 0; i < tail; i++) {
            from.set(queue.get(i), 0);
        }
        return nodes.stream().mapToInt(Integer::intValue).toArray();
    }
}
