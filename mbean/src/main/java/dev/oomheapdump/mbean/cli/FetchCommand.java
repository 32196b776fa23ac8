package dev.oomheapdump.mbean.cli;

import dev.oomheapdump.mbean.JmxAddress;
import dev.oomheapdump.mbean.OomHeapdumpMXBean;

import javax.management.JMX;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** {@code fetch URL PATH OUT}: copies a listed file from a remote JVM over JMX alone. */
final class FetchCommand implements Command {

    @Override
    public int run(List<String> args, PrintStream out) throws Exception {
        if (args.size() != 3) {
            throw new IllegalArgumentException("usage: fetch URL PATH OUT");
        }
        String url = JmxAddress.of(args.get(0));
        Path target = Paths.get(args.get(2));
        Path partial = target.resolveSibling(target.getFileName() + ".part");
        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(url))) {
            OomHeapdumpMXBean bean = JMX.newMXBeanProxy(connector.getMBeanServerConnection(),
                    new ObjectName(OomHeapdumpMXBean.OBJECT_NAME), OomHeapdumpMXBean.class);
            long offset = 0;
            try (OutputStream file = Files.newOutputStream(partial, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                byte[] chunk;
                while ((chunk = bean.readArtifact(args.get(1), offset, 4 << 20)).length > 0) {
                    file.write(chunk);
                    offset += chunk.length;
                }
            }
            Files.move(partial, target);
            out.println("fetched " + offset + " bytes to " + target.toAbsolutePath());
            return 0;
        } catch (IOException e) {
            throw new IOException("cannot fetch '" + args.get(1) + "' from " + url + ": " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(partial);
        }
    }
}
