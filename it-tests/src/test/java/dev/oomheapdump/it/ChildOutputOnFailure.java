package dev.oomheapdump.it;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Prints the output of every child JVM a failed test started; add with {@code @ExtendWith}. */
public final class ChildOutputOnFailure implements TestWatcher, AfterEachCallback {

    private static final List<ChildJvm> STARTED = new ArrayList<>();

    static synchronized void register(ChildJvm child) {
        STARTED.add(child);
    }

    private static synchronized List<ChildJvm> drain() {
        List<ChildJvm> children = new ArrayList<>(STARTED);
        STARTED.clear();
        return children;
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        for (ChildJvm child : drain()) {
            System.out.println("---- output of child JVM " + child.pid() + " (" + context.getDisplayName() + ")\n"
                    + child.output() + "\n---- end of child output");
        }
    }

    @Override
    public void testSuccessful(ExtensionContext context) {
        drain();
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        drain();
    }

    @Override
    public void testDisabled(ExtensionContext context, Optional<String> reason) {
        drain();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        // children are closed by the tests; the watcher callbacks above run after this
    }
}
