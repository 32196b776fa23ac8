package dev.oomheapdump.mbean.ship;

import dev.oomheapdump.core.ShipTarget;

import java.net.URI;

/**
 * Where shipped files go: {@code s3://bucket/prefix}. Objects are named
 * {@code prefix/<host>/<start time>-<pid>/<file name>}, with {@code .gz} appended when the file was compressed on the
 * way (see {@link Origin}).
 *
 * @param bucket the bucket
 * @param prefix the key prefix without leading or trailing slashes, empty for none
 */
public record S3Target(String bucket, String prefix) {

    /**
     * Parses {@code s3://bucket/prefix} by the agent's rule ({@link ShipTarget#parseUrl}).
     *
     * @throws IllegalArgumentException naming the value and what is wrong with it
     */
    public static S3Target parse(String value) {
        String url = ShipTarget.parseUrl("--to", value);
        if (url.isEmpty()) {
            throw new IllegalArgumentException("the target is empty: give s3://bucket/prefix");
        }
        String rest = url.substring("s3://".length());
        int slash = rest.indexOf('/');
        return slash < 0 ? new S3Target(rest, "") : new S3Target(rest.substring(0, slash), rest.substring(slash + 1));
    }

    /**
     * Checks an endpoint of an S3-compatible store, {@code http(s)://host[:port]}, by the agent's rule
     * ({@link ShipTarget#parseEndpoint}).
     *
     * @throws IllegalArgumentException naming the value
     */
    public static URI endpoint(String value) {
        String url = ShipTarget.parseEndpoint("--endpoint", value);
        if (url.isEmpty()) {
            throw new IllegalArgumentException("the endpoint is empty: give http://host:port or https://host[:port]");
        }
        return URI.create(url);
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
