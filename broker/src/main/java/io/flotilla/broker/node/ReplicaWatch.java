package io.flotilla.broker.node;

import io.flotilla.raft.Entry;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.ReadState;
import io.flotilla.raft.Snapshot;
import io.flotilla.raft.driver.Applier;

import java.util.List;
import java.util.function.Consumer;

/**
 * A partition replica's applier that also tells the node when the replica's view of its
 * leadership changes, so the node reports it to the controller at once instead of at the next
 * periodic report (TransferLeadership waits for that report), and when the driver stops the
 * replica's group, so the node can reopen a replica whose log read damaged bytes.
 */
final class ReplicaWatch implements Applier {
    private final Applier replica;
    private final Runnable leadershipChanged;
    private final Consumer<Throwable> stopped;

    /** @param leadershipChanged and {@code stopped} are run on the group's loop thread: they must only hand off */
    ReplicaWatch(Applier replica, Runnable leadershipChanged, Consumer<Throwable> stopped) {
        this.replica = replica;
        this.leadershipChanged = leadershipChanged;
        this.stopped = stopped;
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
        leadershipChanged.run();
    }

    @Override
    public void stopped(Throwable cause) {
        replica.stopped(cause);
        stopped.accept(cause);
    }
}
