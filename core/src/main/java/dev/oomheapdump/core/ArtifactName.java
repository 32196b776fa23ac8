package dev.oomheapdump.core;

import java.nio.file.Path;
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
    public static <T> Optional<T> pick(String requested, List<T> listed, Function<T, Path> path) {
        if (requested == null || requested.isBlank()) {
            return Optional.empty();
        }
        String name = requested.trim();
        for (T item : listed) {
            Path p = path.apply(item);
            if (p.toString().equals(name) || p.getFileName().toString().equals(name)) {
                return Optional.of(item);
            }
        }
        for (ArtifactKind kind : ArtifactKind.values()) {
            for (T item : listed) {
                if (path.apply(item).getFileName().toString().equals(name + kind.extension())) {
                    return Optional.of(item);
                }
            }
        }
        return Optional.empty();
    }
}
