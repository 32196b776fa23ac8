package dev.oomheapdump.jconsole;

import javax.management.InstanceNotFoundException;
import javax.management.MBeanException;
import javax.management.ReflectionException;
import javax.management.RuntimeErrorException;
import javax.management.RuntimeMBeanException;
import javax.management.RuntimeOperationsException;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns what a JMX call throws into the one line the user should read: the bean's own message. */
final class Errors {

    private static final Pattern OPTION = Pattern.compile("[Oo]ption '([A-Za-z]+)'");

    private Errors() {
    }

    /** The exception the bean threw, out of the JMX and concurrency wrappers around it. */
    public static Throwable unwrap(Throwable thrown) {
        Throwable t = thrown;
        for (int depth = 0; depth < 10 && t != null; depth++) {
            Throwable inner;
            if (t instanceof RuntimeMBeanException) {
                inner = ((RuntimeMBeanException) t).getTargetException();
            } else if (t instanceof RuntimeErrorException) {
                inner = ((RuntimeErrorException) t).getTargetError();
            } else if (t instanceof RuntimeOperationsException) {
                inner = ((RuntimeOperationsException) t).getTargetException();
            } else if (t instanceof MBeanException) {
                inner = ((MBeanException) t).getTargetException();
            } else if (t instanceof ReflectionException) {
                inner = ((ReflectionException) t).getTargetException();
            } else if (t instanceof UndeclaredThrowableException) {
                inner = ((UndeclaredThrowableException) t).getUndeclaredThrowable();
            } else if (t instanceof InvocationTargetException) {
                inner = ((InvocationTargetException) t).getTargetException();
            } else if (t instanceof ExecutionException || t instanceof CompletionException) {
                inner = t.getCause();
            } else {
                return t;
            }
            if (inner == null || inner == t) {
                return t;
            }
            t = inner;
        }
        return t;
    }

    /** One readable line: the bean's message, or what went wrong with the connection. */
    public static String message(Throwable thrown) {
        Throwable t = unwrap(thrown);
        if (t instanceof InstanceNotFoundException) {
            return "The oom-heapdump MBean is not registered in this JVM (any more)";
        }
        String text = t.getMessage();
        if (text == null || text.isBlank()) {
            text = t.getClass().getSimpleName();
        }
        text = text.strip();
        int newline = text.indexOf('\n');
        if (newline > 0) {
            text = text.substring(0, newline).strip();
        }
        if (t instanceof IOException) {
            return "Connection problem: " + text;
        }
        return text;
    }

    /** The runtime option a policy error names ({@code Option 'threshold' must be...}), or empty. */
    public static String field(String message, List<String> keys) {
        Matcher m = OPTION.matcher(message == null ? "" : message);
        while (m.find()) {
            for (String key : keys) {
                if (key.equalsIgnoreCase(m.group(1))) {
                    return key;
                }
            }
        }
        return "";
    }
}
