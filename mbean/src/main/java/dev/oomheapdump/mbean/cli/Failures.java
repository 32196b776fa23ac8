package dev.oomheapdump.mbean.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one place the command line turns a failure into what it prints: one line and an exit code, 2 for bad usage
 * or input (the line names it), 1 for anything else. The JDK's wrappers (reflection, proxies, JMX, futures,
 * {@code UncheckedIOException}) are looked through; RMI, JNDI, network, security, attach and file-system failures
 * are said in words; never a bare exception class name, never a stack trace or the RMI runtime's nested text.
 */
final class Failures {

    /** What a command prints and returns when it fails. */
    record Failure(int exitCode, String line) {
    }

    private Failures() {
    }

    /** The line and exit code for any failure of a command. */
    static Failure of(Throwable failure) {
        Throwable top = unwrap(failure);
        List<Throwable> chain = chain(top);
        return new Failure(isBadInput(top, chain) ? 2 : 1, oneLine(describe(top, chain)));
    }

    /** Why something failed, in words, for a command that adds its own context ("cannot attach to 42: " + reason). */
    static String reason(Throwable failure) {
        return of(failure).line();
    }

    /** Bad input: the user can fix the command line (a bad argument, an unknown host, a malformed URL). */
    private static boolean isBadInput(Throwable top, List<Throwable> chain) {
        if (top instanceof IllegalArgumentException) {
            return true;
        }
        return chain.stream().anyMatch(t -> t instanceof java.net.UnknownHostException
                || t instanceof java.net.MalformedURLException || t instanceof java.nio.file.InvalidPathException);
    }

    private static String describe(Throwable top, List<Throwable> chain) {
        for (Throwable t : chain) {
            String known = known(t);
            if (known != null) {
                String context = t == top ? "" : context(top, chain);
                return context.isEmpty() ? known : context + ": " + known;
            }
        }
        for (Throwable t : chain) {
            String message = t.getMessage() == null ? "" : oneLine(t.getMessage());
            if (!message.isEmpty() && !isClassName(message)) {
                return t == top || isWrapperText(top) ? message : context(top, chain) + ": " + message;
            }
        }
        StackTraceElement[] where = top.getStackTrace();
        return "unexpected " + top.getClass().getSimpleName() + (where.length == 0 ? "" : " at " + where[0])
                + "; please report it";
    }

    /** The failures worth saying in words, or null. */
    private static String known(Throwable t) {
        String message = firstLine(t.getMessage());
        String type = t.getClass().getName();
        if (t instanceof java.rmi.ConnectException) {
            return "connection refused by " + after(message, "to host: ", ";") + " (nothing listens on that port)";
        }
        if (t instanceof java.net.ConnectException) {
            return "connection refused (nothing listens on that port)";
        }
        if (t instanceof java.net.UnknownHostException) {
            return "unknown host '" + message.replace(": Name or service not known", "") + "'";
        }
        if (t instanceof java.net.NoRouteToHostException) {
            return "no route to that host (" + message + ")";
        }
        if (t instanceof java.net.SocketTimeoutException) {
            return "no answer in time (" + message + ")";
        }
        if (t instanceof java.rmi.ConnectIOException && message.contains("non-JRMP server")) {
            return "what listens there is not a JMX RMI connector (an SSL one needs --ssl)";
        }
        if (t instanceof java.rmi.NoSuchObjectException) {
            return "the JMX connector there is gone (the JVM restarted?); connect again";
        }
        if (t instanceof javax.naming.NameNotFoundException) {
            return "no JMX connector is registered there under that name";
        }
        if (t instanceof javax.management.InstanceNotFoundException) {
            return "no oom-heapdump MBean is registered there (" + message + "): load the agent first "
                    + "(java -jar oom-heapdump-agent.jar attach PID)";
        }
        if (t instanceof SecurityException) {
            return security(message);
        }
        if (t instanceof javax.net.ssl.SSLException) {
            return "SSL failed: " + message;
        }
        if (t instanceof java.nio.file.NoSuchFileException) {
            return "no such file or directory: " + message;
        }
        if (t instanceof java.nio.file.AccessDeniedException) {
            return "permission denied: " + message;
        }
        if (t instanceof java.nio.file.FileAlreadyExistsException) {
            return "exists already: " + message;
        }
        if (t instanceof java.nio.file.NotDirectoryException) {
            return "not a directory: " + message;
        }
        if (t instanceof OutOfMemoryError) {
            return "the command ran out of memory (" + message + "): give it more, e.g. java -Xmx4g -jar ...";
        }
        if (type.equals("com.sun.tools.attach.AgentLoadException")) {
            return "the JVM could not load the agent jar: " + message;
        }
        if (type.equals("com.sun.tools.attach.AgentInitializationException")) {
            return "the agent failed to start in the JVM: " + message;
        }
        return null;
    }

    private static String security(String message) {
        String lower = message.toLowerCase(Locale.ROOT);
        if (lower.contains("credentials required")) {
            return "authentication required: give a user and a password";
        }
        if (lower.contains("authentication failed")) {
            return "authentication failed: wrong user or password";
        }
        if (lower.contains("access denied")) {
            return "access denied: this user may not do that (read-only?)";
        }
        return "not permitted: " + message;
    }

    /**
     * What the outermost message says before it quotes its causes: "cannot fetch 'x' from URL" of
     * "cannot fetch 'x' from URL: Failed to retrieve RMIServer stub: javax.naming...".
     */
    private static String context(Throwable top, List<Throwable> chain) {
        String message = firstLine(top.getMessage());
        int cut = message.length();
        for (Throwable cause : chain.subList(1, chain.size())) {
            for (String quoted : new String[]{cause.toString(), cause.getMessage()}) {
                int at = quoted == null || quoted.isBlank() ? -1 : message.indexOf(": " + firstLine(quoted));
                if (at >= 0) {
                    cut = Math.min(cut, at);
                }
            }
        }
        String context = message.substring(0, cut).replaceAll("[\\s:;,]+$", "");
        if (context.equals("Failed to retrieve RMIServer stub")) {
            return "cannot reach the JMX connector";
        }
        return isClassName(context) ? "" : context;
    }

    /** A message that only passes on its cause's text: "java.io.IOException: ...". */
    private static boolean isWrapperText(Throwable t) {
        Throwable cause = t.getCause();
        return cause != null && firstLine(t.getMessage()).startsWith(cause.getClass().getName());
    }

    /** Looks through the exceptions that only carry another: reflection, proxies, JMX, futures, unchecked I/O. */
    static Throwable unwrap(Throwable t) {
        Throwable current = t;
        for (int depth = 0; depth < 20; depth++) {
            Throwable inner = null;
            if (current instanceof InvocationTargetException) {
                inner = ((InvocationTargetException) current).getTargetException();
            } else if (current instanceof UndeclaredThrowableException) {
                inner = ((UndeclaredThrowableException) current).getUndeclaredThrowable();
            } else if (current instanceof javax.management.RuntimeMBeanException) {
                inner = ((javax.management.RuntimeMBeanException) current).getTargetException();
            } else if (current instanceof javax.management.RuntimeErrorException) {
                inner = ((javax.management.RuntimeErrorException) current).getTargetError();
            } else if (current instanceof javax.management.MBeanException) {
                inner = ((javax.management.MBeanException) current).getTargetException();
            } else if (current instanceof javax.management.RuntimeOperationsException) {
                inner = ((javax.management.RuntimeOperationsException) current).getTargetException();
            } else if (current instanceof java.util.concurrent.ExecutionException
                    || current instanceof java.util.concurrent.CompletionException
                    || current instanceof java.io.UncheckedIOException) {
                inner = current.getCause();
            }
            if (inner == null) {
                return current;
            }
            current = inner;
        }
        return current;
    }

    /** The failure and its causes, outermost first (RMI's {@code detail} and JNDI's root cause are causes too). */
    private static List<Throwable> chain(Throwable top) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = top; t != null && !chain.contains(t) && chain.size() < 20; t = t.getCause()) {
            t = unwrap(t);
            chain.add(t);
        }
        return chain;
    }

    private static String after(String message, String start, String end) {
        int from = message.indexOf(start);
        if (from < 0) {
            return "that host";
        }
        from += start.length();
        int to = message.indexOf(end, from);
        return message.substring(from, to < 0 ? message.length() : to).trim();
    }

    private static boolean isClassName(String text) {
        return text.matches("([a-zA-Z_$][\\w$]*\\.)*[A-Z][\\w$]*(Exception|Error)");
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).trim();
    }

    /** Whatever a message held, one line: a multi-line message would break scripts that read the error. */
    private static String oneLine(String text) {
        return text.replaceAll("\\s+", " ").trim();
    }
}
