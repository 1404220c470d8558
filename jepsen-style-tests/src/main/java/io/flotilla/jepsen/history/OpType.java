package io.flotilla.jepsen.history;

/** What one entry of an operation says: it begins, or how it ended. */
public enum OpType {
    /** The client is about to issue the operation. */
    INVOKE,
    /** The operation took effect, and the client knows its result. */
    OK,
    /** The operation definitely did not take effect (the broker said so before doing anything). */
    FAIL,
    /**
     * Indeterminate: the client does not know whether the operation took effect (a timeout, a
     * broken connection, a crash). An indeterminate send may or may not appear in the log.
     */
    INFO;

    public String label() {
        return Labels.of(this);
    }

    public static OpType fromLabel(String label) {
        return Labels.parse(OpType.class, label, "operation type");
    }
}
