package io.flotilla.raft;

import io.flotilla.raft.RaftMessage.InstallSnapshot;
import io.flotilla.raft.RaftMessage.SnapshotResponse;
import io.flotilla.raft.RaftMessage.VoteRequest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.flotilla.raft.TestCluster.member;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Snapshot transfers under the faults a driver and a network bring: crashes between two
 * stores, leader changes, compaction racing a transfer, duplicated answers, pipelined drivers.
 * (Found by review; each failed before its fix.)
 */
class SnapshotFaultsTest {
    private static final RaftConfig CONFIG = SnapshotTest.CONFIG;

    private static byte[] filled(int size, int value) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) value);
        return b;
    }

    /**
     * The install and the hard state may become durable in either order: if the hard state of
     * the install's Ready is durable first and the node crashes, its commit end must not cover
     * the old, divergent log.
     */
    @Test
    void theHardStateOfAnInstallDoesNotCommitTheOldLogIfItIsDurableFirst() {
        TestCluster c = new TestCluster(3, CONFIG);
        RaftNode newLeader = c.divergeFromIsolatedOldLeader(5, 10);
        long snapEnd = newLeader.commitEnd();
        c.storages.get(member(2)).compact(snapEnd, filled(10, 1));
        c.isolated.clear();
        List<InstallSnapshot> held = new ArrayList<>();
        for (int i = 0; i < 10 && held.isEmpty(); i++) {
            newLeader.tick();
            c.deliverWhile(m -> {
                if (m instanceof InstallSnapshot s && s.to().equals(member(1))) {
                    held.add(s);
                    return false;
                }
                return true;
            });
        }
        assertEquals(1, held.size());
        RaftNode n1 = c.node(1);
        long oldCommit = n1.commitEnd();
        long oldEnd = c.storages.get(member(1)).endOffset();
        assertTrue(oldCommit < oldEnd && oldEnd < snapEnd, oldCommit + " " + oldEnd + " " + snapEnd);

        n1.step(held.get(0)); // last (only) chunk: installs in memory
        // A transfer campaign (bypasses the lease) at a higher term reaches node 1 in the same Ready window.
        n1.step(new VoteRequest(TestCluster.GROUP, member(3), member(1), n1.term() + 1, 0, 0, false, true));
        Ready r = n1.ready();
        assertTrue(r.installsSnapshot());
        // The node store fsyncs the hard state; the crash comes before the log reset is durable.
        c.storages.get(member(1)).persist(new Ready(List.of(), -1, List.of(), r.hardState(), List.of(), List.of()));
        c.restart(1);
        c.process();
        List<String> applied = c.appliedValues(1);
        assertFalse(applied.contains("lost0"), "node 1 applied divergent, never-committed entries: " + applied);
        assertTrue(c.node(1).commitEnd() <= oldCommit, "restarted commit end " + c.node(1).commitEnd()
                + " covers the old log's uncommitted tail (was " + oldCommit + ")");
    }

    /**
     * Two leaders' snapshots of one state may differ byte for byte (at the same end, term and
     * size): a new leader's transfer starts from byte 0, never where the old one stopped.
     */
    @Test
    void aNewLeadersTransferNeverMixesInTheOldLeadersBytes() {
        TestCluster c = TestCluster.laggingFollowerAndCompactedLeader(CONFIG, filled(2500, 1));
        RaftNode leader = c.node(1);
        long end = leader.commitEnd();
        assertEquals(end, c.node(2).commitEnd());
        c.storages.get(member(2)).compact(end, filled(2500, 2)); // same state, different serialization
        leader.tick();
        c.deliverWhile(m -> !(m instanceof InstallSnapshot s && s.position() > 0)); // node 3 holds [0, 1000) of node 1's
        c.isolated.add(member(1));
        c.elect(2);
        c.deliverAll();
        byte[] got = c.storages.get(member(3)).snapshot();
        assertEquals(1, c.installed.get(member(3)).size());
        assertEquals(2, got[2499], "the transfer ended with node 2's bytes");
        assertArrayEquals(filled(2500, 2), got, "every installed byte is node 2's");
    }

    /**
     * The leader compacting again during a transfer does not restart it: it finishes with the
     * snapshot it began (storage keeps it readable), even if compactions outpace transfers.
     */
    @Test
    void compactionDuringATransferDoesNotRestartIt() {
        TestCluster c = new TestCluster(3, CONFIG);
        RaftNode leader = c.elect(1);
        c.isolated.add(member(3));
        for (int i = 0; i < 30; i++) {
            c.propose(leader, "v" + i);
        }
        MemoryStorage ls = c.storages.get(member(1));
        ls.compact(leader.commitEnd() - 20, filled(2500, 1));
        c.isolated.clear();
        int[] compactions = {0};
        int[] installedWhileCompacting = {-1};
        List<Long> positions = new ArrayList<>();
        for (int t = 0; t < 5; t++) {
            leader.tick();
            c.deliverWhile(m -> {
                if (m instanceof InstallSnapshot s) {
                    positions.add(s.position());
                }
                if (m instanceof SnapshotResponse r && r.received() > 0 && compactions[0] < 19) {
                    ls.compact(ls.startOffset() + 1, filled(2500, 1)); // the application snapshots again
                    compactions[0]++;
                    installedWhileCompacting[0] = c.installed.get(member(3)).size();
                }
                return true;
            });
        }
        assertEquals(19, compactions[0]);
        assertTrue(installedWhileCompacting[0] >= 1, "no install during 19 compactions: " + positions);
        assertEquals(List.of(0L, 1000L, 2000L), positions.subList(0, 3), "the first transfer ran to its end");
        assertEquals(c.storages.get(member(1)).startOffset(), c.storages.get(member(3)).startOffset(),
                "and the follower caught up with the last snapshot once compactions stopped");
    }

    /** A duplicated SnapshotResponse does not start a second stream of chunks. */
    @Test
    void aDuplicatedSnapshotResponseReleasesNoExtraChunks() {
        TestCluster c = TestCluster.laggingFollowerAndCompactedLeader(CONFIG, filled(10_000, 3));
        c.node(1).tick();
        boolean[] duplicated = {false};
        int[] chunks = {0};
        c.deliverWhile(m -> {
            if (m instanceof InstallSnapshot) {
                chunks[0]++;
            }
            if (m instanceof SnapshotResponse r && r.received() == 1000 && !duplicated[0]) {
                duplicated[0] = true;
                c.inFlight.add(m);
            }
            return true;
        });
        assertEquals(1, c.installed.get(member(3)).size());
        assertTrue(chunks[0] <= 11, "10 chunks needed, one duplicate tolerable; sent " + chunks[0]);
    }

    /**
     * A driver sends sendAfterPersist before it calls advance (the documented order), so the
     * next chunk may arrive in between: it is taken, not dropped until a heartbeat resends it.
     */
    @Test
    void aChunkArrivingBetweenReadyAndAdvanceIsTaken() {
        TestCluster c = TestCluster.laggingFollowerAndCompactedLeader(CONFIG, filled(3000, 3));
        RaftNode leader = c.node(1);
        RaftNode f = c.node(3);
        leader.tick();
        c.process();
        // Deliver until the first chunk reaches node 3, then drive node 3 by hand.
        RaftMessage m;
        while (!((m = c.inFlight.poll()) instanceof InstallSnapshot s && s.to().equals(member(3)))) {
            c.nodes.get(m.to()).step(m);
            c.process();
        }
        f.step(m);
        Ready r = f.ready();
        c.storages.get(member(3)).persist(r);
        for (RaftMessage out : r.sendAfterPersist()) {
            leader.step(out); // the SnapshotResponse reaches the leader
        }
        c.process(); // leader sends chunk 1000
        List<RaftMessage> toF = new ArrayList<>();
        for (RaftMessage out : c.inFlight) {
            if (out.to().equals(member(3))) {
                toF.add(out);
            }
        }
        c.inFlight.removeAll(toF);
        for (RaftMessage out : toF) {
            f.step(out); // arrives before node 3's advance
        }
        f.advance(r);
        assertTrue(f.hasReady(), "chunk 1000 waits in the next Ready");
    }
}
