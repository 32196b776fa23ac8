package dev.oomheapdump.jconsole;

import org.graalvm.visualvm.application.Application;
import org.graalvm.visualvm.core.options.GlobalPreferences;
import org.graalvm.visualvm.core.ui.DataSourceView;
import org.graalvm.visualvm.core.ui.components.DataViewComponent;
import org.graalvm.visualvm.core.ui.components.ScrollableContainer;
import org.graalvm.visualvm.tools.jmx.JmxModel;
import org.graalvm.visualvm.tools.jmx.JmxModel.ConnectionState;
import org.graalvm.visualvm.tools.jmx.JmxModelFactory;

import javax.management.MBeanServerConnection;
import javax.swing.ScrollPaneConstants;
import javax.swing.SwingUtilities;
import javax.swing.Timer;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Image;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.beans.PropertyChangeEvent;
import java.beans.PropertyChangeListener;

/**
 * The "OOM Heapdump" view of one application in VisualVM: the JConsole tab's panel ({@link OomHeapdumpTab}) over
 * VisualVM's own JMX connection to the application ({@link JmxModel}), polled at VisualVM's update interval for
 * monitored data (Tools, Options, General; 2 s at least), with "Open in VisualVM" ({@link VisualVmViewer}).
 */
final class VisualVmView extends DataSourceView {

    static final int POSITION = 60; // after Overview, Monitor, Threads, Sampler, Profiler and MBeans (50)
    private static final int MIN_POLL_MS = 2_000;

    private final Application application;
    private final PropertyChangeListener connectionListener = this::connectionChanged;
    // event thread only
    private OomHeapdumpTab tab;
    private Timer poll;
    private JmxModel listened; // guarded by this

    VisualVmView(Application application) {
        super(application, OomHeapdumpTab.TITLE, icon(), POSITION, false);
        this.application = application;
    }

    /** VisualVM's JMX connection to the application, or null while it has none. Blocks: off the event thread. */
    private MBeanServerConnection connection() {
        JmxModel jmx = jmx();
        return jmx == null || jmx.getConnectionState() != ConnectionState.CONNECTED ? null : jmx.getMBeanServerConnection();
    }

    /** The application's JMX model (made, and for a local application attached, on first use); listened to. */
    private JmxModel jmx() {
        JmxModel jmx = JmxModelFactory.getJmxModelFor(application);
        if (jmx != null) {
            synchronized (this) {
                if (listened != jmx) {
                    if (listened != null) {
                        listened.removePropertyChangeListener(connectionListener);
                    }
                    jmx.addPropertyChangeListener(connectionListener);
                    listened = jmx;
                }
            }
        }
        return jmx;
    }

    @Override
    protected DataViewComponent createComponent() {
        tab = new OomHeapdumpTab(new ConsoleHost("VisualVM", this::connection,
                "VisualVM has no JMX connection to this application (for a local one: it could not attach; for a "
                        + "remote one: add it with File, Add JMX Connection)",
                "The JMX connection to the JVM was lost; VisualVM reconnects when the application is back",
                new VisualVmViewer()));
        int seconds = GlobalPreferences.sharedInstance().getMonitoredDataPoll();
        poll = new Timer(Math.max(MIN_POLL_MS, seconds * 1000), e -> tab.requestRefresh());
        poll.setRepeats(true);
        // scrolls down in a window lower than the panel, as VisualVM's own views do; never sideways: a long message
        // is cut at the window's edge, as in JConsole (its tooltip holds it whole)
        return new DataViewComponent(new DataViewComponent.MasterView(OomHeapdumpTab.TITLE, null,
                new ScrollableContainer(tab, ScrollPaneConstants.VERTICAL_SCROLLBAR_AS_NEEDED,
                        ScrollPaneConstants.HORIZONTAL_SCROLLBAR_NEVER)),
                new DataViewComponent.MasterViewConfiguration(true));
    }

    @Override
    protected void added() {
        SwingUtilities.invokeLater(() -> {
            if (tab != null) {
                tab.connected();
                poll.start();
            }
        });
    }

    @Override
    protected void removed() {
        SwingUtilities.invokeLater(() -> {
            if (poll != null) {
                poll.stop();
            }
            if (tab != null) {
                tab.dispose();
            }
        });
        synchronized (this) {
            if (listened != null) {
                listened.removePropertyChangeListener(connectionListener);
                listened = null;
            }
        }
    }

    private void connectionChanged(PropertyChangeEvent event) {
        if (!JmxModel.CONNECTION_STATE_PROPERTY.equals(event.getPropertyName())) {
            return;
        }
        SwingUtilities.invokeLater(() -> {
            if (tab == null) {
                return;
            }
            if (event.getNewValue() == ConnectionState.CONNECTED) {
                tab.connected();
            } else if (event.getNewValue() == ConnectionState.DISCONNECTED) {
                tab.disconnected();
            }
        });
    }

    /** A heap gauge, 16 px: a rounded frame with a red fill near its top. */
    private static Image icon() {
        BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(new Color(0xC0, 0x30, 0x20));
            g.fillRoundRect(3, 4, 10, 10, 3, 3);
            g.setColor(new Color(0x40, 0x40, 0x40));
            g.setStroke(new BasicStroke(1.2f));
            g.drawRoundRect(2, 1, 12, 14, 4, 4);
        } finally {
            g.dispose();
        }
        return image;
    }
}
