package io.flotilla.jepsen.sim;

import io.flotilla.raft.Entry;
import io.flotilla.raft.HardState;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.Membership;
import io.flotilla.raft.RaftMessage;
import io.flotilla.raft.Ready;
import io.flotilla.raft.Role;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import static io.flotilla.jepsen.sim.Fixtures.data;
import static io.flotilla.jepsen.sim.Fixtures.member;
import static io.flotilla.jepsen.sim.Fixtures.noop;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The driver follows the Ready contract, and each {@link DriverFault} breaks it exactly as documented. */
class SimNodeTest {
    private static final RaftMessage APPEND = new RaftMessage.AppendRequest(1, member(0), member(1), 2, 0, 0,
            List.of(), 0, 0);
    private static final RaftMessage ACK = new RaftMessage.AppendResponse(1, member(0), member(1), 2, true, 1, 0, 0, 0);
    private static final RaftMessage VOTE = new RaftMessage.VoteResponse(1, member(0), member(2), 2, true, false);
    private static final RaftMessage PRE_VOTE = new RaftMessage.VoteResponse(1, member(0), member(2), 3, true, true);
    private static final HardState VOTED = new HardState(2, member(2), 0);

    private final Recorder host = new Recorder();
    private final Scripted replica = new Scripted();

    private SimNode node(DriverFault fault) {
        SimNode node = new SimNode(0, member(0), Fixtures.THREE, fault);
        node.start(replica);
        return node;
    }

    private static Ready ready(List<RaftMessage> now, List<Entry> entries, HardState hs, List<RaftMessage> after,
                               List<Entry> committed) {
        return new Ready(now, -1, entries, hs, after, committed);
    }

    @Test
    void followsTheReadyContract() {
        SimNode node = node(DriverFault.NONE);
        Ready first = ready(List.of(APPEND), List.of(noop(0, 2)), VOTED, List.of(ACK), List.of());
        Ready second = ready(List.of(), List.of(data(1, 2, 7)), null, List.of(), List.of(noop(0, 2)));
        replica.readies.add(first);
        replica.readies.add(second);

        node.drive(host);
        assertEquals(List.of("send " + APPEND, "persistLater 1"), host.log, "sendNow at once, then wait for fsync");
        assertSame(first, node.inFlight());
        assertEquals(0, node.storage().endOffset(), "nothing is durable before the fsync completes");
        node.drive(host);
        assertEquals(1, replica.taken, "one Ready in flight at a time");

        host.log.clear();
        assertTrue(node.persistDone(1, 1, host));
        assertEquals(List.of("persisted 0", "send " + ACK), host.log, "persist, then sendAfterPersist");
        assertEquals(1, node.storage().endOffset());
        assertEquals(VOTED, node.storage().hardState());
        assertEquals(List.of(first), replica.advanced);
        assertNull(node.inFlight());

        host.log.clear();
        node.drive(host);
        node.persistDone(1, 2, host);
        assertEquals(List.of("persistLater 2", "persisted 1", "apply [0 t2 NOOP]"), host.log,
                "committed entries are applied after the persist");
        assertEquals(List.of(first, second), replica.advanced);
        assertEquals(2, node.durable().size());
    }

    @Test
    void aReadyWithNothingToPersistCompletesAtOnce() {
        SimNode node = node(DriverFault.NONE);
        replica.readies.add(ready(List.of(APPEND), List.of(), null, List.of(ACK), List.of()));
        replica.readies.add(ready(List.of(), List.of(), null, List.of(VOTE), List.of()));
        node.drive(host);
        assertEquals(List.of("send " + APPEND, "send " + ACK, "send " + VOTE), host.log);
        assertEquals(2, replica.advanced.size());
    }

    @Test
    void aCrashLosesTheUnpersistedReady() {
        SimNode node = node(DriverFault.NONE);
        replica.readies.add(ready(List.of(), List.of(noop(0, 2)), VOTED, List.of(VOTE), List.of()));
        node.drive(host);
        node.crash(host);
        assertFalse(node.up());
        assertEquals(0, node.storage().endOffset());
        assertEquals(HardState.INITIAL, node.storage().hardState());
        node.start(new Scripted());
        assertEquals(2, node.life());
        assertFalse(node.persistDone(1, 1, host), "the lost Ready's fsync completion is stale");
        assertEquals(List.of("persistLater 1"), host.log, "the vote was never sent");
    }

    @Test
    void ackBeforeFsyncSendsEverythingWhenTheReadyIsTaken() {
        SimNode node = node(DriverFault.ACK_BEFORE_FSYNC);
        replica.readies.add(ready(List.of(APPEND), List.of(noop(0, 2)), VOTED, List.of(ACK, VOTE), List.of()));
        node.drive(host);
        assertEquals(List.of("send " + APPEND, "send " + ACK, "send " + VOTE, "persistLater 1"), host.log);
        host.log.clear();
        node.persistDone(1, 1, host);
        assertEquals(List.of("persisted 0"), host.log, "nothing is sent twice");
    }

    @Test
    void unpersistedVoteSendsGrantedVotesEarlyAndLosesOnlyTheHardStateInACrash() {
        SimNode node = node(DriverFault.UNPERSISTED_VOTE);
        replica.readies.add(ready(List.of(), List.of(noop(0, 2)), VOTED, List.of(ACK, VOTE, PRE_VOTE), List.of()));
        node.drive(host);
        assertEquals(List.of("send " + VOTE, "persistLater 1"), host.log, "only the real, granted vote goes early");
        node.crash(host);
        assertEquals(1, node.storage().endOffset(), "the log write landed");
        assertEquals(HardState.INITIAL, node.storage().hardState(), "the vote did not");
    }

    /** Records what the driver asks of its host. */
    private static final class Recorder implements SimNode.Host {
        final List<String> log = new ArrayList<>();

        public void send(SimNode from, RaftMessage message) {
            log.add("send " + message);
        }

        public void persistLater(SimNode node, long life, long readyNo) {
            log.add("persistLater " + readyNo);
        }

        public void persisted(SimNode node, Ready ready, int firstNewIndex) {
            log.add("persisted " + firstNewIndex);
        }

        public void applied(SimNode node, Entry entry) {
            log.add("apply " + Entries.describe(entry));
        }
    }

    /** Hands out prepared Readies and records what it is told. */
    private static final class Scripted implements Replica {
        final ArrayDeque<Ready> readies = new ArrayDeque<>();
        final List<Ready> advanced = new ArrayList<>();
        int taken;

        public void tick() {
        }

        public void step(RaftMessage message) {
        }

        public ProposeResult propose(ByteBuffer payload, int recordCount) {
            return new ProposeResult.NotLeader(null);
        }

        public boolean hasReady() {
            return !readies.isEmpty();
        }

        public Ready ready() {
            taken++;
            return readies.remove();
        }

        public void advance(Ready ready) {
            advanced.add(ready);
        }

        public Role role() {
            return Role.FOLLOWER;
        }

        public long term() {
            return 2;
        }

        public MemberId leader() {
            return null;
        }

        public long commitEnd() {
            return 0;
        }

        public Membership membership() {
            return Fixtures.THREE;
        }

        public ProposeResult proposeMembership(Membership next) {
            return new ProposeResult.NotLeader(null);
        }

        public boolean transferLeadership(MemberId target) {
            return false;
        }
    }
}
