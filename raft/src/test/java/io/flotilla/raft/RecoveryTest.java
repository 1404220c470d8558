package io.flotilla.raft;

import io.flotilla.raft.RaftMessage.AppendRequest;
import io.flotilla.raft.RaftMessage.AppendResponse;
import io.flotilla.raft.RaftMessage.VoteRequest;
import io.flotilla.raft.RaftMessage.VoteResponse;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.flotilla.raft.TestCluster.member;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A member whose storage lost entries it had acknowledged (damage found on disk, the log cut
 * before it: {@link MemoryStorage#loseEntriesFrom}) recovers them from a leader before it votes
 * again, so a committed entry it helped commit is never lost with its copy.
 */
class RecoveryTest {
    /**
     * Node 1 leads; "committed" commits on nodes 1 and 3 while node 2 is cut off; node 3's
     * storage then loses it. Returns the offset it was at.
     */
    private static long commitWithoutNode2AndLoseItOnNode3(TestCluster c, boolean recordTheLoss) {
        RaftNode leader = c.elect(1);
        c.propose(leader, "shared");
        c.isolated.add(member(2));
        Entry committed = c.propose(leader, "committed");
        assertTrue(leader.commitEnd() > committed.baseOffset(), "committed with node 3's acknowledgement");
        MemoryStorage third = c.storages.get(member(3));
        if (recordTheLoss) {
            third.loseEntriesFrom(committed.baseOffset());
        } else {
            third.truncateFrom(committed.baseOffset());
        }
        c.restart(3);
        return committed.baseOffset();
    }

    @Test
    void aReplicaThatCutItsLogAndVotedAsBeforeWouldElectALeaderWithoutACommittedEntry() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        long offset = commitWithoutNode2AndLoseItOnNode3(c, false);
        c.isolated.clear();
        c.isolated.add(member(1)); // the only intact copy is out of reach

        RaftNode stale = c.elect(2); // node 3's vote makes the majority

        assertEquals(Role.LEADER, stale.role());
        assertTrue(stale.commitEnd() > offset, "the new leader committed its own entry at offset " + offset);
        for (int id = 2; id <= 3; id++) {
            assertFalse(values(c, id).contains("committed"), "node " + id + " lacks the committed entry: "
                    + values(c, id));
        }
    }

    @Test
    void aRecoveringReplicaGrantsNoVoteSoTheStaleCandidateCannotWinAndTheIntactCopyLeadsAgain() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        commitWithoutNode2AndLoseItOnNode3(c, true);
        assertTrue(c.node(3).recovering());
        c.isolated.clear();
        c.isolated.add(member(1));
        List<VoteResponse> fromThird = new ArrayList<>();

        for (int i = 0; i < 100; i++) {
            c.node(2).tick();
            c.node(3).tick();
            c.deliverWhile(m -> record(m, fromThird));
        }

        assertNotEquals(Role.LEADER, c.node(2).role());
        assertFalse(fromThird.isEmpty(), "node 2 asked node 3");
        assertTrue(fromThird.stream().noneMatch(VoteResponse::granted), "node 3 granted nothing: " + fromThird);
        assertEquals(Role.FOLLOWER, c.node(3).role(), "node 3 never campaigns");

        c.isolated.clear(); // node 1, which still leads, catches both up
        RaftNode leader = c.node(1);
        for (int i = 0; i < 3; i++) {
            c.tickAll();
        }
        assertEquals(Role.LEADER, leader.role());
        for (int id = 1; id <= 3; id++) {
            assertTrue(values(c, id).contains("committed"), "node " + id + " holds it: " + values(c, id));
        }
        assertFalse(c.node(3).recovering(), "node 3 holds what it lost again");
        assertFalse(c.storages.get(member(3)).hardState().recovering(), "and its hard state says so");
    }

    @Test
    void theLeaderThatCountedTheLostEntriesSendsThemAgainAndRecoveryEndsOnceTheyAreDurable() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        long cut = fiveEntriesOfWhichNode3LosesTheLastThree(c);
        RaftNode leader = c.node(1);
        long end = leader.logEnd();
        assertEquals(end, c.storages.get(member(3)).hardState().recoveringTo());
        List<AppendResponse> rejections = new ArrayList<>();

        for (int i = 0; i < 3 && c.node(3).recovering(); i++) {
            c.nodes.values().forEach(RaftNode::tick); // heartbeats at what the leader thinks node 3 holds
            c.deliverWhile(m -> {
                if (m instanceof AppendResponse r && !r.success()) {
                    rejections.add(r);
                }
                return true;
            });
        }

        assertFalse(rejections.isEmpty());
        assertTrue(rejections.get(0).recovering(), "the rejection says node 3 lost entries: " + rejections.get(0));
        assertEquals(cut, rejections.get(0).hintEnd());
        assertFalse(c.node(3).recovering());
        assertEquals(c.storages.get(member(1)).allEntries().size(), c.storages.get(member(3)).allEntries().size());
        assertEquals(values(c, 1), values(c, 3));
        assertEquals(end, leader.matchEnd(member(3)));
    }

    @Test
    void recoveredEntriesThatAreNotDurableYetEndNoRecoveryAndWinNoVote() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        fiveEntriesOfWhichNode3LosesTheLastThree(c);
        RaftNode leader = c.node(1);
        List<AppendRequest> resent = new ArrayList<>();
        for (int i = 0; i < 3 && resent.isEmpty(); i++) {
            c.nodes.values().forEach(RaftNode::tick);
            c.deliverWhile(m -> {
                if (m instanceof AppendRequest a && a.to().equals(member(3)) && !a.entries().isEmpty()) {
                    resent.add(a); // held back: the test delivers it
                    return false;
                }
                return true;
            });
        }
        assertFalse(resent.isEmpty(), "the leader sent the lost entries again");
        RaftNode third = c.node(3);

        third.step(resent.get(0));
        Ready appending = third.ready(); // taken, not yet persisted
        assertEquals(leader.logEnd(), appending.entries().get(appending.entries().size() - 1).nextOffset());
        assertTrue(third.recovering(), "the recovered entries are not durable yet");
        // A transfer's pre-vote from an up-to-date candidate: nothing but recovery refuses it.
        third.step(new VoteRequest(TestCluster.GROUP, member(2), member(3), leader.term() + 1, leader.logEnd(),
                leader.term(), true, true));
        c.storages.get(member(3)).persist(appending);
        third.advance(appending);

        assertFalse(third.recovering(), "recovery ends once they are durable");
        Ready answered = third.ready();
        List<VoteResponse> votes = new ArrayList<>();
        for (RaftMessage m : answered.sendNow()) {
            record(m, votes);
        }
        for (RaftMessage m : answered.sendAfterPersist()) {
            record(m, votes);
        }
        assertEquals(1, votes.size(), "answered: " + votes);
        assertFalse(votes.get(0).granted(), "asked before the entries were durable, it refused");
    }

    @Test
    void recoveryWaitsForTheRecordedEndEvenWhenTheLeadersLogIsShorterUntilTheLogGrowsPastIt() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        RaftNode leader = c.elect(1);
        c.propose(leader, "a");
        long recordedEnd = leader.logEnd() + 3; // it had entries of its own past the leader's end
        lose(c, 3, leader.logEnd(), recordedEnd);
        c.tickAll();
        c.tickAll();
        assertEquals(leader.logEnd(), c.node(3).logEnd(), "caught up with the leader");
        assertTrue(c.node(3).recovering(), "but not yet holding its recorded end");

        for (int i = 0; c.node(3).logEnd() < recordedEnd; i++) {
            c.propose(leader, "more" + i);
        }

        assertFalse(c.node(3).recovering());
    }

    @Test
    void holdingTheWholeLogOfAQuietLeaderEndsRecoveryEvenBelowTheRecordedEnd() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        RaftNode leader = c.elect(1);
        c.propose(leader, "a");
        lose(c, 3, leader.logEnd(), leader.logEnd() + 3);
        c.tickAll();
        c.tickAll();
        assertTrue(c.node(3).recovering());

        assertTrue(leader.tryQuiesce(node -> true));
        c.deliverAll();

        assertTrue(c.node(3).quiet());
        assertFalse(c.node(3).recovering(), "the leader's whole log holds everything committed");
    }

    @Test
    void aRecoveringMemberOnlyAsksForPreVotesAndIgnoresTransfersAndCampaignNow() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS.withPreVote(false));
        RaftNode leader = c.elect(1);
        c.propose(leader, "a");
        lose(c, 3, leader.logEnd() - 1, leader.logEnd());
        c.isolated.add(member(1));
        List<VoteRequest> asked = new ArrayList<>();

        for (int i = 0; i < 60; i++) {
            c.node(3).tick();
            c.deliverWhile(m -> {
                if (m instanceof VoteRequest v && v.from().equals(member(3))) {
                    asked.add(v);
                }
                return true;
            });
        }
        c.node(3).campaignNow();
        c.node(3).step(new RaftMessage.TimeoutNow(TestCluster.GROUP, member(1), member(3), leader.term()));
        c.process();

        assertFalse(asked.isEmpty(), "its timer ran out and it asked, to wake the others");
        assertTrue(asked.stream().allMatch(VoteRequest::preVote), "pre-votes only, though pre-vote is off: " + asked);
        assertNotEquals(Role.CANDIDATE, c.node(3).role());
        assertEquals(leader.term(), c.node(3).term(), "it never raised its term");
    }

    @Test
    void theRecoveryMarkSurvivesRestartsUntilRecoveryEnds() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        RaftNode leader = c.elect(1);
        c.propose(leader, "a");
        c.propose(leader, "b");
        c.isolated.add(member(3));
        lose(c, 3, leader.logEnd() - 1, leader.logEnd());
        c.restart(3);
        assertTrue(c.node(3).recovering(), "still recovering after a restart");

        c.isolated.clear();
        c.tickAll();
        c.tickAll();
        assertFalse(c.node(3).recovering());
        c.restart(3);
        assertFalse(c.node(3).recovering(), "the end of recovery was persisted");
    }

    /** Node 1 leads and commits five entries; node 3's storage loses the last three and it restarts; returns the cut. */
    private static long fiveEntriesOfWhichNode3LosesTheLastThree(TestCluster c) {
        RaftNode leader = c.elect(1);
        for (int i = 0; i < 5; i++) {
            c.propose(leader, "v" + i);
        }
        MemoryStorage third = c.storages.get(member(3));
        long cut = third.allEntries().get(2).baseOffset();
        third.loseEntriesFrom(cut);
        c.restart(3);
        return cut;
    }

    /** Node {@code id}'s storage loses its entries from {@code from} on, recording {@code recordedEnd}; it restarts. */
    private static void lose(TestCluster c, int id, long from, long recordedEnd) {
        MemoryStorage storage = c.storages.get(member(id));
        storage.loseEntriesFrom(from);
        storage.persist(new Ready(List.of(), -1, List.of(), storage.hardState().withRecoveringTo(recordedEnd), List.of(),
                List.of()));
        c.restart(id);
    }

    private static boolean record(RaftMessage m, List<VoteResponse> fromThird) {
        if (m instanceof VoteResponse v && v.from().equals(member(3))) {
            fromThird.add(v);
        }
        return true;
    }

    /** Every data value in a member's durable log, in order. */
    private static List<String> values(TestCluster c, int id) {
        return c.storages.get(member(id)).allEntries().stream().filter(e -> e.type() == Entry.Type.DATA)
                .map(TestCluster::valueOf).toList();
    }
}
