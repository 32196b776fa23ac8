package dev.oomheapdump.mbean.ship;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where shipped files go: {@code s3://bucket/prefix}. Objects are named
 * {@code prefix/<host>/<start time>-<pid>/<file name>}, with {@code .gz} appended when the file was compressed on the
 * way (see {@link Origin}).
 *
 * @param bucket the bucket
 * @param prefix the key prefix without leading or trailing slashes, empty for none
 */
public record S3Target(String bucket, String prefix) {

    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern SEGMENT = Pattern.compile("[^\\p{Cntrl}\\\\]+");

    /**
     * Parses {@code s3://bucket/prefix}.
     *
     * @throws IllegalArgumentException naming the value and what is wrong with it
     */
    public static S3Target parse(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("the target is empty: give s3://bucket/prefix");
        }
        String text = value.trim();
        if (!text.regionMatches(true, 0, "s3://", 0, 5)) {
            throw new IllegalArgumentException("the target must be s3://bucket/prefix, not '" + value + "'");
        }
        String rest = text.substring(5);
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        if (!BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
            throw new IllegalArgumentException("'" + bucket + "' in '" + value + "' is not a bucket name (3 to 63 "
                    + "lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit)");
        }
        while (prefix.endsWith("/")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        if (!prefix.isEmpty()) {
            for (String segment : prefix.split("/", -1)) {
                if (segment.isEmpty() || segment.equals(".") || segment.equals("..")
                        || !SEGMENT.matcher(segment).matches()) {
                    throw new IllegalArgumentException("the prefix '" + prefix + "' in '" + value
                            + "' has an empty, '.', '..' or unprintable part");
                }
            }
        }
        if (prefix.length() > 512) {
            throw new IllegalArgumentException("the prefix in '" + value + "' is longer than 512 characters");
        }
        return new S3Target(bucket, prefix);
    }

    /**
     * Checks an endpoint of an S3-compatible store: {@code http(s)://host[:port]}.
     *
     * @throws IllegalArgumentException naming the value
     */
    public static URI endpoint(String value) {
        String hint = "the endpoint must be http://host:port or https://host[:port], not '" + value + "'";
        URI uri;
        try {
            uri = new URI(value.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(hint + " (" + e.getReason() + ")", e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getQuery() != null
                || uri.getFragment() != null || uri.getUserInfo() != null) {
            throw new IllegalArgumentException(hint);
        }
        return uri;
    }

    /** The object key for a file of {@code origin} named {@code fileName}. */
    public String key(Origin origin, String fileName) {
        String key = origin.host() + "/" + origin.started() + "-" + origin.pid() + "/" + fileName;
        return prefix.isEmpty() ? key : prefix + "/" + key;
    }

    /** {@code s3://bucket/key}. */
    public String url(String key) {
        return "s3://" + bucket + "/" + key;
    }

    @Override
    public String toString() {
        return prefix.isEmpty() ? "s3://" + bucket : "s3://" + bucket + "/" + prefix;
    }
}
