package io.flotilla.raft;

import io.flotilla.raft.RaftMessage.InstallSnapshot;
import io.flotilla.raft.RaftMessage.SnapshotResponse;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.flotilla.raft.TestCluster.member;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A follower that needs entries the leader compacted away gets the leader's snapshot, message by message. */
class SnapshotTest {
    /** Chunks of at most 1000 bytes, so a 2,500-byte state travels in three. */
    static final RaftConfig CONFIG = RaftConfig.DEFAULTS.withFlowControl(64, 8L << 20, 1000);

    static byte[] state(int size) {
        byte[] state = new byte[size];
        Arrays.fill(state, (byte) 7);
        state[size - 1] = 42;
        return state;
    }

    /** Delivers everything, recording the snapshot chunks on the way. */
    private static List<InstallSnapshot> deliverRecordingChunks(TestCluster c) {
        List<InstallSnapshot> chunks = new ArrayList<>();
        c.deliverWhile(m -> {
            if (m instanceof InstallSnapshot s) {
                chunks.add(s);
            }
            return true;
        });
        return chunks;
    }

    @Test
    void aFollowerBehindTheLeadersLogStartGetsTheSnapshotInChunksThenEntries() {
        byte[] state = state(2500);
        TestCluster c = TestCluster.laggingFollowerAndCompactedLeader(CONFIG, state);
        RaftNode leader = c.node(1);
        long snapshotEnd = c.storages.get(member(1)).startOffset();
        leader.tick(); // a heartbeat: node 3 turns out to need what was compacted
        List<InstallSnapshot> chunks = deliverRecordingChunks(c);

        assertEquals(List.of(0L, 1000L, 2000L), chunks.stream().map(InstallSnapshot::position).toList(),
                "three chunks, one after the other");
        MemoryStorage follower = c.storages.get(member(3));
        assertEquals(snapshotEnd, follower.startOffset(), "the follower's log starts at the snapshot's end");
        assertArrayEquals(state, follower.snapshot(), "and holds the leader's state");
        assertEquals(1, c.installed.get(member(3)).size(), "its state machine was restored once");
        assertEquals(leader.membership(), c.node(3).membership());
        assertEquals(snapshotEnd, c.node(3).commitEnd());

        c.propose(leader, "after");
        assertEquals(List.of("after"), c.appliedValues(3), "replication goes on from the snapshot's end");
        assertEquals(leader.commitEnd(), c.node(3).commitEnd());
    }

    @Test
    void anEmptySnapshotRestartsTheFollowersLogAtTheLeadersLogStart() {
        TestCluster c = TestCluster.laggingFollowerAndCompactedLeader(CONFIG, new byte[0]);
        RaftNode leader = c.node(1);
        leader.tick();
        List<InstallSnapshot> chunks = deliverRecordingChunks(c);

        assertEquals(1, chunks.size(), "one message, no bytes: " + chunks);
        assertEquals(0, chunks.get(0).data().remaining());
        assertEquals(c.storages.get(member(1)).startOffset(), c.storages.get(member(3)).startOffset());
        c.propose(leader, "after");
        assertEquals(List.of("after"), c.appliedValues(3));
    }

    @Test
    void aLostChunkIsSentAgainAfterAHeartbeatInterval() {
        byte[] state = state(2500);
        TestCluster c = TestCluster.laggingFollowerAndCompactedLeader(CONFIG, state);
        RaftNode leader = c.node(1);
        leader.tick();
        boolean[] dropped = {false};
        c.deliverWhile(m -> {
            if (m instanceof InstallSnapshot s && s.position() == 1000 && !dropped[0]) {
                dropped[0] = true;
                return false;
            }
            return true;
        });
        assertTrue(dropped[0]);
        assertEquals(0, c.installed.get(member(3)).size(), "stalled at the lost chunk");

        leader.tick();
        List<InstallSnapshot> resent = deliverRecordingChunks(c);
        assertEquals(List.of(1000L, 2000L), resent.stream().map(InstallSnapshot::position).toList(),
                "the transfer resumes from the lost chunk, not from the start");
        assertArrayEquals(state, c.storages.get(member(3)).snapshot());
    }

    @Test
    void aFollowerRestartedMidTransferIsSentTheSnapshotFromItsFirstByte() {
        byte[] state = state(2500);
        TestCluster c = TestCluster.laggingFollowerAndCompactedLeader(CONFIG, state);
        RaftNode leader = c.node(1);
        leader.tick();
        c.deliverWhile(m -> !(m instanceof InstallSnapshot s && s.position() == 2000)); // two chunks in, the third lost
        c.restart(3); // what it received is forgotten: only an installed snapshot is durable
        leader.tick();
        List<SnapshotResponse> answers = new ArrayList<>();
        List<InstallSnapshot> chunks = new ArrayList<>();
        c.deliverWhile(m -> {
            if (m instanceof SnapshotResponse r) {
                answers.add(r);
            } else if (m instanceof InstallSnapshot s) {
                chunks.add(s);
            }
            return true;
        });
        assertEquals(0, answers.get(0).received(), "the restarted follower asks for the start");
        assertEquals(List.of(2000L, 0L, 1000L, 2000L), chunks.stream().map(InstallSnapshot::position).toList());
        assertArrayEquals(state, c.storages.get(member(3)).snapshot());
    }

    /**
     * A deposed leader's divergent entries lie below the new leader's log start: no append can
     * find where the logs agree, so the snapshot replaces its whole log.
     */
    @Test
    void aFollowerThatDivergesBelowTheLeadersLogStartIsRepairedByTheSnapshot() {
        TestCluster c = new TestCluster(3, CONFIG);
        RaftNode newLeader = c.divergeFromIsolatedOldLeader(5, 10);
        c.storages.get(member(2)).compact(newLeader.commitEnd(), state(10));
        c.isolated.clear();
        for (int i = 0; i < 5 && c.installed.get(member(1)).isEmpty(); i++) {
            newLeader.tick();
            c.deliverAll();
        }
        assertEquals(1, c.installed.get(member(1)).size(), "the old leader installed the snapshot");
        c.propose(newLeader, "after");
        assertEquals(List.of("after"), c.appliedValues(1));
        assertEquals(c.storages.get(member(2)).allEntries(), c.storages.get(member(1)).allEntries(),
                "its log now equals the leader's, divergent entries gone");
    }
}
