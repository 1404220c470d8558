package io.flotilla.raft.driver;

import io.flotilla.raft.Entry;
import io.flotilla.raft.HardState;
import io.flotilla.raft.Membership;
import io.flotilla.raft.MembershipEntry;
import io.flotilla.raft.MemoryStorage;
import io.flotilla.raft.RaftMessage;
import io.flotilla.raft.RaftNode;
import io.flotilla.raft.RaftStorage;
import io.flotilla.raft.Role;
import io.flotilla.raft.Snapshot;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static io.flotilla.raft.driver.SteppedCluster.ELECTION_TICKS;
import static io.flotilla.raft.driver.SteppedCluster.member;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a fault in one group, one loop or one node's own pace does to the rest; mostly stepped on the test thread. */
class DriverFaultsTest {
    private static final DriverConfig TWO_LOOPS = DriverConfig.DEFAULTS.withLoops(2);
    private static final long FLAKY = 1;


    /** A group on the same loop as {@code groupId}: what a fault must not take down with it. */
    private static long neighbourOf(long groupId) {
        long g = groupId + 1;
        while (Hashing.loopOf(g, TWO_LOOPS.loops()) != Hashing.loopOf(groupId, TWO_LOOPS.loops())) {
            g++;
        }
        return g;
    }

    private static SteppedCluster settled(int groups) {
        return SteppedCluster.settled(TWO_LOOPS, groups);
    }

    /** Why {@code future} failed; it must have failed already (a stepped driver has nothing left to wait for). */
    private static Throwable failureOf(CompletableFuture<?> future) {
        assertTrue(future.isCompletedExceptionally(), "failed by now: " + future);
        return assertThrows(CompletionException.class, future::join).getCause();
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
        final long neighbour = neighbourOf(FLAKY);

        FlakyCluster() {
            for (int id = 1; id <= 3; id++) {
                MemoryStorage log = new MemoryStorage(c.membership());
                storage[id] = new FlakyStorage(log);
                c.addReplica(id, FLAKY, storage[id], new MemoryPersistence(log), c.recorder(id, FLAKY));
            }
            c.addGroup(neighbour);
            c.tickUntilQuiet(20 * ELECTION_TICKS);
        }

        /** Fails if any replica but {@code nodeId}'s was stopped, or if that one was not, for an I/O error. */
        void assertOnlyStopped(int nodeId) {
            for (int id = 1; id <= 3; id++) {
                if (id == nodeId) {
                    assertInstanceOf(UncheckedIOException.class, c.stopped(id, FLAKY), "node " + id + "'s replica");
                } else {
                    assertNull(c.stopped(id, FLAKY), "node " + id + "'s replica lives on");
                }
            }
            assertEquals(1, c.drivers.get(nodeId).stats().groups(), "node " + nodeId + " still hosts the neighbour");
        }

        /** The neighbour on the same loop still commits, on every node. */
        void assertNeighbourCommits() {
            // The faulty group may never be quiet again (a live node's replica of it is stopped): bounded, no assertion.
            c.tickUntil(() -> c.awakeGroups() == 0, 20 * ELECTION_TICKS);
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

    @Test
    void anErrorInACallActionFailsItsCallerThenTheWholeDriverAndItsGroupsFailOverElsewhere() {
        int groups = 20;
        SteppedCluster c = settled(groups);
        long[] ledByNode1 = LongStream.rangeClosed(1, groups).filter(g -> c.leaderOf(g) == 1).toArray();
        assertTrue(ledByNode1.length > 0);
        RaftDriver node1 = c.drivers.get(1);
        AssertionError bug = new AssertionError("a bug in the caller's action");
        CompletableFuture<Object> bad = node1.call(1, node -> {
            throw bug;
        });
        CompletableFuture<Role> queuedBehind = node1.call(neighbourOf(1), RaftNode::role);

        assertSame(bug, assertThrows(AssertionError.class, node1::doWork), "a stepped driver rethrows it");
        assertSame(bug, failureOf(bad), "the caller learns what its action threw");
        Throwable refused = failureOf(queuedBehind);
        assertInstanceOf(IllegalStateException.class, refused, "a queued command fails instead of hanging");
        assertSame(bug, refused.getCause());
        assertTrue(node1.call(2, RaftNode::role).isCompletedExceptionally(), "a later command is refused at once");
        for (long g = 1; g <= groups; g++) {
            assertSame(bug, c.stopped(1, g), "group " + g + "'s applier was told");
        }

        c.sent.clear();
        int ticks = c.tickUntil(() -> LongStream.of(ledByNode1).allMatch(g -> c.leaderOf(g, 2, 3) != -1),
                10 * ELECTION_TICKS);
        assertTrue(c.sent.stream().noneMatch(s -> s.from() == 1), "node 1 fell silent: no pings, no heartbeats");
        assertTrue(ticks <= 3 * ELECTION_TICKS, "node 1's groups have new leaders after " + ticks + " ticks");
    }

    @Test
    void anErrorOnALoopThreadFailsTheDriverInsteadOfHangingItsCommands() throws Exception {
        LocalNetwork network = new LocalNetwork();
        RaftDriver driver = new RaftDriver(member(1), TWO_LOOPS, network.endpoint(1), System::nanoTime);
        network.attach(driver);
        long onTheOtherLoop = LongStream.iterate(2, g -> g + 1)
                .filter(g -> Hashing.loopOf(g, TWO_LOOPS.loops()) != Hashing.loopOf(1, TWO_LOOPS.loops()))
                .findFirst().orElseThrow();
        CountDownLatch bothStopped = new CountDownLatch(2);
        driver.start();
        try {
            for (long g : new long[] {1, onTheOtherLoop}) {
                MemoryStorage storage = new MemoryStorage(Membership.ofVoters(member(1)));
                driver.addGroup(g, storage, new MemoryPersistence(storage), new Applier() {
                    @Override
                    public void apply(List<Entry> committed) {
                    }

                    @Override
                    public void stopped(Throwable cause) {
                        bothStopped.countDown();
                    }
                }).get(10, TimeUnit.SECONDS);
            }
            AssertionError bug = new AssertionError("a bug in the caller's action");
            CompletableFuture<Object> bad = driver.call(1, node -> {
                throw bug;
            });
            CompletableFuture<Role> sameLoop = driver.call(1, RaftNode::role);
            assertSame(bug, assertThrows(ExecutionException.class, () -> bad.get(10, TimeUnit.SECONDS)).getCause());
            assertInstanceOf(IllegalStateException.class,
                    assertThrows(ExecutionException.class, () -> sameLoop.get(10, TimeUnit.SECONDS)).getCause(),
                    "the command behind it fails instead of waiting for a dead loop");
            assertTrue(bothStopped.await(10, TimeUnit.SECONDS), "every group of the driver was stopped");
            CompletableFuture<Role> otherLoop = driver.call(onTheOtherLoop, RaftNode::role);
            assertTrue(otherLoop.isCompletedExceptionally(), "the whole driver refuses commands");
            assertSame(bug, failureOf(otherLoop).getCause());
        } finally {
            driver.close();
        }
    }

    @Test
    void whenALoopOfTheLeadersNodeIsStuckItsNodeStopsPingingAndItsQuietGroupsFailOver() {
        int groups = 40;
        SteppedCluster c = settled(groups);
        long[] stuck = LongStream.rangeClosed(1, groups)
                .filter(g -> Hashing.loopOf(g, TWO_LOOPS.loops()) == 1 && c.leaderOf(g) == 1).toArray();
        assertTrue(stuck.length > 0);
        c.stall(1, 1); // node 1's loop 0 and the other nodes go on as usual

        c.tick(ELECTION_TICKS + 1);
        c.sent.clear();
        c.tick(ELECTION_TICKS);
        assertTrue(c.sent.stream().noneMatch(s -> s.from() == 1 && s.messages().isEmpty()),
                "node 1 does not vouch for groups it cannot serve");
        int ticks = 2 * ELECTION_TICKS + 1
                + c.tickUntil(() -> LongStream.of(stuck).allMatch(g -> c.leaderOf(g, 2, 3) != -1), 10 * ELECTION_TICKS);
        // An election timeout to give up on the stuck loop, one for the peers to notice the
        // silence, and at most one to elect.
        assertTrue(ticks <= 4 * ELECTION_TICKS, "the stuck loop's groups have new leaders after " + ticks + " ticks");

        c.unstall(1);
        c.sent.clear();
        c.tick(ELECTION_TICKS + 1);
        assertTrue(c.sent.stream().anyMatch(s -> s.from() == 1 && s.to() == 2 && s.messages().isEmpty()),
                "node 1 pings again once every loop turns");
    }

    /** A stuck loop cannot say so itself: the loop watching it reports it (and logs its thread's stack) until it turns again. */
    @Test
    void aLoopInOneTurnForFiveSecondsIsReportedStuckUntilItTurnsAgain() {
        SteppedCluster c = settled(10);
        long fiveSeconds = 5_000_000_000L / SteppedCluster.TICK;
        c.stall(1, 1);
        c.tick((int) fiveSeconds - 2);
        assertEquals(0, c.drivers.get(1).stats().stuckLoops(), "not yet five seconds in one turn");
        c.tick(3);
        assertEquals(1, c.drivers.get(1).stats().stuckLoops());
        assertEquals(0, c.drivers.get(2).stats().stuckLoops(), "another node's loops turn");

        c.unstall(1);
        c.tick(2); // loop 0 turns before loop 1 in a step: it sees loop 1's turn at its next tick
        assertEquals(0, c.drivers.get(1).stats().stuckLoops());
    }

    /**
     * A leader frees one in-flight append per heartbeat interval to a follower that answers
     * nothing, and sends the next while writes go on: to a node whose loop stands still, an
     * append of 8 KiB per tick here (up to 1 MiB per group per 50 ms with the defaults), for as
     * long as it stands still. Its inbound queue, bounded only by count, would hold all of it.
     */
    @Test
    void aStalledLoopQueuesAtMostItsInboundBytesWhileTheLeaderKeepsSendingAndCatchesUpAfterwards() {
        long bound = 64 << 10;
        DriverConfig config = new DriverConfig(1, SteppedCluster.TICK,
                DriverConfig.DEFAULTS.raft().withFlowControl(4, 32 << 10, 8 << 10), true, 4096, bound, 0);
        SteppedCluster c = SteppedCluster.settled(config, 1);
        long group = 1;
        int leader = c.leaderOf(group);
        int stalled = leader == 3 ? 2 : 3;
        c.stall(stalled, 0);
        byte[] value = new byte[8 << 10];
        List<CompletableFuture<Entry>> proposed = new ArrayList<>();
        long most = 0;
        for (int tick = 0; tick < 200; tick++) { // a steady stream of writes, 16 KiB per tick
            for (int i = 0; i < 2; i++) {
                proposed.add(c.drivers.get(leader).call(group, n -> n.propose(ByteBuffer.wrap(value), 1)));
            }
            c.tick(1);
            most = Math.max(most, c.drivers.get(stalled).stats().inboundBytes());
        }
        proposed.forEach(CompletableFuture::join); // the other follower made the majority
        assertTrue(most <= bound, "the stalled node queued " + most + " bytes, over its bound of " + bound);
        assertTrue(most > bound / 2, "the leader kept sending to the stalled node: " + most + " bytes queued");

        c.unstall(stalled);
        long end = c.query(leader, group, RaftNode::commitEnd);
        int ticks = c.tickUntil(() -> c.query(stalled, group, RaftNode::commitEnd) == end, 50 * ELECTION_TICKS);
        assertEquals(end, c.query(stalled, group, RaftNode::commitEnd),
                "the refused appends were sent again: caught up after " + ticks + " ticks");
    }

    /** A group whose write never lands stands still, acknowledging nothing: the driver says so, and again once it lands. */
    @Test
    void aWriteInFlightForFiveSecondsIsReportedStuckUntilItLands() {
        SteppedCluster c = new SteppedCluster(3, TWO_LOOPS);
        long group = 1;
        HeldWrites[] writes = c.settledGroupHoldingWrites(group);
        int leader = c.leaderOf(group);
        int follower = leader == 3 ? 2 : 3;
        writes[follower].hold = true;
        c.propose(leader, group, "a");
        c.runUntilIdle();
        assertEquals(1, writes[follower].heldCount());

        long fiveSeconds = 5_000_000_000L / SteppedCluster.TICK;
        c.tick((int) fiveSeconds - 2);
        assertEquals(0, c.drivers.get(follower).stats().stuckWrites(), "not yet five seconds in flight");
        c.tick(3);
        assertEquals(1, c.drivers.get(follower).stats().stuckWrites());
        assertEquals(0, c.drivers.get(leader).stats().stuckWrites());

        writes[follower].land(0);
        c.runUntilIdle();
        assertEquals(0, c.drivers.get(follower).stats().stuckWrites());
    }

    @Test
    void aRepeatedReportThatAnEarlierWriteLandedDoesNotCompleteTheWriteInFlight() {
        SteppedCluster c = new SteppedCluster(3, TWO_LOOPS);
        long group = 1;
        HeldWrites[] writes = c.settledGroupHoldingWrites(group);
        int leader = c.leaderOf(group);
        int follower = leader == 3 ? 2 : 3;
        writes[follower].hold = true;
        c.propose(leader, group, "a");
        c.runUntilIdle();
        writes[follower].land(0);
        c.runUntilIdle();
        c.propose(leader, group, "b");
        c.runUntilIdle();
        assertEquals(2, writes[follower].heldCount());
        assertFalse(writes[follower].held(1).entries().isEmpty(), "b's append is in flight");
        long durableEnd = c.storage(follower, group).endOffset();

        c.sent.clear();
        writes[follower].sayLanded(0); // again
        c.runUntilIdle();
        assertTrue(c.sent.stream().filter(s -> s.from() == follower).flatMap(s -> s.messages().stream())
                .noneMatch(m -> m instanceof RaftMessage.AppendResponse r && r.success() && r.matchEnd() > durableEnd),
                "the follower acknowledges nothing its storage does not hold");
        assertNull(c.stopped(follower, group));

        writes[follower].land(1);
        c.runUntilIdle();
        assertEquals(List.of("a", "b"), c.appliedValues(follower, group), "b lands and applies once durable");
    }

    @Test
    void aPauseOfThisNodeLongerThanAnElectionTimeoutIsNotTakenForItsPeersSilence() {
        int groups = 40;
        SteppedCluster c = settled(groups);
        long ticks = c.totalTicks();
        for (int i = 0; i < 2 * ELECTION_TICKS; i++) {
            c.advanceClock(); // every node, and its transport, stood still (a suspended VM)
        }
        c.drivers.get(2).doWork(); // node 2 resumes first: nobody was heard for two election timeouts
        assertEquals(0, c.awakeGroups(2), "no group on node 2 was woken");
        c.tick(2 * ELECTION_TICKS);
        assertEquals(0, c.awakeGroups(), "nor on any node, later");
        assertEquals(ticks, c.totalTicks(), "no group was ticked: no election, no catching up");

        // A real silence after the pause is still noticed.
        long[] ledByNode1 = LongStream.rangeClosed(1, groups).filter(g -> c.leaderOf(g) == 1).toArray();
        c.network.isolate(1);
        int failover = c.tickUntil(() -> LongStream.of(ledByNode1).allMatch(g -> c.leaderOf(g, 2, 3) != -1),
                10 * ELECTION_TICKS);
        assertTrue(failover <= 2 * ELECTION_TICKS, "node 1's groups have new leaders after " + failover + " ticks");
    }

    @Test
    void aPeerSilentBeforeAPauseOfThisNodeIsStillSilentAfterIt() {
        SteppedCluster c = settled(40);
        c.network.isolate(1);
        c.tick(4 * ELECTION_TICKS);
        assertEquals(0, c.awakeGroups(2) + c.awakeGroups(3), "settled without node 1");
        for (int i = 0; i < 2 * ELECTION_TICKS; i++) {
            c.advanceClock();
        }
        c.drivers.get(2).doWork();
        assertEquals(0, c.awakeGroups(2), "the pause brought no news of node 1: no leader woke to catch it up");
    }
}
