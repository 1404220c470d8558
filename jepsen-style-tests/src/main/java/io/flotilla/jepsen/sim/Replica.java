package io.flotilla.jepsen.sim;

import io.flotilla.raft.MemberId;
import io.flotilla.raft.RaftConfig;
import io.flotilla.raft.RaftMessage;
import io.flotilla.raft.RaftStorage;
import io.flotilla.raft.Ready;
import io.flotilla.raft.Role;

import java.nio.ByteBuffer;
import java.util.random.RandomGenerator;

/**
 * The Raft state machine as the simulation drives it: {@code RaftNode}'s surface, except that
 * propose reports "not the leader" as a result instead of an exception. {@link RaftNodeReplica}
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

    /** Builds a replica over a member's storage: at first start and at every restart. */
    @FunctionalInterface
    interface Factory {
        Replica start(long groupId, MemberId self, RaftConfig config, RaftStorage storage, RandomGenerator random);
    }
}
