package io.flotilla.raft.driver;

import io.flotilla.raft.Entry;

import java.util.List;

/**
 * A group's state machine, as the driver sees it: a partition replica (its high watermark,
 * the produce requests waiting on it) or the controller's metadata.
 */
@FunctionalInterface
public interface Applier {
    /**
     * Committed entries, in offset order, each once; after a restart, again from the log start
     * (the state machine rebuilds from its snapshot). Called on the group's loop thread: must
     * not block. Throwing stops the group.
     */
    void apply(List<Entry> committed);

    /**
     * The driver stopped this group: its persistence failed, a message exposed a broken
     * invariant, or {@link #apply} threw. Nothing more is applied.
     */
    default void stopped(Throwable cause) {
    }
}
