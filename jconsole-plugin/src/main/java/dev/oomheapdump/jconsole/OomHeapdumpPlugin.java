package dev.oomheapdump.jconsole;

import com.sun.tools.jconsole.JConsoleContext;
import com.sun.tools.jconsole.JConsoleContext.ConnectionState;
import com.sun.tools.jconsole.JConsolePlugin;

import javax.management.MBeanServerConnection;
import javax.swing.JPanel;
import javax.swing.SwingWorker;
import java.beans.PropertyChangeEvent;
import java.util.Map;

/**
 * Adds the "OOM Heapdump" tab to JConsole: {@code jconsole -pluginpath oom-heapdump-jconsole-plugin.jar}. The tab
 * works with the bean {@code dev.oomheapdump:type=OomHeapdump} when the JVM has it, and says how to add the agent
 * when it does not. JConsole makes one instance per connection window.
 */
public final class OomHeapdumpPlugin extends JConsolePlugin {

    private volatile OomHeapdumpTab tab;

    public OomHeapdumpPlugin() {
        addContextPropertyChangeListener(this::contextChanged);
    }

    /** Called by JConsole on the event thread once connected. */
    @Override
    public synchronized Map<String, JPanel> getTabs() {
        if (tab == null) {
            tab = new OomHeapdumpTab(this::connection);
            tab.connected();
        }
        return Map.of(OomHeapdumpTab.TITLE, tab);
    }

    private MBeanServerConnection connection() {
        JConsoleContext context = getContext();
        return context == null || context.getConnectionState() != ConnectionState.CONNECTED ? null
                : context.getMBeanServerConnection();
    }

    /** Called by JConsole's update timer every interval (4 s unless {@code -interval=n}). */
    @Override
    public SwingWorker<?, ?> newSwingWorker() {
        OomHeapdumpTab t = tab;
        return t == null ? null : t.newPollWorker();
    }

    @Override
    public void dispose() {
        OomHeapdumpTab t = tab;
        if (t != null) {
            t.dispose();
        }
    }

    /** JConsole fires connection changes on the event thread. */
    private void contextChanged(PropertyChangeEvent event) {
        OomHeapdumpTab t = tab;
        if (t == null || !JConsoleContext.CONNECTION_STATE_PROPERTY.equals(event.getPropertyName())) {
            return;
        }
        if (event.getNewValue() == ConnectionState.CONNECTED) {
            t.connected();
        } else if (event.getNewValue() == ConnectionState.DISCONNECTED) {
            t.disconnected();
        }
    }
}
