package dev.oomheapdump.mbean.client;

import dev.oomheapdump.core.ArtifactName;
import dev.oomheapdump.core.transfer.ReadTooLargeException;
import dev.oomheapdump.core.transfer.SourceFile;
import dev.oomheapdump.core.transfer.TransferSource;

import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanException;
import javax.management.MBeanServerConnection;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.ReflectionException;
import javax.management.RuntimeErrorException;
import javax.management.RuntimeMBeanException;
import javax.management.RuntimeOperationsException;
import javax.management.openmbean.CompositeData;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One listed file of the bean {@value #OBJECT_NAME}, read with generic calls (the {@code Artifacts} attribute,
 * {@code readArtifact}, {@code artifactSha256}) over any {@link MBeanServerConnection}: a remote JMX connector or
 * JConsole's. Failures of the bean arrive as the bean's own {@link IllegalArgumentException} or
 * {@link IllegalStateException}; a JMX user without the right to invoke operations gets a {@link SecurityException}
 * that says why fetching needs it.
 */
public final class JmxArtifactSource implements TransferSource {

    /** The bean's name (the documented contract; the plugin cannot load the agent's interface). */
    public static final String OBJECT_NAME = "dev.oomheapdump:type=OomHeapdump";
    /** The largest read the bean serves. */
    public static final int MAX_READ = 8 << 20;
    private static final String[] READ_SIGNATURE = {String.class.getName(), long.class.getName(), int.class.getName()};
    private static final String[] PATH_SIGNATURE = {String.class.getName()};

    private final MBeanServerConnection connection;
    private final ObjectName bean;
    private final String requested;
    /** The listed path the request resolved to; reads name the file by it. */
    private volatile String path;

    /**
     * @param requested a listed file: its absolute path on the JVM's host, its file name, or its name without
     *                  extension
     */
    public JmxArtifactSource(MBeanServerConnection connection, String requested) {
        this.connection = connection;
        this.requested = requested;
        try {
            this.bean = new ObjectName(OBJECT_NAME);
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public SourceFile describe() throws IOException {
        CompositeData[] listed = (CompositeData[]) call(() -> connection.getAttribute(bean, "Artifacts"), "Artifacts");
        String resolved = path;
        Optional<CompositeData> found = resolved != null
                ? Arrays.stream(listed).filter(a -> resolved.equals(a.get("path"))).findFirst()
                : ArtifactName.pick(requested, Arrays.asList(listed), a -> (String) a.get("path"));
        if (found.isEmpty()) {
            throw notListed(listed, resolved != null ? ArtifactName.fileName(resolved) : requested);
        }
        CompositeData a = found.get();
        path = (String) a.get("path");
        return new SourceFile(path, (Long) a.get("bytes"), (Long) a.get("createdMillis"),
                a.getCompositeType().containsKey("id") ? (String) a.get("id") : "", (String) a.get("state"),
                (String) a.get("detail"));
    }

    private static IllegalArgumentException notListed(CompositeData[] listed, String name) {
        List<String> names = Arrays.stream(listed).map(a -> ArtifactName.fileName((String) a.get("path")))
                .collect(Collectors.toList());
        return new IllegalArgumentException("'" + name + "' is not a file the JVM's oom-heapdump lists; "
                + (names.isEmpty() ? "it lists none" : "it lists: " + String.join(", ", names.subList(0,
                Math.min(names.size(), 12))) + (names.size() > 12 ? " (and " + (names.size() - 12) + " more)" : "")));
    }

    @Override
    public byte[] read(long offset, int length) throws IOException {
        return (byte[]) call(() -> connection.invoke(bean, "readArtifact", new Object[]{resolvedPath(), offset, length},
                READ_SIGNATURE), "readArtifact");
    }

    @Override
    public String sha256() throws IOException {
        return (String) call(() -> connection.invoke(bean, "artifactSha256", new Object[]{resolvedPath()},
                PATH_SIGNATURE), "artifactSha256");
    }

    @Override
    public int maxRead() {
        return MAX_READ;
    }

    private String resolvedPath() throws IOException {
        String p = path;
        if (p == null) {
            describe();
            p = path;
        }
        return p;
    }

    private interface Call {
        Object run() throws JMException, IOException;
    }

    /** One JMX call, its failures turned into what the bean meant. */
    private Object call(Call call, String operation) throws IOException {
        try {
            return call.run();
        } catch (InstanceNotFoundException e) {
            throw new IllegalStateException("the JVM has no oom-heapdump agent: the MBean " + OBJECT_NAME
                    + " is not registered");
        } catch (RuntimeMBeanException e) {
            throw rethrown(e.getTargetException());
        } catch (RuntimeOperationsException e) {
            throw rethrown(e.getTargetException());
        } catch (RuntimeErrorException e) {
            throw e.getTargetError();
        } catch (MBeanException e) {
            throw rethrown(e.getTargetException());
        } catch (ReflectionException e) {
            if (e.getTargetException() instanceof NoSuchMethodException || String.valueOf(e.getMessage())
                    .contains("No such operation")) {
                if (operation.equals("artifactSha256")) {
                    throw new UnsupportedOperationException("the JVM's oom-heapdump agent has no artifactSha256");
                }
                throw new IllegalStateException("the JVM's oom-heapdump agent has no operation " + operation
                        + ": it is an older version");
            }
            throw rethrown(e.getTargetException());
        } catch (SecurityException e) {
            throw denied(e);
        } catch (JMException e) {
            throw new IllegalStateException(operation + " failed: " + e, e);
        }
    }

    /**
     * The JDK's access file gives {@code readonly} users attributes but no operations: they can see the listing
     * and not one byte of a file.
     */
    private static SecurityException denied(SecurityException e) {
        return new SecurityException("this JMX user may read attributes only (" + e.getMessage() + "): fetching a "
                + "file needs a user with readwrite access, because a heap dump holds the application's secrets", e);
    }

    private static RuntimeException rethrown(Throwable target) {
        if (target instanceof SecurityException) {
            return denied((SecurityException) target);
        }
        if (target instanceof IllegalStateException && String.valueOf(target.getMessage())
                .contains(ReadTooLargeException.MARKER)) {
            return new ReadTooLargeException(target.getMessage());
        }
        if (target instanceof RuntimeException) {
            return (RuntimeException) target;
        }
        return new IllegalStateException(String.valueOf(target), target);
    }
}
