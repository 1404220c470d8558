package io.flotilla.broker.node;

import io.flotilla.raft.Entry;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.ReadState;
import io.flotilla.raft.Snapshot;
import io.flotilla.raft.driver.Applier;

import java.util.List;

/**
 * A partition replica's applier that also tells the node when the replica's view of its
 * leadership changes, so the node reports it to the controller at once instead of at the next
 * periodic report (TransferLeadership waits for that report).
 */
final class LeadershipWatch implements Applier {
    private final Applier replica;
    private final Runnable changed;

    /** @param changed run on the group's loop thread: must only hand off */
    LeadershipWatch(Applier replica, Runnable changed) {
        this.replica = replica;
        this.changed = changed;
    }

    @Override
    public void apply(List<Entry> committed) {
        replica.apply(committed);
    }

    @Override
    public void restore(Snapshot snapshot) {
        replica.restore(snapshot);
    }

    @Override
    public void reads(List<ReadState> readStates) {
        replica.reads(readStates);
    }

    @Override
    public void leadership(MemberId leader, long term) {
        replica.leadership(leader, term);
        changed.run();
    }

    @Override
    public void stopped(Throwable cause) {
        replica.stopped(cause);
    }
}
