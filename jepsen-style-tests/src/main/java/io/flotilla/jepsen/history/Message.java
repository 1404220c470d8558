package io.flotilla.jepsen.history;

/** One record as a read returned it: its offset in the partition and the value a send wrote. */
public record Message(long offset, long value) {
    public Message {
        if (offset < 0) {
            throw new IllegalArgumentException("a message's offset must be >= 0, got " + offset);
        }
    }
}
