package dev.oomheapdump.core.store;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What to tell someone whose request names no file the suite made: the listed names closest to it (a typo is
 * the usual cause), or else what is listed.
 */
final class NameHints {

    /** How many names a hint shows at most. */
    static final int SHOWN = 3;

    private NameHints() {
    }

    /**
     * "did you mean 'before-deploy.hprof'?", "listed: a.hprof, b.hprof and 4 more", or "no heap snapshot is listed".
     *
     * @param requested the file name asked for
     * @param listed    the listed file names it could have meant
     * @param what      the kind asked for, as messages name it
     */
    static String hint(String requested, List<String> listed, String what) {
        if (listed.isEmpty()) {
            return "no " + what + " is listed";
        }
        int tolerance = Math.max(2, requested.length() / 4);
        List<String> close = new ArrayList<>();
        for (String name : listed) {
            if (distance(requested, name) <= tolerance) {
                close.add(name);
            }
        }
        if (!close.isEmpty()) {
            close.sort(Comparator.comparingInt(name -> distance(requested, name)));
            return "did you mean " + quoted(close.subList(0, Math.min(SHOWN, close.size())), " or ") + "?";
        }
        String shown = quoted(listed.subList(Math.max(0, listed.size() - SHOWN), listed.size()), ", ");
        return "listed: " + shown + (listed.size() > SHOWN ? " and " + (listed.size() - SHOWN) + " older" : "");
    }

    private static String quoted(List<String> names, String separator) {
        StringBuilder text = new StringBuilder();
        for (String name : names) {
            text.append(text.length() == 0 ? "" : separator).append('\'').append(name).append('\'');
        }
        return text.toString();
    }

    /** Levenshtein's edit distance (names are at most a few hundred characters: two rows suffice). */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
