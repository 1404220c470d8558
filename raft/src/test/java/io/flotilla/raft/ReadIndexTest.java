package io.flotilla.raft;

import io.flotilla.raft.RaftMessage.AppendRequest;
import io.flotilla.raft.RaftMessage.InstallSnapshot;
import io.flotilla.raft.RaftMessage.VoteRequest;
import io.flotilla.raft.RaftMessage.VoteResponse;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.flotilla.raft.TestCluster.member;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Read index: a read point is handed out only once a quorum confirmed the leader still leads. */
class ReadIndexTest {
    @Test
    void aReadIsConfirmedOnceAQuorumAnswersAMessageSentAfterIt() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        RaftNode leader = c.elect(1);
        c.propose(leader, "a");
        long commitEnd = leader.commitEnd();

        leader.readIndex(42);
        c.process();
        assertEquals(List.of(), c.reads.get(member(1)), "nobody has answered yet");
        // Node 3 hears nothing; node 2's answer makes a quorum with the leader.
        c.deliverWhile(m -> !m.to().equals(member(3)) && !m.from().equals(member(3)));
        assertEquals(List.of(new ReadState(42, commitEnd)), c.reads.get(member(1)));
    }

    @Test
    void anAnswerToAMessageSentBeforeTheReadDoesNotConfirmIt() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        RaftNode leader = c.elect(1);
        leader.tick(); // heartbeats of the current round go out...
        c.process();
        List<RaftMessage> earlier = List.copyOf(c.inFlight);
        c.inFlight.clear();
        leader.readIndex(7); // ...then the read arrives
        c.process();
        c.inFlight.clear(); // the new round's heartbeats are lost
        c.inFlight.addAll(earlier);
        c.deliverAll();
        assertEquals(List.of(), c.reads.get(member(1)), "answers to the older round prove nothing about now");
        leader.tick();
        c.deliverAll();
        assertEquals(List.of(new ReadState(7, leader.commitEnd())), c.reads.get(member(1)), "a later round does");
    }

    @Test
    void aNewLeaderConfirmsReadsOnlyAfterCommittingAnEntryOfItsTerm() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        // Node 1 wins an election, but its no-op reaches nobody yet.
        RaftNode leader = c.node(1);
        for (int i = 0; i < 30 && leader.role() != Role.LEADER; i++) {
            leader.tick();
            c.deliverWhile(m -> m instanceof VoteRequest || m instanceof VoteResponse);
        }
        assertEquals(Role.LEADER, leader.role());
        long termStart = leader.commitEnd();
        leader.readIndex(5);
        c.deliverWhile(m -> !(m instanceof AppendRequest a && !a.entries().isEmpty()));
        assertEquals(List.of(), c.reads.get(member(1)), "answered heartbeats, but its commit end may be stale");

        leader.tick();
        c.deliverAll();
        List<ReadState> reads = c.reads.get(member(1));
        assertEquals(1, reads.size());
        assertEquals(leader.commitEnd(), reads.get(0).index(), "the read point includes the no-op");
        assertEquals(termStart + 1, reads.get(0).index(), "which was not committed when the read arrived");
    }

    @Test
    void aLeaderCutOffFromTheQuorumFailsItsReadsWhenItLearnsOfTheNewLeader() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        RaftNode oldLeader = c.elect(1);
        c.isolated.add(member(1));
        oldLeader.readIndex(9);
        c.deliverAll();
        assertEquals(List.of(), c.reads.get(member(1)));
        c.elect(2);
        c.isolated.clear();
        c.tickAll();
        List<ReadState> reads = c.reads.get(member(1));
        assertEquals(List.of(new ReadState(9, -1)), reads);
        assertFalse(reads.get(0).confirmed(), "the caller retries at the new leader");
    }

    @Test
    void aSingleVoterConfirmsAtOnce() {
        TestCluster c = new TestCluster(1, RaftConfig.DEFAULTS);
        RaftNode leader = c.elect(1);
        c.propose(leader, "a");
        leader.readIndex(1);
        c.process();
        assertEquals(List.of(new ReadState(1, leader.commitEnd())), c.reads.get(member(1)));
    }

    @Test
    void aFollowerRefusesAndNamesTheLeader() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        c.elect(1);
        NotLeaderException e = assertThrows(NotLeaderException.class, () -> c.node(2).readIndex(3));
        assertEquals(member(1), e.leaderHint());
    }

    /** With the other follower down, a read is confirmed by the one receiving a snapshot: chunks carry rounds too. */
    @Test
    void aFollowerReceivingASnapshotConfirmsRounds() {
        TestCluster c = TestCluster.laggingFollowerAndCompactedLeader(SnapshotTest.CONFIG, SnapshotTest.state(10_000));
        RaftNode leader = c.node(1);
        c.isolated.add(member(2));
        leader.tick();
        c.deliverWhile(m -> !(m instanceof InstallSnapshot s && s.position() >= 3000));
        leader.readIndex(77);
        for (int i = 0; i < 5; i++) {
            leader.tick(); // node 3 gets and answers chunks 3000.., all sent after the read
            c.deliverWhile(m -> !(m instanceof InstallSnapshot s && s.position() >= 9000));
        }
        assertEquals(Role.LEADER, leader.role());
        assertEquals(List.of(new ReadState(77, leader.commitEnd())), c.reads.get(member(1)),
                "node 3 answered messages sent after the read");
    }
}
