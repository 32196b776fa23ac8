package dev.oomheapdump.it.jconsole;

import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * The JVM the JConsole tab test looks at: it keeps {@value #BLOCKS} blocks of 1 MiB in one static map, so that
 * the report of its heap has a known top suspect, prints {@code READY} and lives until its standard input closes.
 */
public final class HoardApp {

    static final int BLOCKS = 16;
    static final Map<String, byte[]> CACHE = new HashMap<>();

    private HoardApp() {
    }

    public static void main(String[] args) throws Exception {
        for (int i = 0; i < BLOCKS; i++) {
            CACHE.put("session-" + i, new byte[1 << 20]);
        }
        System.out.println("READY pid " + ProcessHandle.current().pid());
        InputStream in = System.in;
        while (in.read() >= 0) {
            // runs until the test closes its input (or kills it)
        }
    }
}
