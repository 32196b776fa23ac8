package dev.oomheapdump.mbean.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The application the demo runs in a child JVM: it idles until told "leak" on standard input, then keeps
 * about 1 MiB more every 20 ms until the heap is full and it dies of an OutOfMemoryError.
 */
public final class DemoApp {

    /** The leaked objects: the class to look for in the dump. */
    static final class LeakedRecord {
        final byte[] payload;
        final long serial;

        LeakedRecord(long serial) {
            this.serial = serial;
            this.payload = new byte[64 * 1024];
        }
    }

    private DemoApp() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("demo app ready, pid " + ProcessHandle.current().pid());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.trim().equals("leak")) {
            // wait for the word
        }
        System.out.println("demo app leaking");
        List<LeakedRecord> leak = new ArrayList<>();
        try {
            for (long serial = 0; ; serial++) {
                leak.add(new LeakedRecord(serial));
                if (serial % 16 == 0) {
                    Thread.sleep(20);
                }
            }
        } catch (OutOfMemoryError e) {
            int kept = leak.size();
            leak = null;
            System.out.println("demo app died of " + e + " holding " + kept + " records");
            System.exit(3);
        }
    }
}
