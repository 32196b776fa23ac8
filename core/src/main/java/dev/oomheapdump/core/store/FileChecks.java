package dev.oomheapdump.core.store;

import dev.oomheapdump.core.ArtifactKind;
import dev.oomheapdump.core.format.HprofFile;
import dev.oomheapdump.core.format.JfrFile;
import dev.oomheapdump.core.format.ProfileViews;
import dev.oomheapdump.core.format.ReportFile;

import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether the suite's files are complete, remembered per file name for its size and time: the watcher looks
 * every second, and a dump cut short by a kill may lie there for days, so a file is walked again only when it
 * changed. A commit's walk of the temporary file stands for the renamed one (a rename keeps size and time).
 * Not thread-safe: the store calls it under its lock.
 */
final class FileChecks {

    /** A walk's result for a file of this size and time; {@code problem} is null when it is complete. */
    private record Check(long size, long modified, String problem) {
    }

    private final Map<String, Check> checks = new HashMap<>();
    private final AtomicLong walks = new AtomicLong();

    /** Null when the file is complete, else why not; walks it only when it changed since its last walk. */
    String problem(Path file, ArtifactKind kind, BasicFileAttributes a) {
        String key = file.getFileName().toString();
        long modified = a.lastModifiedTime().toMillis();
        Check check = checks.get(key);
        if (check == null || check.size != a.size() || check.modified != modified) {
            check = new Check(a.size(), modified, walk(file, kind));
            checks.put(key, check);
        }
        return check.problem;
    }

    /** Walks a file now: null when complete, else why not. */
    String walk(Path file, ArtifactKind kind) {
        walks.incrementAndGet();
        return completenessProblem(file, kind);
    }

    /** Records that the file {@code name} is complete at this size and time (it was walked under another name). */
    void complete(String name, BasicFileAttributes a) {
        checks.put(name, new Check(a.size(), a.lastModifiedTime().toMillis(), null));
    }

    void forget(String name) {
        checks.remove(name);
    }

    /** How many files were walked so far (tests tell a file is walked once by it). */
    long walks() {
        return walks.get();
    }

    /** Null when complete, else why not. */
    static String completenessProblem(Path file, ArtifactKind kind) {
        if (kind.isHeapDump()) {
            HprofFile.Check check = HprofFile.check(file);
            return check.complete() ? null : check.reason();
        }
        if (kind == ArtifactKind.HEAP_REPORT) {
            return ReportFile.problem(file);
        }
        if (!file.getFileName().toString().endsWith(ArtifactKind.CPU_PROFILE.extension())) {
            return ProfileViews.problem(file);
        }
        JfrFile.Check check = JfrFile.check(file);
        return check.complete() ? null : check.reason();
    }
}
