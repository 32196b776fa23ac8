package dev.oomheapdump.core;

import dev.oomheapdump.core.store.FileNames;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one rule for the values of options {@code ship} ({@code s3://bucket[/prefix]}) and {@code shipEndpoint} (an
 * {@code http} or {@code https} URL): the agent's policy and the {@code ship} command check them the same way, so a
 * value the agent takes is never one its uploader refuses. An empty value means "not set".
 */
public final class ShipTarget {

    /** S3's bucket names: 3 to 63 lowercase letters, digits, dots and hyphens, beginning and ending alphanumeric. */
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    private ShipTarget() {
    }

    /**
     * Checks an {@code s3://bucket[/prefix]} URL; returns it without a trailing slash, or empty for an empty value.
     *
     * @throws IllegalArgumentException naming the option and the value, and what is wrong with it
     */
    public static String parseUrl(String key, String value) {
        String v = value == null ? "" : value.trim();
        if (v.isEmpty()) {
            return "";
        }
        String shown = FileNames.shorten(v);
        if (!v.regionMatches(true, 0, "s3://", 0, 5)) {
            throw new IllegalArgumentException("Option '" + key + "' must be s3://bucket or s3://bucket/prefix, not '"
                    + shown + "'");
        }
        String rest = v.substring("s3://".length());
        while (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        if (!BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
            throw new IllegalArgumentException("Option '" + key + "' names bucket '" + FileNames.shorten(bucket)
                    + "' in '" + shown + "': a bucket name is 3 to 63 lowercase letters, digits, dots and hyphens, "
                    + "beginning and ending with a letter or digit");
        }
        for (int i = 0; i < prefix.length(); i++) {
            char c = prefix.charAt(i);
            if (c <= ' ' || c == 0x7f || c == '\\' || c == '?' || c == '#') {
                throw new IllegalArgumentException("Option '" + key + "' has a prefix with a space, control character, "
                        + "'\\\\', '?' or '#' in '" + shown + "'");
            }
        }
        if (!prefix.isEmpty()) {
            for (String folder : prefix.split("/", -1)) {
                if (folder.isEmpty() || folder.equals(".") || folder.equals("..")) {
                    throw new IllegalArgumentException("Option '" + key + "' has an empty, '.' or '..' folder in its "
                            + "prefix: '" + shown + "'");
                }
            }
        }
        if (prefix.length() > MAX_PREFIX) {
            throw new IllegalArgumentException("Option '" + key + "' has a prefix longer than " + MAX_PREFIX
                    + " characters: '" + shown + "'");
        }
        return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }

    /** The longest prefix: S3 keys are at most 1024 bytes, and host, start, pid and file name follow it. */
    private static final int MAX_PREFIX = 512;

    /**
     * Checks the endpoint URL of an S3-compatible store; returns it, or empty for an empty value.
     *
     * @throws IllegalArgumentException naming the option and the value, and what is wrong with it
     */
    public static String parseEndpoint(String key, String value) {
        String v = value == null ? "" : value.trim();
        if (v.isEmpty()) {
            return "";
        }
        String shown = FileNames.shorten(v);
        URI uri;
        try {
            uri = new URI(v);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Option '" + key + "' is not a URL: '" + shown + "' (" + e.getReason()
                    + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("Option '" + key + "' must be an http or https URL such as "
                    + "http://127.0.0.1:9000, not '" + shown + "'");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("Option '" + key + "' has no host: '" + shown + "'");
        }
        if (uri.getRawUserInfo() != null) {
            // the value is named without what it carries: a password is never repeated into a log
            throw new IllegalArgumentException("Option '" + key + "' may not carry credentials (user:password@host) "
                    + "as '" + FileNames.shorten(v.replace(uri.getRawUserInfo() + "@", "***@")) + "' does: they come "
                    + "from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the AWS profile files");
        }
        if (uri.getQuery() != null || uri.getFragment() != null) {
            throw new IllegalArgumentException("Option '" + key + "' may not have a query or fragment: '" + shown + "'");
        }
        return v;
    }

    /**
     * This host's name, as shipped keys name it ({@code prefix/<host>/...}): {@code HOSTNAME} from the environment
     * (a Kubernetes pod's name, the same in every container of the pod), else the kernel's host name, else
     * {@code localhost}; characters other than letters, digits, {@code . - _} become {@code _}. Never a DNS lookup.
     */
    public static String localHost() {
        String name = System.getenv("HOSTNAME");
        if (name == null || name.isBlank()) {
            try {
                name = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).trim();
            } catch (java.io.IOException | RuntimeException e) {
                name = ""; // not Linux
            }
        }
        // key-safe, as the ship command's --host wants it: letters, digits, '.', '-', '_'
        String safe = name.trim().replaceAll("[^A-Za-z0-9._-]", "_");
        return safe.isEmpty() || safe.equals(".") || safe.equals("..") ? "localhost"
                : safe.substring(0, Math.min(safe.length(), 253));
    }

    /** How shipped keys write a JVM's start time: {@code yyyyMMdd-HHmmss}, UTC. */
    public static final java.time.format.DateTimeFormatter STARTED = java.time.format.DateTimeFormatter
            .ofPattern("yyyyMMdd-HHmmss").withZone(java.time.ZoneOffset.UTC);

    /** The {@code --started} form of a start time: {@code yyyyMMdd-HHmmss}, UTC. */
    public static String startedText(long epochMillis) {
        return STARTED.format(java.time.Instant.ofEpochMilli(epochMillis));
    }
}
