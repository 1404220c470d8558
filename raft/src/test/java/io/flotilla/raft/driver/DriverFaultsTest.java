package io.flotilla.raft.driver;

import io.flotilla.raft.Entry;
import io.flotilla.raft.HardState;
import io.flotilla.raft.Membership;
import io.flotilla.raft.MembershipEntry;
import io.flotilla.raft.MemoryStorage;
import io.flotilla.raft.RaftStorage;
import io.flotilla.raft.Snapshot;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static io.flotilla.raft.driver.SteppedCluster.ELECTION_TICKS;
import static io.flotilla.raft.driver.SteppedCluster.member;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a fault in one group, one loop or one node's own pace does to the rest: the driver stepped on the test thread. */
class DriverFaultsTest {
    private static final DriverConfig TWO_LOOPS = DriverConfig.DEFAULTS.withLoops(2);
    private static final long FLAKY = 1;

    private static Membership membership() {
        return Membership.ofVoters(member(1), member(2), member(3));
    }

    /** A group on the same loop as {@code groupId}: what a fault must not take down with it. */
    private static long neighbourOf(long groupId) {
        long g = groupId + 1;
        while (Hashing.loopOf(g, TWO_LOOPS.loops()) != Hashing.loopOf(groupId, TWO_LOOPS.loops())) {
            g++;
        }
        return g;
    }

    private static void settle(SteppedCluster c) {
        c.tickUntil(() -> c.awakeGroups(1) + c.awakeGroups(2) + c.awakeGroups(3) == 0, 20 * ELECTION_TICKS);
    }

    /** An applier that keeps what the driver told it when it stopped the group. */
    private static final class StopRecorder implements Applier {
        final List<Throwable> stopped = new ArrayList<>();

        @Override
        public void apply(List<Entry> committed) {
        }

        @Override
        public void stopped(Throwable cause) {
            stopped.add(cause);
        }
    }

    /** A log whose reads fail on demand, as a real one's do on an I/O error (RaftStorage throws unchecked). */
    private static final class FlakyStorage implements RaftStorage {
        private final MemoryStorage log;
        boolean failReads;

        FlakyStorage(MemoryStorage log) {
            this.log = log;
        }

        private void read() {
            if (failReads) {
                throw new UncheckedIOException(new IOException("read error"));
            }
        }

        @Override
        public HardState hardState() {
            return log.hardState();
        }

        @Override
        public List<MembershipEntry> membershipHistory() {
            return log.membershipHistory();
        }

        @Override
        public long startOffset() {
            return log.startOffset();
        }

        @Override
        public long endOffset() {
            return log.endOffset();
        }

        @Override
        public long termBeforeStart() {
            return log.termBeforeStart();
        }

        @Override
        public long termAt(long offset) {
            read();
            return log.termAt(offset);
        }

        @Override
        public long entryBase(long offset) {
            read();
            return log.entryBase(offset);
        }

        @Override
        public long snapshotSize() {
            return log.snapshotSize();
        }

        @Override
        public Membership snapshotMembership() {
            return log.snapshotMembership();
        }

        @Override
        public ByteBuffer readSnapshot(Snapshot snapshot, long position, int maxBytes) {
            read();
            return log.readSnapshot(snapshot, position, maxBytes);
        }

        @Override
        public List<Entry> entries(long fromOffset, long toOffset, long maxBytes) {
            read();
            return log.entries(fromOffset, toOffset, maxBytes);
        }
    }

    /** Three nodes with group {@link #FLAKY} over flaky logs and a healthy neighbour on the same loop, settled. */
    private static final class FlakyCluster {
        final SteppedCluster c = new SteppedCluster(3, TWO_LOOPS);
        final FlakyStorage[] storage = new FlakyStorage[4];
        final StopRecorder[] appliers = new StopRecorder[4];
        final long neighbour = neighbourOf(FLAKY);

        FlakyCluster() {
            for (int id = 1; id <= 3; id++) {
                MemoryStorage log = new MemoryStorage(membership());
                storage[id] = new FlakyStorage(log);
                appliers[id] = new StopRecorder();
                c.addReplica(id, FLAKY, storage[id], new MemoryPersistence(log), appliers[id]);
            }
            c.addGroup(neighbour);
            settle(c);
        }

        /** Fails if any replica but {@code nodeId}'s was stopped, or if that one was not, for an I/O error. */
        void assertOnlyStopped(int nodeId) {
            for (int id = 1; id <= 3; id++) {
                if (id == nodeId) {
                    assertEquals(1, appliers[id].stopped.size(), "node " + id + "'s replica was stopped once");
                    assertInstanceOf(UncheckedIOException.class, appliers[id].stopped.get(0));
                } else {
                    assertEquals(List.of(), appliers[id].stopped, "node " + id + "'s replica lives on");
                }
            }
            assertEquals(1, c.drivers.get(nodeId).stats().groups(), "node " + nodeId + " still hosts the neighbour");
        }

        /** The neighbour on the same loop still commits, on every node. */
        void assertNeighbourCommits() {
            settle(c);
            c.propose(c.leaderOf(neighbour), neighbour, "after the fault");
            c.runUntilIdle();
            for (int id = 1; id <= 3; id++) {
                assertEquals(List.of("after the fault"), c.appliedValues(id, neighbour), "node " + id);
            }
        }
    }

    @Test
    void aStorageReadErrorOfALeaderStopsOnlyThatGroup() {
        FlakyCluster f = new FlakyCluster();
        int leader = f.c.leaderOf(FLAKY);
        f.storage[leader].failReads = true;
        // A read index wakes the leader; confirming it sends a heartbeat round, which reads the log.
        f.c.drivers.get(leader).call(FLAKY, node -> {
            node.readIndex(1);
            return null;
        });
        f.c.tick(2);
        f.assertOnlyStopped(leader);
        f.assertNeighbourCommits();
    }

    @Test
    void aStorageReadErrorOfAFollowerCampaigningOnATickStopsOnlyThatGroup() {
        FlakyCluster f = new FlakyCluster();
        int leader = f.c.leaderOf(FLAKY);
        int follower = leader == 3 ? 2 : 3;
        f.storage[follower].failReads = true;
        // Cut off, the follower suspects the leader and campaigns on a tick: its last term comes from the log.
        f.c.network.isolate(follower);
        f.c.tick(3 * ELECTION_TICKS);
        f.c.network.heal(follower);
        f.assertOnlyStopped(follower);
        f.assertNeighbourCommits();
    }
}
