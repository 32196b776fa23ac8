package dev.oomheapdump.jconsole;

import org.graalvm.visualvm.application.Application;
import org.graalvm.visualvm.core.ui.DataSourceView;
import org.graalvm.visualvm.core.ui.DataSourceViewProvider;
import org.graalvm.visualvm.core.ui.DataSourceViewsManager;

/**
 * Gives every application VisualVM shows, local or over JMX, an "OOM Heapdump" view: the tab itself when the JVM
 * has the bean, the short "agent not installed" panel when it has not (the panel finds out over JMX, not here).
 */
final class VisualVmViewProvider extends DataSourceViewProvider<Application> {

    private static final VisualVmViewProvider INSTANCE = new VisualVmViewProvider();

    static void register() {
        DataSourceViewsManager.sharedInstance().addViewProvider(INSTANCE, Application.class);
    }

    static void unregister() {
        DataSourceViewsManager.sharedInstance().removeViewProvider(INSTANCE);
    }

    @Override
    protected boolean supportsViewFor(Application application) {
        return true;
    }

    @Override
    protected DataSourceView createView(Application application) {
        return new VisualVmView(application);
    }
}
