package dev.oomheapdump.core.analysis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The internals of one analysis for tests that look at single objects: index and dominator tree. */
final class Analysis {

    final HeapIndex index;
    final DominatorTree tree;

    private Analysis(HeapIndex index, DominatorTree tree) {
        this.index = index;
        this.tree = tree;
    }

    static Analysis of(Path file) throws IOException {
        // Kept open for the test JVM's life: the files are unlinked at once, or deleted by the shutdown hook.
        Scratch scratch = Scratch.create(file, null);
        HeapIndex index = new IndexBuilder(file, AnalysisProgress.NONE, scratch).build();
        return new Analysis(index, DominatorTree.compute(index, AnalysisProgress.NONE, scratch));
    }

    /** The objects (not class objects) of a class. */
    List<Integer> objectsOf(String className) {
        List<Integer> out = new ArrayList<>();
        for (int v = 0; v < index.n; v++) {
            if (!index.isClassObject(v) && index.classDef(v).name.equals(className)) {
                out.add(v);
            }
        }
        return out;
    }

    String className(int node) {
        return node == tree.root ? "<super-root>" : index.isClassObject(node) ? "class " + index.classDef(node).name
                : index.classDef(node).name;
    }

    long retained(int node) {
        return tree.retained(node);
    }

    int idom(int node) {
        return tree.idom(node);
    }

    int node(long id) {
        return index.ids.index(id);
    }
}
