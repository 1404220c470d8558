package io.flotilla.jepsen.sim;

import io.flotilla.raft.Entry;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.Membership;
import io.flotilla.raft.RaftConfig;
import io.flotilla.raft.RaftMessage;
import io.flotilla.raft.Ready;
import io.flotilla.raft.Role;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * Members driven step by step by a test, in the transcript style of etcd's raft tests, through
 * the simulation's own drivers ({@link SimNode}) and checkers ({@link Invariants}): no clock, no
 * randomness (every election timeout is the shortest), every fsync completes at once, and each
 * message waits until the test delivers or drops it. Checkers run after every step (their
 * reports give the step's number as its time), so a broken Raft fails with the
 * {@link InvariantViolation} the simulation would report.
 */
final class ScriptedCluster implements SimNode.Host {
    private static final RandomGenerator NO_JITTER = () -> 0;

    private final Replica.Factory factory;
    private final RaftConfig config;
    private final List<SimNode> nodes = new ArrayList<>();
    private final List<RaftMessage> inFlight = new ArrayList<>();
    private final Invariants invariants;
    private long step;

    ScriptedCluster(int voters, Replica.Factory factory, RaftConfig config) {
        this.factory = factory;
        this.config = config;
        MemberId[] ids = new MemberId[voters];
        for (int i = 0; i < voters; i++) {
            ids[i] = Fixtures.member(i);
        }
        Membership bootstrap = Membership.ofVoters(ids);
        for (int i = 0; i < voters; i++) {
            nodes.add(new SimNode(i, ids[i], bootstrap, DriverFault.NONE));
        }
        invariants = new Invariants(nodes);
        for (SimNode node : nodes) {
            start(node);
        }
    }

    Replica replica(int node) {
        return nodes.get(node).replica();
    }

    void tick(int node) {
        replica(node).tick();
        settle();
    }

    /**
     * {@code node} campaigns until it wins (at most three times: a voter may have voted in the
     * first term it asks for) and only {@code voters} hear it; messages in flight before are lost.
     * The new leader's first appends are left in flight.
     */
    void elect(int node, List<Integer> voters) {
        for (int attempt = 0; attempt < 3 && replica(node).role() != Role.LEADER; attempt++) {
            drop(m -> true);
            long term = replica(node).term();
            // With no jitter it stands after one election timeout of ticks; twice that bounds the wait.
            for (int i = 0; i < 2 * config.electionTimeoutTicks() && replica(node).term() == term; i++) {
                tick(node);
            }
            deliver(m -> m instanceof RaftMessage.VoteRequest && voters.contains(m.to().nodeId())
                    || m instanceof RaftMessage.VoteResponse);
        }
        if (replica(node).role() != Role.LEADER) {
            throw new IllegalStateException("n" + node + " did not win: " + replica(node).role());
        }
    }

    ProposeResult propose(int node, long value) {
        ProposeResult r = nodes.get(node).propose(Entries.value(value), 1);
        settle();
        return r;
    }

    /** Delivers the messages in flight that {@code which} accepts, and those they cause, until none is left. */
    void deliver(Predicate<RaftMessage> which) {
        for (RaftMessage m = next(which); m != null; m = next(which)) {
            SimNode to = nodes.get(m.to().nodeId());
            if (to.up()) {
                to.replica().step(m);
            }
            settle();
        }
    }

    void drop(Predicate<RaftMessage> which) {
        inFlight.removeIf(which);
    }

    void crash(int node) {
        SimNode n = nodes.get(node);
        n.crash(this);
        invariants.crashed(n);
        inFlight.removeIf(m -> m.to().nodeId() == node);
    }

    void restart(int node) {
        start(nodes.get(node));
        settle();
    }

    private void start(SimNode node) {
        node.start(factory.start(Simulation.GROUP_ID, node.id(), config, node.storage(), NO_JITTER));
        invariants.started(node);
    }

    private RaftMessage next(Predicate<RaftMessage> which) {
        for (Iterator<RaftMessage> it = inFlight.iterator(); it.hasNext(); ) {
            RaftMessage m = it.next();
            if (which.test(m)) {
                it.remove();
                return m;
            }
        }
        return null;
    }

    /** Drives every node until none has work; each round of fsyncs completes one step after it was asked for. */
    private void settle() {
        boolean busy = true;
        while (busy) {
            busy = false;
            for (SimNode node : nodes) {
                node.drive(this);
            }
            invariants.afterEvent(++step);
            for (SimNode node : nodes) {
                if (node.inFlight() != null) {
                    node.persistDone(node.life(), node.readyNo(), this);
                    busy = true;
                }
            }
        }
    }

    @Override
    public void send(SimNode from, RaftMessage message) {
        inFlight.add(Wire.copy(message));
    }

    @Override
    public void persistLater(SimNode node, long life, long readyNo) {
    }

    @Override
    public void persisted(SimNode node, Ready ready, int firstNewIndex) {
        invariants.persisted(node, firstNewIndex);
    }

    @Override
    public void applied(SimNode node, Entry entry) {
        invariants.applied(node, entry);
    }
}
