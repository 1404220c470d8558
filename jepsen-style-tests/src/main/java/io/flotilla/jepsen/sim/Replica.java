package io.flotilla.jepsen.sim;

import io.flotilla.raft.MemberId;
import io.flotilla.raft.Membership;
import io.flotilla.raft.RaftConfig;
import io.flotilla.raft.RaftMessage;
import io.flotilla.raft.RaftStorage;
import io.flotilla.raft.Ready;
import io.flotilla.raft.Role;

import java.nio.ByteBuffer;
import java.util.random.RandomGenerator;

/**
 * The Raft state machine as the simulation drives it: {@code RaftNode}'s surface, except that
 * proposals and leadership transfers report refusals as results instead of exceptions. {@link RaftNodeReplica}
 * adapts the real {@code RaftNode}; the seam also lets the harness's own tests drive a reference
 * implementation and deliberately broken ones.
 */
public interface Replica {
    void tick();

    void step(RaftMessage message);

    ProposeResult propose(ByteBuffer payload, int recordCount);

    boolean hasReady();

    Ready ready();

    void advance(Ready ready);

    Role role();

    long term();

    /** Null when unknown. */
    MemberId leader();

    long commitEnd();

    /** The membership in force here: the latest in this replica's log, committed or not. */
    Membership membership();

    /**
     * Proposes a membership change, as {@code RaftNode.proposeMembership}: {@link ProposeResult.Refused}
     * while another change is uncommitted or this leader has not committed an entry of its term.
     */
    ProposeResult proposeMembership(Membership next);

    /** Starts handing leadership to voter {@code target}; false if this replica does not lead or already hands over. */
    boolean transferLeadership(MemberId target);

    /** Builds a replica over a member's storage: at first start and at every restart. */
    @FunctionalInterface
    interface Factory {
        Replica start(long groupId, MemberId self, RaftConfig config, RaftStorage storage, RandomGenerator random);
    }
}
