package io.flotilla.raft.driver;

import io.flotilla.raft.Entry;
import io.flotilla.raft.Membership;
import io.flotilla.raft.MemoryStorage;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.RaftMessage;
import io.flotilla.raft.RaftNode;
import io.flotilla.raft.ReadState;
import io.flotilla.raft.Role;
import io.flotilla.raft.Snapshot;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.flotilla.raft.driver.SteppedCluster.ELECTION_TICKS;
import static io.flotilla.raft.driver.SteppedCluster.member;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The driver stepped on the test thread: three nodes, many groups, a manual clock. */
class RaftDriverTest {
    private static final DriverConfig TWO_LOOPS = DriverConfig.DEFAULTS.withLoops(2);
    private static final int GROUPS = 60;

    private static SteppedCluster settled(int groups) {
        return SteppedCluster.settled(TWO_LOOPS, groups);
    }

    @Test
    void everyGroupElectsOneLeaderCommitsItsNoopEverywhereAndGoesQuiet() {
        SteppedCluster c = settled(GROUPS);
        int[] leaders = new int[4];
        for (long g = 1; g <= GROUPS; g++) {
            int leader = c.leaderOf(g);
            assertNotEquals(-1, leader, "group " + g + " has a leader");
            leaders[leader]++;
            for (int id = 1; id <= 3; id++) {
                assertEquals(Entry.Type.NOOP, c.applied(id, g).get(0).type(), "node " + id + " group " + g);
            }
        }
        for (int id = 1; id <= 3; id++) {
            assertEquals(0, c.awakeGroups(id));
            assertEquals(GROUPS, c.drivers.get(id).stats().groups());
            assertTrue(leaders[id] > 0, "randomized timeouts spread leadership; node " + id + " leads none");
        }
    }

    @Test
    void proposalsCommitAndApplyInOrderOnEveryReplica() {
        SteppedCluster c = settled(GROUPS);
        List<CompletableFuture<Entry>> proposed = new ArrayList<>();
        for (long g = 1; g <= GROUPS; g++) {
            int leader = c.leaderOf(g);
            for (int i = 0; i < 5; i++) {
                proposed.add(c.propose(leader, g, g + "-" + i));
            }
        }
        c.runUntilIdle();
        proposed.forEach(CompletableFuture::join);
        for (long g = 1; g <= GROUPS; g++) {
            long group = g;
            List<String> expected = IntStream.range(0, 5).mapToObj(i -> group + "-" + i).toList();
            for (int id = 1; id <= 3; id++) {
                assertEquals(expected, c.appliedValues(id, g), "node " + id + " group " + g);
            }
        }
    }

    @Test
    void eachLoopSendsOneBatchPerDestinationPerTurnCarryingEveryGroupsHeartbeat() {
        SteppedCluster c = new SteppedCluster(3, TWO_LOOPS.withQuiescence(false));
        for (long g = 1; g <= GROUPS; g++) {
            c.addGroup(g);
        }
        c.tick(4 * ELECTION_TICKS);
        long ledByNode1 = IntStream.rangeClosed(1, GROUPS).filter(g -> c.leaderOf(g) == 1).count();
        assertTrue(ledByNode1 > 1);

        c.sent.clear();
        c.advanceClock();
        c.drivers.get(1).doWork(); // one turn of each of node 1's loops, with a tick due
        List<SteppedCluster.Sent> toNode2 = c.sent.stream().filter(s -> s.from() == 1 && s.to() == 2).toList();
        List<RaftMessage> heartbeats = toNode2.stream().flatMap(s -> s.messages().stream())
                .filter(m -> m instanceof RaftMessage.AppendRequest a && a.entries().isEmpty()).toList();
        assertEquals(ledByNode1, heartbeats.size(), "one heartbeat per group node 1 leads");
        assertTrue(toNode2.size() <= TWO_LOOPS.loops(), toNode2.size() + " batches in one turn of each loop");
        for (SteppedCluster.Sent batch : toNode2) {
            Map<Integer, Long> byLoop = batch.messages().stream()
                    .collect(Collectors.groupingBy(m -> Hashing.loopOf(m.groupId(), TWO_LOOPS.loops()), Collectors.counting()));
            assertEquals(1, byLoop.size(), "a batch comes from one loop's turn");
        }
    }

    @Test
    void quietGroupsAreNotTickedAndOnlyOneLivenessHeartbeatPerNodePairAndIntervalIsSent() {
        SteppedCluster c = settled(GROUPS);
        long ticks = c.totalTicks();
        c.sent.clear();
        int intervals = 50;
        c.tick(intervals);
        assertEquals(ticks, c.totalTicks(), "no group was ticked");
        assertTrue(c.sent.stream().allMatch(s -> s.messages().isEmpty()), "nothing but liveness heartbeats");
        assertEquals(3 * 2 * intervals, c.sent.size(), "one per ordered node pair per heartbeat interval");
    }

    @Test
    void whenANodeFallsSilentItsGroupsElectNewLeadersAndWhenItReturnsItCatchesUp() {
        SteppedCluster c = settled(GROUPS);
        List<Long> ledByNode1 = groupsLedBy(c, 1);
        assertFalse(ledByNode1.isEmpty());
        c.network.isolate(1);
        int ticks = c.tickUntil(() -> ledByNode1.stream().allMatch(g -> c.leaderOf(g, 2, 3) != -1), 10 * ELECTION_TICKS);
        // Silence is noticed after one election timeout; the woken followers drop their lease
        // on node 1 and campaign within the random part of theirs. (Stepping breaks ties: the
        // first to campaign in a tick gets the other's vote before that one times out.)
        assertTrue(ticks <= 2 * ELECTION_TICKS, "new leaders after " + ticks + " ticks");
        for (long g : ledByNode1) {
            int leader = c.leaderOf(g, 2, 3);
            c.propose(leader, g, "while node 1 was away");
        }
        c.tick(3 * ELECTION_TICKS);
        assertEquals(0, c.awakeGroups(2) + c.awakeGroups(3), "node 1's members do not keep the others awake");
        for (long g = 1; g <= GROUPS; g++) {
            assertNotEquals(Role.LEADER, c.query(1, g, RaftNode::role), "node 1 stepped down in group " + g);
        }

        c.network.heal(1);
        // As soon as node 1 is heard again, the leaders with a member there wake and catch it
        // up, without waiting for its members to time out and pre-vote.
        int rejoin = c.tickUntil(() -> ledByNode1.stream().allMatch(g -> c.appliedValues(1, g).size() == 1),
                10 * ELECTION_TICKS);
        assertTrue(rejoin <= 3, "node 1 caught up after " + rejoin + " ticks");
        for (long g : ledByNode1) {
            assertEquals(List.of("while node 1 was away"), c.appliedValues(1, g), "group " + g);
        }
        c.tickUntilQuiet(10 * ELECTION_TICKS);
        for (long g = 1; g <= GROUPS; g++) {
            assertNotEquals(-1, c.leaderOf(g));
        }
        assertEquals(0, c.awakeGroups());
    }

    @Test
    void appliersAreToldEachChangeOfLeadershipOnceAndEndAgreeingWithTheNodes() {
        SteppedCluster c = settled(GROUPS);
        List<Long> ledByNode1 = groupsLedBy(c, 1);
        c.network.isolate(1);
        c.tickUntil(() -> ledByNode1.stream().allMatch(g -> c.leaderOf(g, 2, 3) != -1), 10 * ELECTION_TICKS);
        for (long g = 1; g <= GROUPS; g++) {
            for (int id = 2; id <= 3; id++) {
                List<SteppedCluster.Leadership> told = c.toldLeadership(id, g);
                for (int i = 1; i < told.size(); i++) {
                    assertNotEquals(told.get(i - 1), told.get(i), "node " + id + " group " + g + " told twice: " + told);
                }
                SteppedCluster.Leadership last = told.get(told.size() - 1);
                long group = g;
                int leader = c.leaderOf(g, 2, 3);
                assertEquals(member(leader), last.leader(), "node " + id + " group " + g);
                assertEquals(c.query(leader, group, RaftNode::term), last.term(), "node " + id + " group " + g);
            }
        }
        for (long g : ledByNode1) {
            List<SteppedCluster.Leadership> told = c.toldLeadership(2, g);
            assertTrue(told.stream().anyMatch(l -> member(1).equals(l.leader())),
                    "group " + g + " was led by node 1 before: " + told);
        }
    }

    private static List<Long> groupsLedBy(SteppedCluster c, int leader) {
        List<Long> led = new ArrayList<>();
        for (long g = 1; g <= GROUPS; g++) {
            if (c.leaderOf(g) == leader) {
                led.add(g);
            }
        }
        return led;
    }

    @Test
    void groupsAreAddedAndRemovedAtRuntime() {
        SteppedCluster c = settled(10);
        long added = 100;
        c.addGroup(added);
        c.tickUntilQuiet(10 * ELECTION_TICKS);
        int leader = c.leaderOf(added);
        c.propose(leader, added, "x");
        c.runUntilIdle();
        assertEquals(List.of("x"), c.appliedValues(3, added));
        CompletableFuture<Void> twice = c.drivers.get(1).addGroup(added, new MemoryStorage(c.membership()),
                (ready, done) -> { }, entries -> { });
        c.runUntilIdle();
        assertInstanceOf(IllegalStateException.class, assertThrows(CompletionException.class, twice::join).getCause());

        // A follower's node drops the group: what the leader sends it from then on is dropped.
        int follower = leader == 3 ? 2 : 3;
        CompletableFuture<Void> removed = c.drivers.get(follower).removeGroup(added);
        c.runUntilIdle();
        removed.join();
        assertEquals(10, c.drivers.get(follower).stats().groups());
        long dropped = c.drivers.get(follower).stats().messagesDropped();
        c.propose(leader, added, "y");
        c.runUntilIdle();
        assertTrue(c.drivers.get(follower).stats().messagesDropped() > dropped);
        assertEquals(List.of("x"), c.appliedValues(follower, added));
        CompletableFuture<Role> gone = c.drivers.get(follower).call(added, RaftNode::role);
        c.runUntilIdle();
        assertInstanceOf(IllegalStateException.class, assertThrows(CompletionException.class, gone::join).getCause());
    }

    @Test
    void removeGroupCompletesOnceTheWriteInFlightLandsAndOnlyThenMayTheGroupBeAddedBackOverItsStorage() {
        SteppedCluster c = new SteppedCluster(3, TWO_LOOPS);
        long group = 1;
        HeldWrites[] writes = c.settledGroupHoldingWrites(group);
        int leader = c.leaderOf(group);
        int follower = leader == 3 ? 2 : 3;
        MemoryStorage storage = c.storage(follower, group);
        writes[follower].hold = true;
        c.propose(leader, group, "x");
        c.runUntilIdle();
        assertEquals(1, writes[follower].heldCount(), "the follower's append is in flight");

        CompletableFuture<Void> removed = c.drivers.get(follower).removeGroup(group);
        c.runUntilIdle();
        assertFalse(removed.isDone(), "the storage is still being written");
        CompletableFuture<Void> tooEarly = c.drivers.get(follower).addGroup(group, storage,
                new MemoryPersistence(storage), c.recorder(follower, group));
        c.runUntilIdle();
        assertTrue(tooEarly.isCompletedExceptionally(), "the group cannot be added back over a storage in use");
        assertInstanceOf(IllegalStateException.class,
                assertThrows(CompletionException.class, tooEarly::join).getCause());

        writes[follower].land(0);
        c.runUntilIdle();
        assertTrue(removed.isDone() && !removed.isCompletedExceptionally(), "removed once the write landed");
        c.addReplica(follower, group, storage, new MemoryPersistence(storage), c.recorder(follower, group));
        c.propose(leader, group, "y");
        c.tick(2);
        assertNull(c.stopped(follower, group), "the member added back found its log as it stays");
        assertEquals(List.of("x", "y"), c.appliedValues(follower, group));
    }

    @Test
    void removeGroupOfAGroupTheDriverStoppedWaitsForItsWriteInFlightSoItsStorageCanBeOpenedAgain() {
        SteppedCluster c = new SteppedCluster(3, TWO_LOOPS);
        long group = 1;
        HeldWrites[] writes = c.settledGroupHoldingWrites(group);
        int leader = c.leaderOf(group);
        int other = leader == 1 ? 2 : 1;
        writes[leader].hold = true;
        c.propose(leader, group, "x");
        c.runUntilIdle();
        assertEquals(1, writes[leader].heldCount(), "the leader's append is in flight");
        long term = c.storage(leader, group).hardState().term();
        // A second leader in the same term: a broken invariant, and the driver stops the group.
        c.drivers.get(leader).receive(other, List.of(new RaftMessage.AppendRequest(group, member(other),
                member(leader), term, 0, 0, List.of(), 0, 0)));
        c.runUntilIdle();
        assertInstanceOf(IllegalStateException.class, c.stopped(leader, group));

        CompletableFuture<Void> removed = c.drivers.get(leader).removeGroup(group);
        c.runUntilIdle();
        assertFalse(removed.isDone(), "the storage is still being written");
        writes[leader].land(0);
        c.runUntilIdle();
        assertTrue(removed.isDone() && !removed.isCompletedExceptionally(), "removed once the write landed");
        CompletableFuture<Void> again = c.drivers.get(leader).removeGroup(group);
        c.runUntilIdle();
        assertInstanceOf(IllegalStateException.class, assertThrows(CompletionException.class, again::join).getCause(),
                "a group that is gone is not hosted");
    }


    @Test
    void aPersistenceFailureStopsThatReplicaAloneAndTellsItsApplier() {
        SteppedCluster c = new SteppedCluster(3, TWO_LOOPS);
        long group = 7;
        AtomicInteger brokenDisk = new AtomicInteger(); // the node whose writes for the group fail
        for (int id = 1; id <= 3; id++) {
            MemoryStorage storage = new MemoryStorage(c.membership());
            int node = id;
            c.addReplica(id, group, storage, (ready, done) -> {
                if (brokenDisk.get() == node) {
                    done.failed(ready, new IOException("disk full"));
                } else {
                    storage.persist(ready);
                    done.persisted(ready);
                }
            }, c.recorder(id, group));
        }
        c.addGroup(8);
        c.tickUntil(() -> c.leaderOf(group) != -1 && c.leaderOf(8) != -1, 10 * ELECTION_TICKS);
        int leader = c.leaderOf(group);
        int broken = leader == 3 ? 2 : 3;
        brokenDisk.set(broken);
        c.propose(leader, group, "a");
        c.propose(c.leaderOf(8), 8, "b");
        c.tick(2);
        for (int id = 1; id <= 3; id++) {
            if (id == broken) {
                assertEquals("disk full", c.stopped(id, group).getMessage());
            } else {
                assertNull(c.stopped(id, group), "node " + id + "'s replica lives on");
            }
        }
        assertEquals(1, c.drivers.get(broken).stats().groups(), "group 8 lives on");
        assertEquals(List.of("a"), c.appliedValues(leader, group), "a majority still commits");
        assertEquals(List.of("b"), c.appliedValues(broken, 8));
    }

    @Test
    void aReadIndexWakesAQuietLeaderAndItsConfirmationReachesTheApplier() {
        SteppedCluster c = settled(3);
        int leader = c.leaderOf(2);
        long commitEnd = c.query(leader, 2, RaftNode::commitEnd);
        boolean quietAfterRead = c.query(leader, 2, node -> {
            node.readIndex(42);
            return node.quiet();
        });
        assertFalse(quietAfterRead, "the read woke the leader");
        c.tick(1);
        assertEquals(List.of(new ReadState(42, commitEnd)), c.reads(leader, 2));
        c.tickUntilQuiet(10 * ELECTION_TICKS);
        assertEquals(0, c.awakeGroups(leader), "quiet again once the read was answered");
    }

    @Test
    void aFollowerBehindTheLeadersLogStartInstallsASnapshotAndTheApplierRestoresFromIt() {
        SteppedCluster c = settled(1);
        int leader = c.leaderOf(1);
        int lagging = leader == 3 ? 2 : 3;
        c.network.isolate(lagging);
        for (int i = 0; i < 5; i++) {
            c.propose(leader, 1, "v" + i);
        }
        c.runUntilIdle();
        byte[] state = "the state machine as of v4".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long compactedTo = c.query(leader, 1, node -> {
            c.storage(leader, 1).compact(node.commitEnd(), state);
            return node.commitEnd();
        });
        c.network.heal(lagging);
        c.propose(leader, 1, "after");
        c.tickUntil(() -> c.appliedValues(lagging, 1).contains("after"), 10 * ELECTION_TICKS);
        assertEquals(List.of(compactedTo), c.restored(lagging, 1).stream().map(Snapshot::end).toList());
        assertArrayEquals(state, c.query(lagging, 1, node -> c.storage(lagging, 1).snapshot()));
        assertEquals(List.of("after"), c.appliedValues(lagging, 1), "entries below the snapshot are not applied again");
    }

    @Test
    void aMessageForAnEarlierIncarnationOfThisNodeIsDroppedNotStepped() {
        SteppedCluster c = settled(1);
        RaftDriver driver = c.drivers.get(1);
        MemberId wiped = new MemberId(1, 7);
        long term = c.query(1, 1, RaftNode::term);
        driver.receive(2, List.of(new RaftMessage.AppendRequest(1, member(2), wiped, term + 5, 0, 0, List.of(), 0, 0)));
        c.runUntilIdle();
        assertEquals(1, driver.stats().messagesDropped());
        assertEquals(term, c.query(1, 1, RaftNode::term), "the higher term never reached the member");
    }

    @Test
    void fullQueuesPushBackInsteadOfGrowing() {
        DriverConfig tiny = new DriverConfig(1, SteppedCluster.TICK, DriverConfig.DEFAULTS.raft(), true, 2, 32L << 20, 0);
        RaftDriver driver = new RaftDriver(member(1), tiny, (to, batch) -> { }, () -> 0);
        List<RaftMessage> batch = List.of(new RaftMessage.TimeoutNow(1, member(2), member(1), 1));
        assertTrue(driver.receive(2, batch));
        assertTrue(driver.receive(2, batch));
        assertFalse(driver.receive(2, batch), "the third batch does not fit");
        driver.call(1, RaftNode::role);
        driver.call(1, RaftNode::role);
        CompletableFuture<Role> third = driver.call(1, RaftNode::role);
        assertTrue(third.isCompletedExceptionally());
        assertInstanceOf(RejectedExecutionException.class, assertThrows(CompletionException.class, third::join).getCause());
        driver.doWork();
        assertTrue(driver.receive(2, batch), "a turn drained the queue");
    }

    @Test
    void inboundBatchesBeyondTheByteBoundAreRefusedUntilTheLoopSteppedThem() {
        DriverConfig bounded = DriverConfig.DEFAULTS.withLoops(1).withMaxInboundBytes(3_000);
        RaftDriver driver = new RaftDriver(member(1), bounded, (to, batch) -> { }, () -> 0);
        List<RaftMessage> kibibyte = List.of(appendTo(1, 1, 1_000)); // 1,000 bytes of entries, 64 more for the message
        assertTrue(driver.receive(2, kibibyte));
        assertTrue(driver.receive(2, kibibyte));
        assertFalse(driver.receive(2, kibibyte), "a third batch would hold 3,192 bytes, over the 3,000 allowed;"
                + " the count bound alone (4096 batches) would take it");
        assertTrue(driver.receive(2, List.of(new RaftMessage.TimeoutNow(1, member(2), member(1), 1))),
                "the refused batch holds nothing: a small one still fits");
        driver.doWork();
        assertTrue(driver.receive(2, kibibyte), "a turn stepped the queued batches and freed their bytes");
    }

    @Test
    void anEmptyInboundQueueTakesABatchLargerThanTheByteBound() {
        DriverConfig bounded = DriverConfig.DEFAULTS.withLoops(1).withMaxInboundBytes(1_000);
        RaftDriver driver = new RaftDriver(member(1), bounded, (to, batch) -> { }, () -> 0);
        List<RaftMessage> large = List.of(appendTo(1, 1, 5_000));
        assertTrue(driver.receive(2, large), "a message larger than the bound must get through some time");
        assertFalse(driver.receive(2, large), "but only into an empty queue");
        driver.doWork();
        assertTrue(driver.receive(2, large));
    }

    @Test
    void eachLoopCountsOnlyItsOwnShareOfAnInboundBatch() {
        DriverConfig bounded = TWO_LOOPS.withMaxInboundBytes(3_000);
        RaftDriver driver = new RaftDriver(member(1), bounded, (to, batch) -> { }, () -> 0);
        long onLoop0 = groupOnLoop(0, 2);
        long onLoop1 = groupOnLoop(1, 2);
        assertTrue(driver.receive(2, List.of(appendTo(onLoop0, 1, 2_000), appendTo(onLoop1, 1, 100))));
        assertFalse(driver.receive(2, List.of(appendTo(onLoop0, 1, 2_000))), "loop 0 holds 2,064 bytes");
        assertTrue(driver.receive(2, List.of(appendTo(onLoop1, 1, 2_000))),
                "loop 1 holds 164 bytes of the shared batch, not its 2,228");
    }

    /** An append of one data entry of {@code bytes} bytes from node 2 to node 1. */
    private static RaftMessage appendTo(long groupId, long term, int bytes) {
        Entry entry = new Entry(0, 1, term, Entry.Type.DATA, ByteBuffer.allocate(bytes));
        return new RaftMessage.AppendRequest(groupId, member(2), member(1), term, 0, 0, List.of(entry), 0, 0);
    }

    private static long groupOnLoop(int loop, int loops) {
        long g = 1;
        while (Hashing.loopOf(g, loops) != loop) {
            g++;
        }
        return g;
    }

    @Test
    void closingFailsTheCommandsStillQueuedAndRefusesLaterOnes() throws Exception {
        RaftDriver driver = new RaftDriver(member(1), TWO_LOOPS, (to, batch) -> { }, () -> 0);
        CompletableFuture<Role> queued = driver.call(1, RaftNode::role);
        driver.close();
        assertTrue(queued.isCompletedExceptionally(), "a command queued before close fails instead of hanging");
        assertInstanceOf(IllegalStateException.class, assertThrows(CompletionException.class, queued::join).getCause());

        MemoryStorage storage = new MemoryStorage(Membership.ofVoters(member(1)));
        CompletableFuture<Void> added = driver.addGroup(1, storage, new MemoryPersistence(storage), entries -> { });
        assertTrue(added.isCompletedExceptionally(), "a command after close is refused at once");
        assertInstanceOf(IllegalStateException.class, assertThrows(CompletionException.class, added::join).getCause());
        assertFalse(driver.receive(2, List.of()), "nor does it take batches");
        assertEquals(0, driver.doWork());
    }

    @Test
    void consecutiveGroupIdsSpreadEvenlyOverTheLoops() {
        Map<Integer, Integer> perLoop = new HashMap<>();
        for (long g = 0; g < 10_000; g++) {
            perLoop.merge(Hashing.loopOf(g, 4), 1, Integer::sum);
        }
        assertEquals(4, perLoop.size());
        perLoop.values().forEach(n -> assertTrue(n > 2_300 && n < 2_700, "uneven shards: " + perLoop));
    }
}
