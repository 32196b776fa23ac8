package dev.oomheapdump.it.app;

/** What the test application leaks: the class the tests look for in a dump. */
public final class LeakedBlob {
    final byte[] payload;
    final LeakedBlob[] small;

    LeakedBlob(int bytes) {
        this.payload = new byte[bytes];
        this.small = new LeakedBlob[0];
    }
}
