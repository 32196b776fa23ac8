package dev.oomheapdump.jconsole;

import javax.management.MBeanServerConnection;
import javax.swing.SwingUtilities;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/** What the tab's tests share: running code on the event thread, and seeing every call a connection gets. */
final class TabTesting {

    /** Runs before each call of an observed connection, on the calling thread; may block or count. */
    interface BeforeCall {
        void before(Method method, Object[] args) throws Exception;
    }

    private TabTesting() {
    }

    /** The connection, with {@code before} run ahead of each of its calls. */
    static MBeanServerConnection observed(MBeanServerConnection connection, BeforeCall before) {
        return (MBeanServerConnection) Proxy.newProxyInstance(TabTesting.class.getClassLoader(),
                new Class<?>[]{MBeanServerConnection.class}, (proxy, method, args) -> {
                    before.before(method, args);
                    try {
                        return method.invoke(connection, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** Runs {@code call} on the event thread and returns its value or throws its exception. */
    static <T> T onEdt(Callable<T> call) throws Exception {
        AtomicReference<T> value = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        SwingUtilities.invokeAndWait(() -> {
            try {
                value.set(call.call());
            } catch (Exception e) {
                failure.set(e);
            }
        });
        if (failure.get() != null) {
            throw failure.get();
        }
        return value.get();
    }
}
