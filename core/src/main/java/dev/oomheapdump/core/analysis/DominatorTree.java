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
 */
final class DominatorTree {

    /** Immediate dominator per object; {@link #root} for top-level objects, -1 for unreachable ones. */
    final int[] idom;
    /** Retained bytes per object (0 when unreachable). */
    final long[] retained;
    /** The virtual super-root's index, {@code n}. */
    final int root;
    /** Predecessors per object, CSR over the reachable graph, super-root included. */
    final int[] predOff;
    final int[] preds;
    final long reachableBytes;
    final long reachableObjects;

    private DominatorTree(int[] idom, long[] retained, int root, int[] predOff, int[] preds, long reachableBytes,
                          long reachableObjects) {
        this.idom = idom;
        this.retained = retained;
        this.root = root;
        this.predOff = predOff;
        this.preds = preds;
        this.reachableBytes = reachableBytes;
        this.reachableObjects = reachableObjects;
    }

    boolean reachable(int node) {
        return idom[node] >= 0;
    }

    static DominatorTree compute(HeapIndex index, AnalysisProgress progress) {
        int n = index.n;
        int[] outOff = index.outOff;
        int[] targets = index.targets;
        if (outOff == null) {
            throw new IllegalStateException("references already released");
        }
        int[] rootNodes = index.roots.nodes;
        int[] classFirst = new int[index.classes.size()];
        Arrays.fill(classFirst, -1);

        // Depth-first search from the super-root (node n), preorder numbers from 1.
        progress.update("dominator tree", 0);
        int[] pre = new int[n + 1];
        int[] vertex = new int[n + 2];
        int[] parent = new int[n + 2];
        int num = 0;
        int[] stackNode = new int[1024];
        int[] stackCursor = new int[1024];
        int sp = 0;
        pre[n] = ++num;
        vertex[num] = n;
        stackNode[sp] = n;
        stackCursor[sp++] = 0;
        while (sp > 0) {
            int v = stackNode[sp - 1];
            int c = stackCursor[sp - 1];
            int w = -1;
            boolean classEdge = false;
            if (v == n) {
                while (c < rootNodes.length && (w = rootNodes[c++]) < 0) {
                    // skip roots whose object is not in the dump
                }
                if (w >= 0 && pre[w] != 0) {
                    w = -2;
                }
            } else {
                int from = outOff[v] + c;
                int to = outOff[v + 1];
                while (from < to) {
                    int t = targets[from++];
                    c++;
                    if (t >= 0 && pre[t] == 0) {
                        w = t;
                        break;
                    }
                }
                if (w < 0 && from == to && c == to - outOff[v] && index.isInstance(v)) {
                    c++;
                    int cn = index.classNode[index.classOf[v]];
                    if (cn >= 0 && pre[cn] == 0) {
                        w = cn;
                        classEdge = true;
                    }
                }
            }
            stackCursor[sp - 1] = c;
            if (w == -2) {
                continue;
            }
            if (w < 0) {
                sp--;
                continue;
            }
            pre[w] = ++num;
            vertex[num] = w;
            parent[num] = pre[v];
            if (classEdge) {
                classFirst[-2 - index.classOf[w]] = v;
            }
            if (sp == stackNode.length) {
                stackNode = Arrays.copyOf(stackNode, sp * 2);
                stackCursor = Arrays.copyOf(stackCursor, sp * 2);
            }
            stackNode[sp] = w;
            stackCursor[sp++] = 0;
        }
        stackNode = null;
        stackCursor = null;
        int count = num;
        progress.update("dominator tree", 0.2);

        // Predecessors, over the same edges.
        int[] predOff = new int[n + 2];
        for (int i = 1; i <= count; i++) {
            int v = vertex[i];
            forEachSuccessor(index, classFirst, v, t -> predOff[t + 1]++);
        }
        for (int i = 0; i <= n; i++) {
            predOff[i + 1] += predOff[i];
        }
        int[] preds = new int[predOff[n + 1]];
        {
            int[] at = Arrays.copyOf(predOff, n + 1);
            for (int i = 1; i <= count; i++) {
                int v = vertex[i];
                forEachSuccessor(index, classFirst, v, t -> preds[at[t]++] = v);
            }
        }
        index.releaseReferences();
        outOff = null;
        targets = null;
        progress.update("dominator tree", 0.4);

        // Semidominators (reverse preorder), then immediate dominators (preorder).
        int[] semi = new int[count + 1];
        int[] label = new int[count + 1];
        int[] dom = new int[count + 1];
        for (int i = 1; i <= count; i++) {
            semi[i] = i;
            label[i] = i;
            dom[i] = parent[i];
        }
        int[] stack = new int[1024];
        for (int i = count; i >= 2; i--) {
            int s = parent[i];
            int v = vertex[i];
            for (int p = predOff[v]; p < predOff[v + 1]; p++) {
                int u = pre[preds[p]];
                if (u == 0) {
                    continue;
                }
                if (parent[u] >= i + 1) {
                    int sz = 0;
                    int x = u;
                    do {
                        if (sz == stack.length) {
                            stack = Arrays.copyOf(stack, sz * 2);
                        }
                        stack[sz++] = x;
                        x = parent[x];
                    } while (parent[x] >= i + 1);
                    int q = x;
                    int ql = label[q];
                    do {
                        x = stack[--sz];
                        parent[x] = parent[q];
                        int xl = label[x];
                        if (semi[ql] < semi[xl]) {
                            label[x] = ql;
                        } else {
                            ql = xl;
                        }
                        q = x;
                    } while (sz > 0);
                    u = label[q];
                } else {
                    u = label[u];
                }
                if (semi[u] < s) {
                    s = semi[u];
                }
            }
            semi[i] = s;
        }
        progress.update("dominator tree", 0.7);
        for (int i = 2; i <= count; i++) {
            int sd = semi[i];
            int c = dom[i];
            while (c > sd) {
                c = dom[c];
            }
            dom[i] = c;
        }
        semi = null;
        label = null;
        parent = null;
        progress.update("retained sizes", 0.8);

        long[] retained = new long[n + 1];
        long reachableBytes = 0;
        for (int i = 2; i <= count; i++) {
            int v = vertex[i];
            long s = index.sizeOf(v);
            retained[v] = s;
            reachableBytes += s;
        }
        for (int i = count; i >= 2; i--) {
            retained[vertex[dom[i]]] += retained[vertex[i]];
        }
        int[] idom = pre;
        Arrays.fill(idom, -1);
        for (int i = 2; i <= count; i++) {
            idom[vertex[i]] = vertex[dom[i]];
        }
        idom[n] = -1;
        progress.update("retained sizes", 1);
        return new DominatorTree(idom, retained, n, predOff, preds, reachableBytes, count - 1L);
    }

    @FunctionalInterface
    private interface IntSink {
        void accept(int target);
    }

    private static void forEachSuccessor(HeapIndex index, int[] classFirst, int v, IntSink sink) {
        int n = index.n;
        if (v == n) {
            for (int r : index.roots.nodes) {
                if (r >= 0) {
                    sink.accept(r);
                }
            }
            return;
        }
        for (int e = index.outOff[v]; e < index.outOff[v + 1]; e++) {
            int t = index.targets[e];
            if (t >= 0) {
                sink.accept(t);
            }
        }
        int c = index.classOf[v];
        if (c >= 0 && classFirst[c] == v) {
            sink.accept(index.classNode[c]);
        }
    }
}
