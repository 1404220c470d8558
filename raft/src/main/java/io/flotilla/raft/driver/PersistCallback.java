package io.flotilla.raft.driver;

/** How a {@link GroupPersistence} reports on one Ready. Thread-safe; exactly one call, once. */
public interface PersistCallback {
    /** Everything the Ready asked to persist is durable. */
    void persisted();

    /** It cannot be made durable; the driver stops the group (it cannot go on without its log). */
    void failed(Throwable cause);
}
