package io.flotilla.jepsen.history;

/**
 * A consumer (re)positions itself on {@code partition}: assigned it, seeked, or took it over in
 * a group rebalance. Its next poll of the partition may start anywhere, so the checker compares
 * that poll with nothing the process read before.
 */
public record Assign(int partition) implements Action {
    public Assign {
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0, got " + partition);
        }
    }

    @Override
    public Kind kind() {
        return Kind.ASSIGN;
    }
}
