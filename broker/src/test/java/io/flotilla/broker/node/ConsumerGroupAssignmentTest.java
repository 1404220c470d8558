package io.flotilla.broker.node;

import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.HeartbeatRequest;
import io.flotilla.broker.coordinator.CoordinatorConfig;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Server-side assignment on a real 3-node cluster (issue 5, Done 1): three members share a
 * 6-partition topic, a clean leave and a silent member both lead to reassignment, and the
 * recorded answers never give one partition to two members in one epoch.
 */
class ConsumerGroupAssignmentTest {
    private static final String TOPIC = "events";
    private static final String GROUP = "readers";
    private static final int SESSION_MS = 1_000;
    private static final int COORDINATOR_PARTITIONS = CoordinatorConfig.DEFAULTS.partitions();

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void threeMembersGetTwoPartitionsEachAndALeaverAndASilentMemberAreReassignedWithoutTwoOwnersInAnEpoch()
            throws Exception {
        try (TestCluster cluster = new TestCluster(TestCluster.tempRoot(), 3).startAll()) {
            cluster.createTopic(TOPIC, 6, 3);
            GroupClient client = new GroupClient(cluster);
            List<TestMember.Observation> history = new ArrayList<>();
            TestMember a = member("a", client, history);
            TestMember b = member("b", client, history);
            TestMember c = member("c", client, history);

            heartbeatUntil(List.of(a, b, c), () -> a.owned.size() == 2 && b.owned.size() == 2 && c.owned.size() == 2);
            Set<String> all = new TreeSet<>();
            List.of(a, b, c).forEach(m -> all.addAll(m.owned));
            assertEquals(6, all.size(), "the three members own the six partitions between them: " + all);

            // Heartbeats that change nothing are answered without writing to the coordinator's log.
            long logEnd = client.coordinatorLogEnd(GROUP, COORDINATOR_PARTITIONS);
            for (int round = 0; round < 5; round++) {
                for (TestMember m : List.of(a, b, c)) {
                    SortedSet<String> before = m.owned;
                    m.heartbeat();
                    assertEquals(before, m.owned, "a stable member keeps its partitions");
                }
            }
            assertEquals(logEnd, client.coordinatorLogEnd(GROUP, COORDINATOR_PARTITIONS),
                    "unchanged heartbeats added nothing to the coordinator partition's log");

            a.leave();
            heartbeatUntil(List.of(b, c), () -> b.owned.size() == 3 && c.owned.size() == 3);

            // c falls silent; b heartbeats on, as often as its answers ask, until it has everything.
            int intervalMs = b.heartbeat().getHeartbeatIntervalMs();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (b.owned.size() < 6) {
                assertTrue(System.nanoTime() < until, "b did not get c's partitions within 20 s: " + b.owned);
                Thread.sleep(intervalMs); // a member's heartbeat interval, not a wait for the cluster
                b.heartbeat();
            }
            long silentMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - c.lastSentNanos);
            assertTrue(silentMs >= SESSION_MS, "c was evicted only after its session timeout: its partitions moved "
                    + silentMs + " ms after its last heartbeat was sent");
            StatusRuntimeException evicted = assertThrows(StatusRuntimeException.class, c::heartbeat);
            assertEquals(ErrorReason.ERROR_REASON_UNKNOWN_MEMBER, LeaderRouter.detailOf(evicted).getReason(),
                    evicted.getStatus().toString());

            assertNoPartitionHasTwoOwnersInOneEpoch(history);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aSubscriptionToATopicCreatedLaterIsAssignedOnceTheTopicExists() throws Exception {
        try (TestCluster cluster = new TestCluster(TestCluster.tempRoot(), 3).startAll()) {
            GroupClient client = new GroupClient(cluster);
            TestMember early = new TestMember("early", "waiting", List.of("later"), SESSION_MS * 10, client,
                    new ArrayList<>());
            early.heartbeat();
            assertTrue(early.owned.isEmpty(), "nothing to assign before the topic exists: " + early.owned);

            cluster.createTopic("later", 2, 3);
            heartbeatUntil(List.of(early), () -> early.owned.equals(new TreeSet<>(Set.of("later/0", "later/1"))));
        }
    }

    private static TestMember member(String id, GroupClient client, List<TestMember.Observation> history) {
        return new TestMember(id, GROUP, List.of(TOPIC), SESSION_MS, client, history);
    }

    /**
     * Heartbeats each member in turn until {@code done}; after every answer, the live members'
     * latest answers never share a partition.
     */
    private static void heartbeatUntil(List<TestMember> members, BooleanSupplier done) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < until, "the members did not reach the expected assignment within 20 s");
            for (TestMember m : members) {
                m.heartbeat();
                Map<String, String> owners = new HashMap<>();
                for (TestMember other : members) {
                    for (String p : other.owned) {
                        String before = owners.put(p, other.id);
                        assertNull(before, p + " is owned by both " + before + " and " + other.id);
                    }
                }
            }
        }
    }

    /** From the answers alone: in any one epoch, each partition was given to at most one member. */
    private static void assertNoPartitionHasTwoOwnersInOneEpoch(List<TestMember.Observation> history) {
        Map<Integer, Map<String, String>> ownerByEpoch = new HashMap<>();
        Set<Integer> epochs = new HashSet<>();
        for (TestMember.Observation o : history) {
            epochs.add(o.epoch());
            Map<String, String> owners = ownerByEpoch.computeIfAbsent(o.epoch(), e -> new HashMap<>());
            for (String p : o.owned()) {
                String other = owners.putIfAbsent(p, o.member());
                assertTrue(other == null || other.equals(o.member()), p + " was given to both " + other + " and "
                        + o.member() + " in epoch " + o.epoch());
            }
        }
        assertTrue(epochs.size() >= 4, "the history spans the rebalances it should: epochs " + epochs);
    }
}
