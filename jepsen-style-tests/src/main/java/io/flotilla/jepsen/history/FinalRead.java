package io.flotilla.jepsen.history;

import java.util.List;

/**
 * After the faults have healed, the whole log of {@code partition} as node {@code node} holds it,
 * from its start. A long log may be read in several pages: the OK completions of one node and
 * partition add up.
 */
public record FinalRead(int node, int partition, List<Message> messages) implements Action {
    public FinalRead {
        if (node < 0 || partition < 0) {
            throw new IllegalArgumentException("node and partition must be >= 0, got " + node + ", " + partition);
        }
        messages = List.copyOf(messages);
    }

    /** The invocation of a final read. */
    public static FinalRead of(int node, int partition) {
        return new FinalRead(node, partition, List.of());
    }

    @Override
    public Kind kind() {
        return Kind.FINAL_READ;
    }
}
