package dev.oomheapdump.jconsole;

/**
 * The outcome of one operation the user asked for, as the tab shows it: a message for people and, for a
 * rejected policy, the option it is about (so the message goes next to its field).
 *
 * @param ok      whether the operation did what was asked
 * @param message one readable line, never a stack trace
 * @param field   the agent option name the failure is about, or empty
 * @param path    the file the operation made, or empty
 */
record Result(boolean ok, String message, String field, String path) {

    static Result ok(String message) {
        return new Result(true, message, "", "");
    }

    static Result made(String message, String path) {
        return new Result(true, message, "", path);
    }

    static Result failed(String message) {
        return new Result(false, message, "", "");
    }

    static Result failed(String message, String field) {
        return new Result(false, message, field == null ? "" : field, "");
    }
}
