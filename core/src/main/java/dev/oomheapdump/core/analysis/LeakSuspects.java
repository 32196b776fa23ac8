package dev.oomheapdump.core.analysis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The largest dominators, each followed down to its accumulation point and given its shortest path from a
 * GC root.
 *
 * <p>Candidates are the top-level dominators (children of the virtual super-root), largest first. A candidate
 * that owes at least {@link #ACCUMULATION} of its retained size to one child in the dominator tree (a class to
 * one static field, a collection to its backing array) is followed down to that child, repeatedly, as Eclipse
 * MAT's leak suspects do; but never into an object of its own class, so a linked list is reported at its head,
 * not at its last node. The path is a shortest path in the object graph, found by a breadth-first search
 * backwards over predecessors from the object to the nearest GC root.
 */
final class LeakSuspects {

    static final double ACCUMULATION = 0.8;
    private static final int MAX_DESCENT = 10_000;

    private LeakSuspects() {
    }

    static List<HeapReport.Suspect> find(HeapIndex index, DominatorTree tree, int limit, Path file)
            throws IOException {
        int n = index.n;
        long total = tree.reachableBytes;
        if (limit <= 0 || total == 0) {
            return List.of();
        }
        int[] top = topLevel(tree, n, limit);
        int[] biggest = biggestChildren(tree, n);
        Set<Integer> points = new LinkedHashSet<>();
        for (int candidate : top) {
            int x = candidate;
            for (int steps = 0; steps < MAX_DESCENT; steps++) {
                int child = biggest[x];
                if (child < 0 || tree.retained[child] < ACCUMULATION * tree.retained[x]
                        || index.classOf[child] == index.classOf[x]) {
                    break;
                }
                x = child;
            }
            points.add(x);
        }
        biggest = null;
        List<int[]> paths = new ArrayList<>();
        int[] from = new int[n + 1];
        Arrays.fill(from, -1);
        int[] queue = new int[n + 1];
        for (int p : points) {
            paths.add(path(tree, p, from, queue));
        }
        List<List<String>> names = new PathNames(index, file).name(paths);
        List<HeapReport.Suspect> out = new ArrayList<>();
        int i = 0;
        for (int p : points) {
            long retained = tree.retained[p];
            ClassDef def = index.classDef(p);
            String cls = index.isClassObject(p) ? "java.lang.Class" : def.name;
            double percent = Math.round(retained * 10000.0 / total) / 100.0;
            out.add(new HeapReport.Suspect(cls, "0x" + Long.toHexString(index.ids.id(p)), retained, percent,
                    names.get(i++)));
        }
        out.sort((a, b) -> Long.compare(b.retainedBytes(), a.retainedBytes()));
        return out;
    }

    private static int[] topLevel(DominatorTree tree, int n, int limit) {
        long[] best = new long[limit];
        int[] nodes = new int[limit];
        int count = 0;
        for (int v = 0; v < n; v++) {
            if (tree.idom[v] != n || tree.retained[v] == 0) {
                continue;
            }
            long r = tree.retained[v];
            if (count < limit) {
                count++;
            } else if (r <= best[count - 1]) {
                continue;
            }
            int i = count - 1;
            while (i > 0 && best[i - 1] < r) {
                best[i] = best[i - 1];
                nodes[i] = nodes[i - 1];
                i--;
            }
            best[i] = r;
            nodes[i] = v;
        }
        return Arrays.copyOf(nodes, count);
    }

    private static int[] biggestChildren(DominatorTree tree, int n) {
        int[] biggest = new int[n + 1];
        Arrays.fill(biggest, -1);
        for (int v = 0; v < n; v++) {
            int p = tree.idom[v];
            if (p >= 0 && (biggest[p] < 0 || tree.retained[v] > tree.retained[biggest[p]])) {
                biggest[p] = v;
            }
        }
        return biggest;
    }

    /** Nodes from a GC root object to the target, shortest first found backwards over predecessors. */
    static int[] path(DominatorTree tree, int target, int[] from, int[] queue) {
        int head = 0;
        int tail = 0;
        queue[tail++] = target;
        from[target] = target;
        int found = -1;
        while (head < tail && found < 0) {
            int x = queue[head++];
            for (int e = tree.predOff[x]; e < tree.predOff[x + 1]; e++) {
                int p = tree.preds[e];
                if (p == tree.root) {
                    found = x;
                    break;
                }
                if (from[p] < 0) {
                    from[p] = x;
                    queue[tail++] = p;
                }
            }
        }
        List<Integer> nodes = new ArrayList<>();
        for (int x = found; x >= 0; x = from[x] == x ? -1 : from[x]) {
            nodes.add(x);
        }
        for (int i = 0; i < tail; i++) {
            from[queue[i]] = -1;
        }
        return nodes.stream().mapToInt(Integer::intValue).toArray();
    }
}
