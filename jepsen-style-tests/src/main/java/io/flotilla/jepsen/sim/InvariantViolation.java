package io.flotilla.jepsen.sim;

/** A checker found the cluster in a state Raft forbids (or, for "liveness", stuck). */
public final class InvariantViolation extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String invariant;

    public InvariantViolation(String invariant, String message) {
        super(invariant + ": " + message);
        this.invariant = invariant;
    }

    /** The violated invariant's short name, e.g. {@code election-safety}. */
    public String invariant() {
        return invariant;
    }
}
