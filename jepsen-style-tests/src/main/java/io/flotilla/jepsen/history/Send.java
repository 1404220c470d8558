package io.flotilla.jepsen.history;

/**
 * Appends {@code value} (unique in the whole history) to {@code partition}. An OK completion
 * carries the offset the broker acknowledged; the invocation and FAIL / INFO completions carry
 * {@link #UNKNOWN}.
 */
public record Send(int partition, long value, long offset) implements Action {
    public static final long UNKNOWN = -1;

    public Send {
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0, got " + partition);
        }
        if (offset < UNKNOWN) {
            throw new IllegalArgumentException("a send's offset must be >= 0 or UNKNOWN (-1), got " + offset);
        }
    }

    /** A send whose offset is not known (yet). */
    public static Send of(int partition, long value) {
        return new Send(partition, value, UNKNOWN);
    }

    /** This send, acknowledged at {@code offset}. */
    public Send at(long offset) {
        return new Send(partition, value, offset);
    }

    @Override
    public Kind kind() {
        return Kind.SEND;
    }
}
