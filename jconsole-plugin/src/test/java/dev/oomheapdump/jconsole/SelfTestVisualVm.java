package dev.oomheapdump.jconsole;

/**
 * Starts {@link SelfTest} in VisualVM when asked by system property: NetBeans runs it at startup because the test jar
 * lists it in {@code META-INF/namedservices/Modules/Start/java.lang.Runnable}, and the test jar is there only when the
 * it-test adds it to the VisualVM module as a patch ({@code -J-Dnetbeans.patches.dev.oomheapdump.visualvm=<jar>}),
 * which puts it in the module's own class loader. The shipped module carries no test code.
 */
public final class SelfTestVisualVm implements Runnable {

    @Override
    public void run() {
        SelfTest.startIfRequested(SelfTest.VISUALVM_PROPERTY);
    }
}
