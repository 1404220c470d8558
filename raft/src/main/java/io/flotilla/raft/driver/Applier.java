package io.flotilla.raft.driver;

import io.flotilla.raft.Entry;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.ReadState;
import io.flotilla.raft.Snapshot;

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
     * This member installed {@code snapshot} from the leader (it needed entries the leader had
     * compacted away): rebuild the state machine from the snapshot's bytes, which the group's
     * storage now holds, before the entries after it are applied. (A data partition's log is
     * its state but for what the deleted prefix leaves behind, such as producer state.) On the
     * loop thread, before the next {@link #apply}.
     */
    default void restore(Snapshot snapshot) {
    }

    /**
     * The outcome of read index requests ({@link io.flotilla.raft.RaftNode#readIndex}), after
     * the entries committed with them were applied: serve each confirmed read once everything
     * below its index is applied, refuse the others (leadership was lost first). A group whose
     * application asks for reads must implement this; others never get any.
     */
    default void reads(List<ReadState> readStates) {
    }

    /**
     * This member's view of its group's leadership changed: {@code leader} (null while none is
     * known) leads in {@code term}. Called on the loop thread whenever either differs from the
     * last call, before the group's next Ready is started, so request routing (NOT_LEADER hints)
     * can follow leadership without a round trip to the loop. Must not block; throwing stops
     * the group.
     */
    default void leadership(MemberId leader, long term) {
    }

    /**
     * The driver stopped this group: its persistence failed, its storage failed a read, a
     * message exposed a broken invariant, or this applier threw; or the whole driver failed
     * (an Error). Nothing more is applied.
     */
    default void stopped(Throwable cause) {
    }
}
