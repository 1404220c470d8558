package io.flotilla.raft;

import io.flotilla.raft.RaftMessage.AppendRequest;
import io.flotilla.raft.RaftMessage.AppendResponse;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BacktrackingAndCommitRuleTest {
    @Test
    void aLongDivergentSuffixIsReplacedInAFewRoundTripsNotOneEntryAtATime() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        RaftNode newLeader = c.divergeFromIsolatedOldLeader(200, 20);
        c.isolated.clear();
        int rejections = 0;
        for (int round = 0; round < 30 && c.node(1).commitEnd() < newLeader.commitEnd(); round++) {
            newLeader.tick();
            c.process();
            while (!c.inFlight.isEmpty()) {
                RaftMessage m = c.inFlight.poll();
                if (m instanceof AppendResponse r && !r.success() && r.to().equals(newLeader.self())) {
                    rejections++;
                }
                c.nodes.get(m.to()).step(m);
                c.process();
            }
        }
        assertEquals(newLeader.commitEnd(), c.node(1).commitEnd(), "the old leader caught up");
        assertTrue(rejections <= 3, "one rejection per divergent term, not per entry: " + rejections);
        List<String> values = c.appliedValues(1);
        assertEquals("shared", values.get(0));
        assertEquals("kept19", values.get(values.size() - 1));
        assertTrue(values.stream().noneMatch(v -> v.startsWith("lost")), "the divergent entries are gone: " + values);
    }

    /**
     * A follower's conflict hint walks back at most {@link RaftLog#MAX_HINT_STEPS} entries: each
     * is a storage read on a loop thread that serves many groups. A longer run of one term is
     * skipped a walk at a time: each hint is of the same term, further back, until the run's start.
     */
    @Test
    void aConflictHintWalksBackAtMostMaxHintStepsEntriesAndTheNextHintGoesOnFromThere() {
        RaftLog log = new RaftLog(new MemoryStorage(Membership.ofVoters(TestCluster.member(1))));
        log.append(new Entry(0, 1, 1, Entry.Type.DATA, ByteBuffer.allocate(1)));
        int run = 3 * RaftLog.MAX_HINT_STEPS + 10;
        for (int i = 1; i <= run; i++) {
            log.append(new Entry(i, 1, 2, Entry.Type.DATA, ByteBuffer.allocate(1)));
        }
        long prevEnd = log.endOffset();
        int hints = 0;
        while (true) {
            RaftLog.ConflictHint hint = log.conflictHint(prevEnd);
            hints++;
            assertEquals(2, hint.term());
            assertTrue(hint.end() >= prevEnd - 1 - RaftLog.MAX_HINT_STEPS, "hint " + hint.end() + " for " + prevEnd);
            assertTrue(hint.end() < prevEnd, "always at least one entry back");
            if (hint.end() == 1) {
                break; // the run's start
            }
            prevEnd = hint.end(); // the leader, without term 2, probes there next
        }
        assertEquals(4, hints, "a hint per " + RaftLog.MAX_HINT_STEPS + " entries of the run");
    }

    /**
     * Raft §5.4.2: a leader must not commit an entry of an earlier term by counting replicas,
     * only by committing an entry of its own term after it.
     */
    @Test
    void anEntryOfAnEarlierTermIsNotCommittedByCountingReplicas() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        RaftNode node1 = c.elect(1);
        c.isolated.add(TestCluster.member(1));
        Entry old = node1.propose(ByteBuffer.wrap("old".getBytes()), 1); // a term-1 entry only node 1 holds
        for (int i = 0; i < 30 && node1.role() == Role.LEADER; i++) {
            node1.tick(); // check-quorum: cut off, it steps down
            c.deliverAll();
        }
        c.isolated.clear();
        // Node 1 (longest log) is elected in a later term, but its first appends are lost.
        for (int i = 0; i < 100 && node1.role() != Role.LEADER; i++) {
            for (RaftNode n : c.nodes.values()) {
                n.tick();
            }
            c.deliverWhile(m -> !(m instanceof AppendRequest));
        }
        assertEquals(Role.LEADER, node1.role());
        assertTrue(node1.term() > 1, "a later term: " + node1.term());
        // The next heartbeat probes node 2; capture the append that carries the old entry and the no-op.
        AppendRequest full = null;
        for (int i = 0; i < 10 && full == null; i++) {
            node1.tick();
            c.process();
            while (!c.inFlight.isEmpty() && full == null) {
                RaftMessage m = c.inFlight.poll();
                if (m instanceof AppendRequest a && a.to().equals(TestCluster.member(2)) && !a.entries().isEmpty()) {
                    full = a;
                } else if (m.to().equals(TestCluster.member(2)) || m.from().equals(TestCluster.member(2))) {
                    c.nodes.get(m.to()).step(m);
                    c.process();
                }
            }
        }
        assertTrue(full != null && full.entries().size() == 2, "an append with the old entry and the no-op: " + full);
        AppendRequest oldOnly = new AppendRequest(full.groupId(), full.from(), full.to(), full.term(), full.prevEnd(),
                full.prevTerm(), full.entries().subList(0, 1), full.commitEnd(), full.round());
        c.inFlight.clear();
        c.node(2).step(oldOnly);
        c.deliverWhile(m -> m.to().equals(node1.self())); // node 2's acknowledgement, and nothing more to node 2
        assertEquals(old.baseOffset(), node1.commitEnd(),
                "nodes 1 and 2 hold the term-1 entry, a majority, yet it is not committed");
        c.node(2).step(full);
        c.deliverAll();
        assertTrue(node1.commitEnd() >= old.nextOffset() + 1, "committed with the new term's no-op: " + node1.commitEnd());
        assertEquals(List.of("old"), c.appliedValues(2));
    }
}
