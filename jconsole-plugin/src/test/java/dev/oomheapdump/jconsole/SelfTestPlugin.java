package dev.oomheapdump.jconsole;

import com.sun.tools.jconsole.JConsolePlugin;

import javax.swing.JPanel;
import javax.swing.SwingWorker;
import java.util.Map;

/**
 * A second plugin, only in the test jar ({@code oom-heapdump-jconsole-plugin-tests.jar}): the it-tests put it on
 * JConsole's plugin path beside the real one, and it starts {@link SelfTest} when asked by system property. The
 * shipped plugin carries no test code.
 */
public final class SelfTestPlugin extends JConsolePlugin {

    public SelfTestPlugin() {
        SelfTest.startIfRequested();
    }

    @Override
    public Map<String, JPanel> getTabs() {
        return Map.of();
    }

    @Override
    public SwingWorker<?, ?> newSwingWorker() {
        return null;
    }
}
