package io.flotilla.raft.driver;

import io.flotilla.raft.Ready;

/**
 * How a {@link GroupPersistence} reports on one Ready, naming it: one callback serves all of a
 * group's Readies, and a late or repeated report for an earlier one must not complete the
 * next before it is durable (such reports are ignored). Thread-safe; exactly one call per
 * Ready, once.
 */
public interface PersistCallback {
    /** Everything {@code ready} asked to persist is durable. */
    void persisted(Ready ready);

    /** {@code ready} cannot be made durable; the driver stops the group (it cannot go on without its log). */
    void failed(Ready ready, Throwable cause);
}
