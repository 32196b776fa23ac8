package dev.oomheapdump.mbean.cli;

import dev.oomheapdump.mbean.ship.Origin;
import dev.oomheapdump.mbean.ship.S3Target;
import dev.oomheapdump.mbean.ship.S3Uploader;
import dev.oomheapdump.mbean.ship.Shipper;
import dev.oomheapdump.mbean.ship.Watcher;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ship --to s3://bucket/prefix [--endpoint URL] [--host H --started yyyyMMdd-HHmmss --pid N] FILE...}: uploads
 * files to S3-compatible object storage, one line each, exit 0 when all are shipped, 1 otherwise.
 * {@code ship --watch DIR --to ...}: the sidecar, until killed. This process, never the monitored JVM, is the one that
 * loads the S3 client.
 */
final class ShipCommand implements Command {

    static final String USAGE = "usage: ship --to s3://bucket/prefix [--endpoint URL] FILE... | "
            + "ship --watch DIR --to s3://bucket/prefix [--endpoint URL]";

    @Override
    public int run(List<String> args, PrintStream out) throws Exception {
        String to = null;
        String endpoint = null;
        String watch = null;
        String host = null;
        String started = null;
        String pid = null;
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--to": to = value(args, ++i, arg); break;
                case "--endpoint": endpoint = value(args, ++i, arg); break;
                case "--watch": watch = value(args, ++i, arg); break;
                case "--host": host = value(args, ++i, arg); break;
                case "--started": started = value(args, ++i, arg); break;
                case "--pid": pid = value(args, ++i, arg); break;
                default:
                    if (arg.startsWith("-")) {
                        throw new IllegalArgumentException("unknown option '" + arg + "'; " + USAGE);
                    }
                    files.add(Paths.get(arg));
            }
        }
        if (to == null) {
            throw new IllegalArgumentException("--to s3://bucket/prefix is missing; " + USAGE);
        }
        S3Target target = S3Target.parse(to);
        URI uri = endpoint == null ? null : S3Target.endpoint(endpoint);
        if (watch != null) {
            if (!files.isEmpty() || host != null || started != null || pid != null) {
                throw new IllegalArgumentException("--watch takes no files, --host, --started or --pid; " + USAGE);
            }
            Path directory = Paths.get(watch).toAbsolutePath().normalize();
            if (!Files.isDirectory(directory)) {
                throw new IllegalArgumentException("--watch '" + watch + "' is not a directory");
            }
            try (S3Uploader uploader = S3Uploader.open(target, uri)) {
                new Watcher(directory, new Shipper(uploader), out).run();
            }
            return 0;
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no file to ship; " + USAGE);
        }
        // the JVM's names are checked before anything is sent (exit 2); a file that is gone is that file's failure
        Origin.check(host, started, pid);
        int failed = 0;
        try (S3Uploader uploader = S3Uploader.open(target, uri)) {
            Shipper shipper = new Shipper(uploader);
            for (Path file : files) {
                Shipper.Result result;
                if (Files.isRegularFile(file)) {
                    Origin origin;
                    try {
                        origin = Origin.of(host, started, pid, file);
                    } catch (java.io.IOException e) {
                        origin = null;
                    }
                    result = origin == null ? new Shipper.Result(Shipper.Outcome.FAILED, "not shipped " + file
                            + ": it went away") : shipper.ship(file, origin, false, true);
                } else {
                    result = new Shipper.Result(Shipper.Outcome.FAILED, "not shipped " + file + ": "
                            + (Files.exists(file) ? "not a regular file" : "no such file"));
                }
                out.println(result.line());
                out.flush();
                if (result.outcome() != Shipper.Outcome.SHIPPED && result.outcome() != Shipper.Outcome.ALREADY_SHIPPED) {
                    failed++;
                }
            }
        }
        return failed == 0 ? 0 : 1;
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size() || args.get(i).startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value; " + USAGE);
        }
        return args.get(i);
    }
}
