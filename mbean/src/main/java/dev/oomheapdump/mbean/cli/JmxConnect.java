package dev.oomheapdump.mbean.cli;

import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import javax.naming.NamingException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.rmi.ssl.SslRMIClientSocketFactory;
import java.io.IOException;
import java.net.MalformedURLException;
import java.rmi.ConnectIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * A remote JMX connection as the command line opens it: optional credentials (the JDK agent's password file) and
 * TLS for the RMI registry with the JDK's standard {@code javax.net.ssl.*} settings. A failure only it can explain
 * says what to do: {@link IllegalArgumentException} for missing or wrong credentials, {@link IllegalStateException}
 * for TLS on one side only; the rest is an {@link IOException} "cannot connect to TARGET" that {@link Failures}
 * words (an unknown host is bad input there too).
 */
final class JmxConnect {

    private JmxConnect() {
    }

    /**
     * @param url      a {@code service:jmx:} URL
     * @param target   what the user typed, for messages
     * @param user     null for none
     * @param password with {@code user}
     * @param ssl      the registry speaks TLS ({@code com.sun.management.jmxremote.registry.ssl=true})
     */
    static JMXConnector open(String url, String target, String user, String password, boolean ssl) throws IOException {
        Map<String, Object> environment = new HashMap<>();
        if (user != null) {
            environment.put(JMXConnector.CREDENTIALS, new String[]{user, password});
        }
        if (ssl) {
            environment.put("com.sun.jndi.rmi.factory.socket", new SslRMIClientSocketFactory());
        }
        JMXServiceURL serviceUrl;
        try {
            serviceUrl = new JMXServiceURL(url);
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("'" + target + "' is neither host:port nor a service:jmx: URL ("
                    + e.getMessage() + ")");
        }
        try {
            return JMXConnectorFactory.connect(serviceUrl, environment);
        } catch (SecurityException e) {
            throw authentication(e, target, user);
        } catch (IOException e) {
            throw explain(e, target, ssl);
        }
    }

    private static IllegalArgumentException authentication(SecurityException e, String target, String user) {
        String message = String.valueOf(e.getMessage());
        if (user == null) {
            return new IllegalArgumentException(target + " requires a JMX user and password (" + message
                    + "): give --user U --password-file F, or --user U with the JMX_PASSWORD environment variable");
        }
        return new IllegalArgumentException("authentication failed at " + target + " for user '" + user + "' (" + message
                + "): check the user and the password");
    }

    /**
     * What only this connection knows (credentials, TLS on or off) becomes its own line here; any other failure
     * (refused, unknown host, no route, no answer) is worded by {@link Failures}, the one place the command line
     * words network failures, behind "cannot connect to TARGET".
     */
    private static IOException explain(IOException e, String target, boolean ssl) {
        for (Throwable t = e; t != null; t = next(t)) {
            if (t instanceof SecurityException) {
                throw new IllegalArgumentException("authentication failed at " + target + ": " + t.getMessage());
            }
            if (t instanceof SSLHandshakeException) {
                throw new IllegalStateException("TLS handshake with " + target + " failed (" + t.getMessage()
                        + "): this Java must trust the JVM's certificate: java -Djavax.net.ssl.trustStore=FILE "
                        + "-Djavax.net.ssl.trustStorePassword=... -jar oom-heapdump-agent.jar fetch --ssl ...");
            }
            if (t instanceof SSLException && ssl) {
                throw new IllegalStateException(target + " does not speak TLS (" + t.getMessage()
                        + "): leave out --ssl");
            }
            if (t instanceof ConnectIOException && !ssl) {
                throw new IllegalStateException(target + " did not answer as a plain RMI registry (" + t.getMessage()
                        + "): when its registry uses TLS (com.sun.management.jmxremote.registry.ssl=true), add --ssl");
            }
        }
        return new IOException("cannot connect to " + target, e);
    }

    /** The cause, also where JNDI keeps it as its root exception. */
    private static Throwable next(Throwable t) {
        Throwable cause = t instanceof NamingException ? ((NamingException) t).getRootCause() : t.getCause();
        return cause == t ? null : cause;
    }
}
