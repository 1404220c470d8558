package io.flotilla.jepsen.sim;

/** A fault injected at simulated time {@code atMs}. */
public record TimedFault(long atMs, Fault fault) {
    public String encode() {
        return atMs + "@" + fault.encode();
    }

    public static TimedFault parse(String text) {
        int at = text.indexOf('@');
        if (at < 0) {
            throw new IllegalArgumentException("timed fault '" + text + "' needs the form <ms>@<fault>");
        }
        return new TimedFault(Long.parseLong(text.substring(0, at)), Fault.parse(text.substring(at + 1)));
    }
}
