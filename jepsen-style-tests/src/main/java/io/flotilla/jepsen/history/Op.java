package io.flotilla.jepsen.history;

/**
 * One step of a client operation. A process is one client session running one operation at a
 * time: an INVOKE, then one OK, FAIL or INFO completion with the same action (carrying the
 * result). A client that crashes or gives up completes its operation as INFO, and continues, if
 * at all, as a new process. An invocation never completed counts as INFO.
 */
public record Op(long time, long wall, int process, OpType type, Action action) implements HistoryEntry {
    public Op {
        if (type == null || action == null) {
            throw new IllegalArgumentException("an operation needs a type and an action");
        }
    }
}
