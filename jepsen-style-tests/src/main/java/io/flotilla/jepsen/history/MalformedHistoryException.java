package io.flotilla.jepsen.history;

/** A history that is not valid JSON lines of this format, or breaks its rules; names the line. */
public final class MalformedHistoryException extends IllegalArgumentException {
    public MalformedHistoryException(long line, String what) {
        super("history line " + line + ": " + what);
    }
}
