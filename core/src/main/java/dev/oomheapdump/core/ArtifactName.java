package dev.oomheapdump.core;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Which listed file a request names: its absolute path, its file name, or its name without the kind's extension
 * ({@code before-deploy} for {@code before-deploy.hprof}). The one rule for the store on the JVM's host and for
 * clients that pick a file from the {@code Artifacts} listing (the fetch).
 */
public final class ArtifactName {

    private ArtifactName() {
    }

    /**
     * The first listed file the request names, or empty. An exact path or file name wins over a name without
     * extension; without extension, the kinds are tried in their declared order (a dump before its report).
     */
    public static <T> Optional<T> pick(String requested, List<T> listed, Function<T, String> path) {
        if (requested == null || requested.isBlank()) {
            return Optional.empty();
        }
        String name = requested.trim();
        for (T item : listed) {
            String p = path.apply(item);
            if (p.equals(name) || fileName(p).equals(name)) {
                return Optional.of(item);
            }
        }
        for (ArtifactKind kind : ArtifactKind.values()) {
            for (String extension : kind.extensions()) {
                for (T item : listed) {
                    if (fileName(path.apply(item)).equals(name + extension)) {
                        return Optional.of(item);
                    }
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The last element of a path as the JVM's host wrote it; a client on another operating system must not parse
     * it with its own file system's rules.
     */
    public static String fileName(String path) {
        int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
        return path.substring(slash + 1);
    }
}
