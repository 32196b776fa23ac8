package dev.oomheapdump.it.proof;

import javax.management.Attribute;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import javax.rmi.ssl.SslRMIClientSocketFactory;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A JMX client that knows nothing of this project. The proof tests run it as a single source file
 * ({@code java PlainJmxClient.java URL STEP...}), in a JVM whose class path holds no class of the project,
 * and it only uses the generic {@code MBeanServerConnection} calls. It prints one line per step,
 * {@code OK step => type value} or {@code ERR step => Exception: message <- Cause: message}, and for
 * {@code get:*} one {@code ATTR name type value} line per attribute. It must not use any other file of the
 * project: it is compiled alone.
 *
 * <p>Steps: {@code classpath} (proves no project class is reachable), {@code get:*}, {@code get:Name},
 * {@code set:Name:type:value}, {@code invoke:operation[:type=value]...} with types String, long, int,
 * boolean, and {@code fetch:name} (reads a whole file with {@code readArtifact} in 1 MiB chunks and prints its
 * length and SHA-256). System properties: {@code client.user} and {@code client.password} log in,
 * {@code client.sslRegistry=true} looks the server up in an SSL RMI registry.
 */
public final class PlainJmxClient {

    private static final String BEAN = "dev.oomheapdump:type=OomHeapdump";
    private static final String[] PROJECT_CLASSES = {"dev.oomheapdump.mbean.OomHeapdumpMXBean",
            "dev.oomheapdump.mbean.ArtifactInfo", "dev.oomheapdump.core.OomService", "dev.oomheapdump.it.ChildJvm",
            "dev.oomheapdump.it.proof.Remote"};

    private PlainJmxClient() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, Object> environment = new HashMap<>();
        String user = System.getProperty("client.user");
        if (user != null) {
            environment.put(JMXConnector.CREDENTIALS, new String[]{user, System.getProperty("client.password", "")});
        }
        if (Boolean.getBoolean("client.sslRegistry")) {
            environment.put("com.sun.jndi.rmi.factory.socket", new SslRMIClientSocketFactory());
        }
        JMXConnector connector;
        try {
            connector = JMXConnectorFactory.connect(new JMXServiceURL(args[0]), environment);
        } catch (Exception e) {
            System.out.println("ERR connect => " + chain(e));
            System.exit(2);
            return;
        }
        try (connector) {
            MBeanServerConnection connection = connector.getMBeanServerConnection();
            ObjectName bean = new ObjectName(BEAN);
            for (int i = 1; i < args.length; i++) {
                String step = args[i];
                try {
                    System.out.println("OK " + step + " => " + run(connection, bean, step));
                } catch (Exception e) {
                    System.out.println("ERR " + step + " => " + chain(e));
                }
            }
        }
        System.out.println("DONE");
    }

    private static String run(MBeanServerConnection connection, ObjectName bean, String step) throws Exception {
        String[] parts = step.split(":", -1);
        switch (parts[0]) {
            case "classpath":
                for (String name : PROJECT_CLASSES) {
                    try {
                        Class.forName(name);
                        throw new IllegalStateException(name + " is reachable");
                    } catch (ClassNotFoundException expected) {
                        // as it should be
                    }
                }
                return "none of " + PROJECT_CLASSES.length + " project classes; java.class.path='"
                        + System.getProperty("java.class.path") + "'";
            case "get":
                if (parts[1].equals("*")) {
                    int n = 0;
                    for (MBeanAttributeInfo info : connection.getMBeanInfo(bean).getAttributes()) {
                        Object value = connection.getAttribute(bean, info.getName());
                        System.out.println("ATTR " + info.getName() + " " + render(value));
                        n++;
                    }
                    return n + " attributes";
                }
                return render(connection.getAttribute(bean, parts[1]));
            case "set":
                connection.setAttribute(bean, new Attribute(parts[1], value(parts[2], parts[3])));
                return render(connection.getAttribute(bean, parts[1]));
            case "invoke":
                int n = parts.length - 2;
                Object[] params = new Object[n];
                String[] signature = new String[n];
                for (int i = 0; i < n; i++) {
                    String parameter = parts[i + 2];
                    int eq = parameter.indexOf('=');
                    String type = parameter.substring(0, eq);
                    params[i] = value(type, parameter.substring(eq + 1));
                    signature[i] = type.equals("String") ? String.class.getName() : type;
                }
                return render(connection.invoke(bean, parts[1], params, signature));
            case "fetch":
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                long offset = 0;
                while (true) {
                    byte[] chunk = (byte[]) connection.invoke(bean, "readArtifact",
                            new Object[]{parts[1], offset, 1 << 20}, new String[]{String.class.getName(), "long", "int"});
                    if (chunk.length == 0) {
                        break;
                    }
                    sha.update(chunk);
                    offset += chunk.length;
                }
                return "bytes " + offset + " sha256 " + HexFormat.of().formatHex(sha.digest());
            default:
                throw new IllegalArgumentException("unknown step " + step);
        }
    }

    private static Object value(String type, String text) {
        switch (type) {
            case "String":
                return text;
            case "long":
                return Long.parseLong(text);
            case "int":
                return Integer.parseInt(text);
            case "boolean":
                return Boolean.parseBoolean(text);
            default:
                throw new IllegalArgumentException("unknown type " + type);
        }
    }

    private static String render(Object value) {
        if (value == null) {
            return "null";
        }
        String type = value.getClass().getCanonicalName();
        if (value instanceof CompositeData[]) {
            List<String> items = new ArrayList<>();
            for (CompositeData data : (CompositeData[]) value) {
                StringBuilder item = new StringBuilder("{");
                for (String key : new TreeSet<>(data.getCompositeType().keySet())) {
                    item.append(item.length() == 1 ? "" : ", ").append(key).append('=').append(data.get(key));
                }
                items.add(item.append('}').toString());
            }
            return type + " " + items;
        }
        if (value instanceof String[]) {
            return type + " " + String.join(",", (String[]) value);
        }
        if (value instanceof byte[]) {
            return type + " length " + ((byte[]) value).length;
        }
        return type + " " + value;
    }

    private static String chain(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            text.append(text.length() == 0 ? "" : " <- ").append(t.getClass().getName()).append(": ")
                    .append(String.valueOf(t.getMessage()).replace('\n', ' '));
        }
        return text.toString();
    }
}
