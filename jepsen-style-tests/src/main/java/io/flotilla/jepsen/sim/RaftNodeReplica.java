package io.flotilla.jepsen.sim;

import io.flotilla.raft.MemberId;
import io.flotilla.raft.Membership;
import io.flotilla.raft.NotLeaderException;
import io.flotilla.raft.RaftConfig;
import io.flotilla.raft.RaftMessage;
import io.flotilla.raft.RaftNode;
import io.flotilla.raft.RaftStorage;
import io.flotilla.raft.Ready;
import io.flotilla.raft.Role;

import java.nio.ByteBuffer;
import java.util.random.RandomGenerator;

/**
 * The real {@link RaftNode} behind the {@link Replica} seam. Not final: the harness's tests graft
 * deliberately broken rules onto the real node by overriding a few methods.
 */
public class RaftNodeReplica implements Replica {
    public static final Replica.Factory FACTORY = RaftNodeReplica::new;

    private final RaftNode node;

    public RaftNodeReplica(long groupId, MemberId self, RaftConfig config, RaftStorage storage,
                           RandomGenerator random) {
        this.node = new RaftNode(groupId, self, config, storage, random);
    }

    @Override
    public void tick() {
        node.tick();
    }

    @Override
    public void step(RaftMessage message) {
        node.step(message);
    }

    @Override
    public ProposeResult propose(ByteBuffer payload, int recordCount) {
        try {
            return new ProposeResult.Accepted(node.propose(payload, recordCount));
        } catch (NotLeaderException e) {
            return new ProposeResult.NotLeader(e.leaderHint());
        }
    }

    @Override
    public boolean hasReady() {
        return node.hasReady();
    }

    @Override
    public Ready ready() {
        return node.ready();
    }

    @Override
    public void advance(Ready ready) {
        node.advance(ready);
    }

    @Override
    public Role role() {
        return node.role();
    }

    @Override
    public long term() {
        return node.term();
    }

    @Override
    public MemberId leader() {
        return node.leader();
    }

    @Override
    public long commitEnd() {
        return node.commitEnd();
    }

    @Override
    public Membership membership() {
        return node.membership();
    }

    @Override
    public ProposeResult proposeMembership(Membership next) {
        try {
            return new ProposeResult.Accepted(node.proposeMembership(next));
        } catch (NotLeaderException e) {
            return new ProposeResult.NotLeader(e.leaderHint());
        } catch (IllegalStateException e) {
            // The documented refusals: a change still uncommitted, or no entry of this term committed yet.
            return new ProposeResult.Refused(e.getMessage());
        }
    }

    @Override
    public boolean transferLeadership(MemberId target) {
        try {
            node.transferLeadership(target);
            return true;
        } catch (NotLeaderException e) {
            return false;
        }
    }
}
