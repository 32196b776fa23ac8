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
 * preorder space. The depth-first search (its stack a mapped table too) numbers the objects and writes each edge
 * it scans as a pair of preorder numbers, in order, to a file it never reads back at random; the predecessors are
 * then that edge list sorted by target (counting sort) and the outbound references are unmapped. The
 * semidominator pass reads the predecessors backwards, in order, and touches at random only three tables of 4
 * bytes per reachable object (ancestor, semidominator, label); the tables read or written in order are mapped a
 * few chunks at a time. So the resident memory of the phase is about 12 bytes per object, whatever the file.
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
    /** Predecessors per preorder number, in preorder numbers, CSR; the super-root included. */
    final BigInts predOff;
    final BigInts preds;
    final long reachableBytes;
    final long reachableObjects;

    private DominatorTree(int root, int count, BigInts pre, BigInts vertex, BigInts dom, BigLongs retainedPre,
                          BigInts predOff, BigInts preds, long reachableBytes) {
        this.root = root;
        this.count = count;
        this.pre = pre;
        this.vertex = vertex;
        this.dom = dom;
        this.retainedPre = retainedPre;
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

    static DominatorTree compute(HeapIndex index, AnalysisProgress progress, Scratch scratch) {
        int n = index.n;
        BigInts outOff = index.outOff;
        BigInts targets = index.targets;
        int[] rootNodes = index.roots.nodes;

        // Depth-first search from the super-root (node n), preorder numbers from 1; every scanned edge is
        // written as (preorder of source, preorder of target): the target is numbered by then, either earlier
        // or right now, when the search goes down to it.
        progress.update("dominator tree", 0);
        BigInts pre = scratch.ints("pre", n + 1L);
        BigInts vertex = scratch.ints("vertex", n + 2L);
        BigInts parent = scratch.ints("parent", n + 2L);
        BigInts edgeFrom = scratch.ints("edgeFrom", 1 << 20);
        BigInts edgeTo = scratch.ints("edgeTo", 1 << 20);
        BigInts stackNode = scratch.ints("stackNode", 1 << 20);
        BigInts stackCursor = scratch.ints("stackCursor", 1 << 20);
        vertex.window(2);
        parent.window(2);
        edgeFrom.window(2);
        edgeTo.window(2);
        long edges = 0;
        int num = 0;
        int sp = 0;
        pre.set(n, ++num);
        vertex.set(num, n);
        stackNode.set(sp, n);
        stackCursor.set(sp++, 0);
        while (sp > 0) {
            int v = stackNode.get(sp - 1);
            int c = stackCursor.get(sp - 1);
            int pv = pre.get(v);
            int w = -1;
            boolean classEdge = false;
            if (v == n) {
                while (c < rootNodes.length) {
                    int r = rootNodes[c++];
                    if (r < 0) {
                        continue;
                    }
                    int pr = pre.get(r);
                    if (pr == 0) {
                        w = r;
                        break;
                    }
                    edgeFrom.set(edges, pv);
                    edgeTo.set(edges++, pr);
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
                    int pt = pre.get(t);
                    if (pt == 0) {
                        w = t;
                        break;
                    }
                    edgeFrom.set(edges, pv);
                    edgeTo.set(edges++, pt);
                }
                if (w < 0 && c == to - start) {
                    c++;
                    int cls = index.classOf.get(v);
                    if (cls >= 0 && !index.classes.classes.get(cls).isArray()) {
                        int cn = index.classNode[cls];
                        if (cn >= 0 && pre.get(cn) == 0) {
                            w = cn;
                            classEdge = true;
                        }
                    }
                }
            }
            stackCursor.set(sp - 1, c);
            if (w < 0) {
                sp--;
                continue;
            }
            pre.set(w, ++num);
            vertex.set(num, w);
            parent.set(num, pv);
            edgeFrom.set(edges, pv);
            edgeTo.set(edges++, num);
            stackNode.set(sp, w);
            stackCursor.set(sp++, 0);
        }
        stackNode.release();
        stackCursor.release();
        index.releaseReferences();
        index.classOf.release();
        pre.release();
        int count = num;
        progress.update("dominator tree", 0.2);

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
        // compressed ancestor; dom starts as a copy of the DFS parent.
        BigInts semi = scratch.ints("semi", count + 1L);
        BigInts label = scratch.ints("label", count + 1L);
        BigInts dom = scratch.ints("dom", count + 1L);
        dom.window(2);
        for (int i = 1; i <= count; i++) {
            semi.set(i, i);
            label.set(i, i);
            dom.set(i, parent.get(i));
        }
        dom.window(0);
        parent.window(0);
        predOff.window(2);
        preds.window(2);
        int[] stack = new int[1024];
        for (int i = count; i >= 2; i--) {
            int s = parent.get(i);
            int pFrom = predOff.get(i);
            int pTo = predOff.get(i + 1L);
            for (int p = pFrom; p < pTo; p++) {
                int u = preds.get(p);
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
                    int ql = label.get(q);
                    do {
                        x = stack[--sz];
                        parent.set(x, parent.get(q));
                        int xl = label.get(x);
                        if (semi.get(ql) < semi.get(xl)) {
                            label.set(x, ql);
                        } else {
                            ql = xl;
                        }
                        q = x;
                    } while (sz > 0);
                    u = label.get(q);
                } else {
                    u = label.get(u);
                }
                int su = semi.get(u);
                if (su < s) {
                    s = su;
                }
            }
            semi.set(i, s);
        }
        parent.release();
        label.release();
        predOff.release();
        preds.release();
        predOff.window(0);
        preds.window(0);
        semi.release();
        semi.window(2);
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
        vertex.window(2);
        retained.window(2);
        for (int i = 2; i <= count; i++) {
            long s = index.sizeOf(vertex.get(i));
            retained.set(i, s);
            reachableBytes += s;
        }
        vertex.window(0);
        retained.window(0);
        index.size.release();
        for (int i = count; i >= 2; i--) {
            retained.add(dom.get(i), retained.get(i));
        }
        dom.set(SUPER, 0);
        dom.release();
        retained.release();
        progress.update("retained sizes", 1);
        return new DominatorTree(n, count, pre, vertex, dom, retained, predOff, preds, reachableBytes);
    }
}
