package io.flotilla.jepsen.history;

import java.util.List;

/**
 * One fetch by a consumer from its position in {@code partition}; an OK completion carries the
 * messages returned, in the order returned. The invocation carries none.
 */
public record Poll(int partition, List<Message> messages) implements Action {
    public Poll {
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0, got " + partition);
        }
        messages = List.copyOf(messages);
    }

    /** The invocation of a poll. */
    public static Poll of(int partition) {
        return new Poll(partition, List.of());
    }

    @Override
    public Kind kind() {
        return Kind.POLL;
    }
}
