package dev.oomheapdump.core.analysis;

import java.util.Arrays;

/**
 * The dominator tree of the object graph below a virtual super-root that points to every GC root, and the
 * retained size of every object.
 *
 * <p>Immediate dominators are computed with the semi-NCA algorithm: semidominators as in Lengauer and Tarjan,
 * "A Fast Algorithm for Finding Dominators in a Flowgraph" (ACM TOPLAS 1(1), 1979), then each immediate
 * dominator as the nearest common ancestor of the semidominator and the DFS parent, as in Georgiadis,
 * "Linear-Time Algorithms for Dominators and Related Problems" (PhD thesis, Princeton, 2005) and Georgiadis,
 * Tarjan and Werneck, "Finding Dominators in Practice" (JGAA 10(1), 2006). Everything is iterative with explicit
 * stacks, so a linked chain of millions of objects needs no deep call stack.
 *
 * <p>The graph: every reference of instances, object arrays and class objects (static fields and the class
 * loader), except the {@code referent} of {@code java.lang.ref.Reference} (weakly, softly and phantom reachable
 * objects count as unreachable, as in VisualVM and Eclipse MAT); and an edge from an instance to its class object
 * where the search first reaches that class through one of its instances, as the NetBeans heap library does.
 *
 * <p>Memory: every table is a memory-mapped temporary file ({@link BigInts}), and all but the first work in
 * preorder space; each phase touches at random at most about 8 bytes per object, the rest is read or written in
 * order a chunk at a time. The depth-first search reads at random only the outbound references (offsets and
 * targets) and a 16-bit class per object, with a bit per object on the heap for "seen"; it writes each edge it
 * scans as (preorder of source, node of target), in order. Then the targets are renumbered in preorder (one
 * table at random), the predecessors are that edge list sorted by target (counting sort: offsets and
 * predecessors at random), and the semidominator pass keeps at random only the compressed ancestor and the least
 * semidominator on the compressed path (two tables of 4 bytes per reachable object).
 */
final class DominatorTree {

    /** The super-root's preorder number. */
    static final int SUPER = 1;

    /** The virtual super-root's node index, {@code n}. */
    final int root;
    /** Reachable objects plus the super-root: preorder numbers run from 1 to {@code count}. */
    final int count;
    /** Node to preorder number (0 when unreachable). */
    private final BigInts pre;
    /** Preorder number to node. */
    private final BigInts vertex;
    /** Preorder number to the preorder number of its immediate dominator. */
    private final BigInts dom;
    /** Retained bytes per preorder number. */
    private final BigLongs retainedPre;
    /** Class per preorder number, as in {@link HeapIndex#classOf}. */
    private final BigInts classPre;
    /** Predecessors per preorder number, in preorder numbers, CSR; the super-root included. */
    final BigInts predOff;
    final BigInts preds;
    final long reachableBytes;
    final long reachableObjects;

    private DominatorTree(int root, int count, BigInts pre, BigInts vertex, BigInts dom, BigLongs retainedPre,
                          BigInts classPre, BigInts predOff, BigInts preds, long reachableBytes) {
        this.root = root;
        this.count = count;
        this.pre = pre;
        this.vertex = vertex;
        this.dom = dom;
        this.retainedPre = retainedPre;
        this.classPre = classPre;
        this.predOff = predOff;
        this.preds = preds;
        this.reachableBytes = reachableBytes;
        this.reachableObjects = count - 1L;
    }

    boolean reachable(int node) {
        return node != root && pre.get(node) != 0;
    }

    /** Immediate dominator of a node; {@link #root} for top-level objects, -1 for unreachable ones. */
    int idom(int node) {
        int i = node == root ? 0 : pre.get(node);
        return i <= SUPER ? -1 : vertex.get(dom.get(i));
    }

    /** Retained bytes of a node (0 when unreachable). */
    long retained(int node) {
        int i = node == root ? SUPER : pre.get(node);
        return i == 0 ? 0 : retainedPre.get(i);
    }

    int preorder(int node) {
        return node == root ? SUPER : pre.get(node);
    }

    int vertex(int i) {
        return vertex.get(i);
    }

    int domPre(int i) {
        return dom.get(i);
    }

    long retainedPre(int i) {
        return retainedPre.get(i);
    }

    /** The class of a preorder number, as {@link HeapIndex#classOf} gives it for its node. */
    int classPre(int i) {
        return classPre.get(i);
    }

    /**
     * At most {@code chunks} chunks mapped at once (0: no limit) of the tables of vertices, immediate dominators
     * and retained sizes, for scans in preorder; the classes stay mapped, as scans read them at random.
     */
    void window(int chunks) {
        vertex.window(chunks);
        dom.window(chunks);
        retainedPre.window(chunks);
    }

    static DominatorTree compute(HeapIndex index, AnalysisProgress progress, Scratch scratch) {
        int n = index.n;
        BigInts outOff = index.outOff;
        BigInts targets = index.targets;
        int[] rootNodes = index.roots.nodes;

        // Depth-first search from the super-root (node n), preorder numbers from 1. Only the outbound
        // references are read at random here; "seen" is a bit per object on the heap. Every scanned edge is
        // written as (preorder of source, node of target), in order; the targets become preorder numbers in a
        // second step, once the references are unmapped. The class of an object is read only while some class
        // object has not been reached yet: in practice the classes are all reached early, through their loaders.
        progress.update("dominator tree", 0);
        long[] seen = new long[(n >>> 6) + 1];
        long[] classObject = new long[(n >>> 6) + 1];
        int classesLeft = 0;
        for (int cls = 0; cls < index.classNode.length; cls++) {
            int cn = index.classNode[cls];
            if (cn >= 0 && index.instances[cls] > 0 && !index.classes.classes.get(cls).isArray()
                    && !test(classObject, cn)) {
                mark(classObject, cn);
                classesLeft++;
            }
        }
        // The search needs of an object only whether it is an instance whose class has a class object, and which:
        // with fewer than 65535 classes that fits in 16 bits (class index + 1, 0 for none), half the 32-bit table.
        BigInts halves = null;
        if (index.classNode.length < 0xFFFF && classesLeft > 0) {
            halves = scratch.ints("classHalves", (n + 1L) / 2 + 1);
            halves.window(1);
            index.classOf.window(1);
            for (int v = 0; v < n; v++) {
                int cls = index.classOf.get(v);
                if (cls >= 0 && index.classNode[cls] >= 0 && !index.classes.classes.get(cls).isArray()) {
                    halves.set(v >>> 1, halves.get(v >>> 1) | (cls + 1) << ((v & 1) << 4));
                }
            }
            halves.window(0);
            index.classOf.window(0);
        }
        BigInts vertex = scratch.ints("vertex", n + 2L);
        BigInts parent = scratch.ints("parent", n + 2L);
        BigInts edgeFrom = scratch.ints("edgeFrom", 1 << 20);
        BigInts edgeTo = scratch.ints("edgeTo", 1 << 20);
        BigInts stackNode = scratch.ints("stackNode", 1 << 20);
        BigInts stackCursor = scratch.ints("stackCursor", 1 << 20);
        BigInts stackPre = scratch.ints("stackPre", 1 << 20);
        vertex.window(1);
        parent.window(1);
        edgeFrom.window(1);
        edgeTo.window(1);
        long edges = 0;
        int num = 1;
        int sp = 0;
        vertex.set(num, n);
        stackNode.set(sp, n);
        stackPre.set(sp, num);
        stackCursor.set(sp++, 0);
        while (sp > 0) {
            int v = stackNode.get(sp - 1);
            int c = stackCursor.get(sp - 1);
            int pv = stackPre.get(sp - 1);
            int w = -1;
            if (v == n) {
                while (c < rootNodes.length) {
                    int r = rootNodes[c++];
                    if (r < 0) {
                        continue;
                    }
                    if (!test(seen, r)) {
                        w = r;
                        break;
                    }
                    edgeFrom.set(edges, pv);
                    edgeTo.set(edges++, r);
                }
            } else {
                int start = outOff.get(v);
                int from = start + c;
                int to = outOff.get(v + 1);
                while (from < to) {
                    int t = targets.get(from++);
                    c++;
                    if (t < 0) {
                        continue;
                    }
                    if (!test(seen, t)) {
                        w = t;
                        break;
                    }
                    edgeFrom.set(edges, pv);
                    edgeTo.set(edges++, t);
                }
                if (w < 0 && c == to - start) {
                    c++;
                    if (classesLeft > 0 && halves != null) {
                        int half = (halves.get(v >>> 1) >>> ((v & 1) << 4)) & 0xFFFF;
                        int cn = half == 0 ? -1 : index.classNode[half - 1];
                        if (cn >= 0 && !test(seen, cn)) {
                            w = cn;
                        }
                    } else if (classesLeft > 0) {
                        int cls = index.classOf.get(v);
                        if (cls >= 0 && !index.classes.classes.get(cls).isArray()) {
                            int cn = index.classNode[cls];
                            if (cn >= 0 && !test(seen, cn)) {
                                w = cn;
                            }
                        }
                    }
                }
            }
            stackCursor.set(sp - 1, c);
            if (w < 0) {
                sp--;
                continue;
            }
            mark(seen, w);
            if (test(classObject, w)) {
                classesLeft--;
            }
            vertex.set(++num, w);
            parent.set(num, pv);
            edgeFrom.set(edges, pv);
            edgeTo.set(edges++, w);
            stackNode.set(sp, w);
            stackPre.set(sp, num);
            stackCursor.set(sp++, 0);
        }
        seen = null;
        classObject = null;
        if (halves != null) {
            halves.release();
        }
        stackNode.release();
        stackCursor.release();
        stackPre.release();
        index.releaseReferences();
        index.classOf.release();
        int count = num;
        progress.update("dominator tree", 0.15);

        // Node to preorder number, then the edge targets in preorder numbers (read and rewritten in order).
        BigInts pre = scratch.ints("pre", n + 1L);
        vertex.window(1);
        for (int i = 1; i <= count; i++) {
            pre.set(vertex.get(i), i);
        }
        for (long e = 0; e < edges; e++) {
            edgeTo.set(e, pre.get(edgeTo.get(e)));
        }
        pre.release();
        vertex.release();
        progress.update("dominator tree", 0.25);

        // Predecessors in preorder space: a counting sort of the edge list by target.
        BigInts predOff = scratch.ints("predOff", count + 2L);
        BigInts preds = scratch.ints("preds", Math.max(1, edges));
        for (long e = 0; e < edges; e++) {
            predOff.add(edgeTo.get(e) + 1L, 1);
        }
        for (int i = 1; i <= count; i++) {
            predOff.add(i + 1L, predOff.get(i));
        }
        // Filled backwards from each list's end, so the offsets come out as the starts again.
        for (int i = 1; i <= count; i++) {
            predOff.set(i, predOff.get(i + 1L));
        }
        for (long e = edges - 1; e >= 0; e--) {
            int t = edgeTo.get(e);
            int at = predOff.get(t) - 1;
            predOff.set(t, at);
            preds.set(at, edgeFrom.get(e));
        }
        edgeFrom.release();
        edgeTo.release();
        predOff.release();
        preds.release();
        progress.update("dominator tree", 0.4);

        // Semidominators (reverse preorder), then immediate dominators (preorder). parent doubles as the
        // compressed ancestor; dom starts as a copy of the DFS parent. Instead of Lengauer and Tarjan's label
        // (the vertex of least semidominator on the compressed path) each vertex keeps that least semidominator
        // itself ("best"), as the label is only ever used through it: two tables at random instead of three.
        // The semidominators are written in order, to be read in order by the second loop.
        BigInts semi = scratch.ints("semi", count + 1L);
        BigInts best = scratch.ints("best", count + 1L);
        BigInts dom = scratch.ints("dom", count + 1L);
        dom.window(1);
        best.window(1);
        parent.window(1);
        for (int i = 1; i <= count; i++) {
            best.set(i, i);
            dom.set(i, parent.get(i));
        }
        dom.window(0);
        best.window(0);
        parent.window(0);
        semi.window(1);
        predOff.window(1);
        preds.window(1);
        int[] stack = new int[1024];
        for (int i = count; i >= 2; i--) {
            int s = parent.get(i);
            int pFrom = predOff.get(i);
            int pTo = predOff.get(i + 1L);
            for (int p = pFrom; p < pTo; p++) {
                int u = preds.get(p);
                int su;
                if (parent.get(u) >= i + 1) {
                    int sz = 0;
                    int x = u;
                    do {
                        if (sz == stack.length) {
                            stack = Arrays.copyOf(stack, sz * 2);
                        }
                        stack[sz++] = x;
                        x = parent.get(x);
                    } while (parent.get(x) >= i + 1);
                    int q = x;
                    int qb = best.get(q);
                    do {
                        x = stack[--sz];
                        parent.set(x, parent.get(q));
                        int xb = best.get(x);
                        if (qb < xb) {
                            best.set(x, qb);
                        } else {
                            qb = xb;
                        }
                        q = x;
                    } while (sz > 0);
                    su = qb;
                } else {
                    su = best.get(u);
                }
                if (su < s) {
                    s = su;
                }
            }
            semi.set(i, s);
            best.set(i, s);
        }
        parent.release();
        best.release();
        predOff.release();
        preds.release();
        predOff.window(0);
        preds.window(0);
        semi.release();
        semi.window(1);
        progress.update("dominator tree", 0.7);
        for (int i = 2; i <= count; i++) {
            int sd = semi.get(i);
            int c = dom.get(i);
            while (c > sd) {
                c = dom.get(c);
            }
            dom.set(i, c);
        }
        semi.release();
        progress.update("retained sizes", 0.8);

        BigLongs retained = scratch.longs("retained", count + 1L);
        long reachableBytes = 0;
        vertex.window(1);
        retained.window(1);
        for (int i = 2; i <= count; i++) {
            long s = index.sizeOf(vertex.get(i));
            retained.set(i, s);
            reachableBytes += s;
        }
        vertex.window(0);
        retained.window(0);
        index.size.release();
        dom.window(1);
        for (int i = count; i >= 2; i--) {
            retained.add(dom.get(i), retained.get(i));
        }
        dom.window(0);
        dom.set(SUPER, 0);
        dom.release();
        retained.release();

        // The class of every reachable object in preorder space, for the histogram and the suspects: nodes
        // and their preorder numbers read in order, one table written at random.
        BigInts classPre = scratch.ints("classPre", count + 1L);
        pre.window(1);
        index.classOf.window(1);
        for (int v = 0; v < n; v++) {
            int i = pre.get(v);
            if (i != 0) {
                classPre.set(i, index.classOf.get(v));
            }
        }
        pre.window(0);
        index.classOf.window(0);
        classPre.release();
        progress.update("retained sizes", 1);
        return new DominatorTree(n, count, pre, vertex, dom, retained, classPre, predOff, preds, reachableBytes);
    }

    private static boolean test(long[] bits, int i) {
        return (bits[i >>> 6] & (1L << i)) != 0;
    }

    private static void mark(long[] bits, int i) {
        bits[i >>> 6] |= 1L << i;
    }
}
