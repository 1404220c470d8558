package io.flotilla.broker.storage;

import io.flotilla.raft.HardState;
import io.flotilla.raft.MemberId;

/** Raft's hard state to and from the node store's record of it (a vote names node id and incarnation). */
final class HardStates {
    private HardStates() {
    }

    static io.flotilla.store.HardState toStore(HardState state) {
        MemberId vote = state.votedFor();
        return new io.flotilla.store.HardState(state.term(),
                vote == null ? io.flotilla.store.HardState.NO_VOTE : vote.nodeId(),
                vote == null ? 0 : vote.incarnation(), state.commitEnd());
    }

    static HardState fromStore(io.flotilla.store.HardState stored) {
        MemberId vote = stored.votedForNodeId() == io.flotilla.store.HardState.NO_VOTE ? null
                : new MemberId(stored.votedForNodeId(), stored.votedForIncarnation());
        return new HardState(stored.term(), vote, stored.commitIndex());
    }

    /** Whether {@code next} changes what a member promised: its term or its vote. */
    static boolean termOrVoteChanged(HardState previous, HardState next) {
        return previous.term() != next.term() || !java.util.Objects.equals(previous.votedFor(), next.votedFor());
    }
}
