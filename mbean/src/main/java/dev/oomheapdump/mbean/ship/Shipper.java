package dev.oomheapdump.mbean.ship;

import dev.oomheapdump.core.store.ArtifactStore;
import dev.oomheapdump.core.store.ShipLog;

import dev.oomheapdump.core.store.ShipLock;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Ships one file and records it: skips a file the index says was shipped as it is now, uploads, appends an
 * {@code s1} record ({@link ShipLog}) to the index of the file's folder. Two shippers of one folder (the agent's
 * uploader, a sidecar, the next JVM's) never ship the same file at once: each holds the file's {@link ShipLock} while
 * it checks the index again, uploads and records.
 */
public final class Shipper {

    /** What happened to a file. */
    public enum Outcome { SHIPPED, ALREADY_SHIPPED, BUSY, FAILED }

    /** The outcome and its line for the command's output. */
    public record Result(Outcome outcome, String line) {
    }

    private final S3Uploader uploader;

    public Shipper(S3Uploader uploader) {
        this.uploader = uploader;
    }

    /**
     * Ships {@code file}.
     *
     * @param origin      the JVM that made it (the object key names it)
     * @param createIndex record even when the folder has no index yet (the sidecar); else only where there is one
     * @param wait        wait for another shipper of the same file (one-shot) or report it busy (the sidecar)
     */
    public Result ship(Path file, Origin origin, boolean createIndex, boolean wait) {
        Path directory = file.toAbsolutePath().getParent();
        boolean record = createIndex || Files.isRegularFile(directory.resolve(ArtifactStore.INDEX_NAME));
        Optional<ShipLock> lock = Optional.empty();
        try {
            if (record) {
                lock = wait ? Optional.of(ShipLock.lock(file)) : ShipLock.tryLock(file);
                if (lock.isEmpty()) {
                    return new Result(Outcome.BUSY, "not shipped " + file + ": another process is shipping it");
                }
                ShipLog.Shipment earlier = ShipLog.read(directory).get(file.getFileName().toString());
                if (earlier != null && earlier.identity().equals(ShipLog.identity(file))) {
                    return new Result(Outcome.ALREADY_SHIPPED, "already shipped " + file + " to " + earlier.url());
                }
            }
            String identity = ShipLog.identity(file);
            Upload upload = uploader.upload(file, uploader.target().key(origin, file.getFileName().toString()));
            if (!identity.equals(ShipLog.identity(file))) {
                return new Result(Outcome.FAILED, "not shipped " + file + ": it changed while it was shipped");
            }
            if (record) {
                ShipLog.append(directory, new ShipLog.Shipment(file.getFileName().toString(), identity, upload.url(),
                        upload.sha256(), System.currentTimeMillis()));
            }
            return new Result(Outcome.SHIPPED, "shipped " + file + " to " + upload.url() + " (" + upload.objectBytes()
                    + " bytes, sha256 " + upload.sha256() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(Outcome.FAILED, "not shipped " + file + ": interrupted");
        } catch (Exception e) {
            return new Result(Outcome.FAILED, "not shipped " + file + ": " + S3Problems.describe(e, uploader));
        } finally {
            lock.ifPresent(ShipLock::close);
        }
    }
}
