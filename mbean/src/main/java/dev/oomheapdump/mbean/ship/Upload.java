package dev.oomheapdump.mbean.ship;

/**
 * A verified upload.
 *
 * @param url         {@code s3://bucket/key}
 * @param fileBytes   the file's size on disk
 * @param objectBytes the object's size (the gzip stream when compressed on the way)
 * @param sha256      SHA-256 of the file's bytes as on disk, hex
 */
public record Upload(String url, long fileBytes, long objectBytes, String sha256) {
}
