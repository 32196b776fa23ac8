package dev.oomheapdump.jconsole;

import org.openide.modules.ModuleInstall;

/**
 * The VisualVM module's entry ({@code OpenIDE-Module-Install} in the jar's manifest): adds the "OOM Heapdump" view
 * to every application VisualVM shows, and takes it away when the module is disabled or uninstalled.
 */
public final class VisualVmInstaller extends ModuleInstall {

    private static final long serialVersionUID = 1L;

    @Override
    public void restored() {
        VisualVmViewProvider.register();
    }

    @Override
    public void uninstalled() {
        VisualVmViewProvider.unregister();
    }
}
