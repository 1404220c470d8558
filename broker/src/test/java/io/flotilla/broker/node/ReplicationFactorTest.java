package io.flotilla.broker.node;

import io.flotilla.api.v1.AlterReplicationFactorRequest;
import io.flotilla.api.v1.AlterReplicationFactorResponse;
import io.flotilla.api.v1.DescribeTopicsRequest;
import io.flotilla.api.v1.ErrorDetail;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.PartitionStatus;
import io.flotilla.api.v1.ReplicaRole;
import io.flotilla.api.v1.ReplicaStatus;
import io.flotilla.api.v1.TopicDescription;
import io.flotilla.broker.controller.ControllerReplica;
import io.flotilla.broker.metadata.CommandResult;
import io.flotilla.broker.metadata.MetadataCommand;
import io.flotilla.broker.metadata.TopicConfigOverrides;
import io.grpc.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AlterReplicationFactor on four real nodes: replicas added join as learners and become voters
 * once caught up, replicas removed are deleted from their nodes once their removal committed,
 * placement keeps the nodes evenly loaded, and an idempotent producer writing all along loses
 * and duplicates nothing. Bad requests are refused precisely and change nothing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReplicationFactorTest {
    private static final int NODES = 4;
    private static final int PARTITIONS = 4;
    private static final int RECORDS = 3000;
    private static final int BATCH = 10;

    private static TestCluster cluster;
    private static PartitionCalls calls;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new TestCluster(TestCluster.tempRoot(), NODES).startAll();
        calls = new PartitionCalls(cluster);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static AlterReplicationFactorResponse alter(String topic, int replicationFactor, boolean validateOnly) {
        return calls.admin(2).alterReplicationFactor(AlterReplicationFactorRequest.newBuilder().setName(topic)
                .setReplicationFactor(replicationFactor).setValidateOnly(validateOnly).build());
    }

    private static TopicDescription describe(String topic) {
        return calls.admin(1).describeTopics(DescribeTopicsRequest.newBuilder().addNames(topic).build()).getTopics(0);
    }

    /** Every partition has {@code replicationFactor} replicas, all caught-up voters, and no other. */
    private static boolean settled(TopicDescription topic, int replicationFactor) {
        return topic.getPartitionsList().stream().allMatch(p -> p.getReplicasCount() == replicationFactor
                && p.getReplicasList().stream().allMatch(r -> r.getRole() == ReplicaRole.REPLICA_ROLE_VOTER
                && r.getCaughtUp()));
    }

    private static List<Integer> nodesOf(PartitionStatus p, ReplicaRole role) {
        return p.getReplicasList().stream().filter(r -> r.getRole() == role).map(ReplicaStatus::getNodeId).toList();
    }

    /** Whether node {@code node} holds data of the partition: a replica running, or its directory. */
    private static boolean holds(int node, long groupId) {
        Path dir = cluster.root.resolve("node-" + node).resolve("partitions").resolve("group-" + groupId);
        return cluster.nodes.get(node).context().replica(groupId) != null || Files.exists(dir);
    }

    @Test
    void raisingThenLoweringTheReplicationFactorMovesReplicasWhileAProducerWritesOn() throws Exception {
        cluster.createTopic("moving", PARTITIONS, 3);
        long[] groups = cluster.nodes.get(1).context().topic("moving").groupIds();
        try (LeaderRouter router = new LeaderRouter("moving", PARTITIONS, cluster.addresses);
             IdempotentProducer producer = IdempotentProducer.start(router)) {
            producer.send(RECORDS, BATCH);
            producer.awaitAcknowledged(RECORDS / 4, 30);

            TopicDescription raised = alter("moving", 4, false).getTopic();
            assertEquals(4, raised.getReplicationFactor());
            for (PartitionStatus p : raised.getPartitionsList()) {
                assertEquals(3, nodesOf(p, ReplicaRole.REPLICA_ROLE_VOTER).size(), p.toString());
                assertEquals(1, nodesOf(p, ReplicaRole.REPLICA_ROLE_LEARNER).size(), "the new replica joins as a learner: " + p);
            }
            TestCluster.await(() -> settled(describe("moving"), 4), 30,
                    () -> "every new replica became a caught-up voter: " + describe("moving"));
            for (int node = 1; node <= NODES; node++) {
                for (long g : groups) {
                    assertTrue(holds(node, g), "node " + node + " holds group " + g);
                }
            }
            producer.awaitAcknowledged(RECORDS / 2, 30);

            TopicDescription lowered = alter("moving", 2, false).getTopic();
            Map<Integer, Integer> load = new HashMap<>();
            for (PartitionStatus p : lowered.getPartitionsList()) {
                assertEquals(2, nodesOf(p, ReplicaRole.REPLICA_ROLE_VOTER).size(), p.toString());
                assertEquals(2, nodesOf(p, ReplicaRole.REPLICA_ROLE_LEAVING).size(), "still listed until removed: " + p);
                nodesOf(p, ReplicaRole.REPLICA_ROLE_VOTER).forEach(n -> load.merge(n, 1, Integer::sum));
            }
            assertEquals(Map.of(1, 2, 2, 2, 3, 2, 4, 2), load, "placement keeps the nodes evenly loaded");
            TestCluster.await(() -> settled(describe("moving"), 2), 30,
                    () -> "the removed replicas left their groups: " + describe("moving"));
            TopicDescription now = describe("moving");
            for (int p = 0; p < PARTITIONS; p++) {
                List<Integer> kept = nodesOf(now.getPartitions(p), ReplicaRole.REPLICA_ROLE_VOTER);
                long g = groups[p];
                for (int node = 1; node <= NODES; node++) {
                    int n = node;
                    if (kept.contains(n)) {
                        assertTrue(holds(n, g), "node " + n + " keeps group " + g);
                    } else {
                        TestCluster.await(() -> !holds(n, g), 10, "node " + n + " deleted its replica of group " + g);
                    }
                }
            }

            producer.awaitAcknowledged(RECORDS, 60);
            assertEquals(RECORDS, ExactlyOnceCheck.verify(router, producer, 30), "every record, once, in order");
        }
    }

    @Test
    void badRequestsAreRefusedPreciselyAndChangeNothing() throws Exception {
        TopicDescription before = cluster.createTopic("fixed", 2, 2);

        ErrorDetail zero = PartitionCalls.refusal(Status.Code.INVALID_ARGUMENT, () -> alter("fixed", 0, false));
        assertEquals(ErrorReason.ERROR_REASON_INVALID_REPLICATION_FACTOR, zero.getReason());
        assertTrue(zero.getMessage().contains("1 .. 7, got 0"), zero.getMessage());
        ErrorDetail eight = PartitionCalls.refusal(Status.Code.INVALID_ARGUMENT, () -> alter("fixed", 8, false));
        assertEquals(ErrorReason.ERROR_REASON_INVALID_REPLICATION_FACTOR, eight.getReason());
        ErrorDetail tooMany = PartitionCalls.refusal(Status.Code.FAILED_PRECONDITION, () -> alter("fixed", 5, false));
        assertEquals(ErrorReason.ERROR_REASON_NOT_ENOUGH_NODES, tooMany.getReason());
        assertTrue(tooMany.getMessage().contains("the cluster has 4"), tooMany.getMessage());
        ErrorDetail unknown = PartitionCalls.refusal(Status.Code.NOT_FOUND, () -> alter("nope", 2, false));
        assertEquals(ErrorReason.ERROR_REASON_TOPIC_NOT_FOUND, unknown.getReason());
        ErrorDetail badName = PartitionCalls.refusal(Status.Code.INVALID_ARGUMENT, () -> alter("a b", 2, false));
        assertEquals(ErrorReason.ERROR_REASON_INVALID_TOPIC_NAME, badName.getReason());

        createInternalTopic("__cluster-own");
        ErrorDetail internal = PartitionCalls.refusal(Status.Code.FAILED_PRECONDITION,
                () -> alter("__cluster-own", 2, false));
        assertEquals(ErrorReason.ERROR_REASON_INTERNAL_TOPIC, internal.getReason());
        assertTrue(internal.getMessage().contains("'__cluster-own' is internal"), internal.getMessage());

        TopicDescription planned = alter("fixed", 3, true).getTopic();
        assertEquals(3, planned.getReplicationFactor());
        planned.getPartitionsList().forEach(p -> assertEquals(1, nodesOf(p, ReplicaRole.REPLICA_ROLE_LEARNER).size(),
                "validate_only shows the replicas it would add: " + p));

        TopicDescription after = describe("fixed");
        assertEquals(2, after.getReplicationFactor());
        assertEquals(before.getPartitionsList().stream().map(p -> nodesOf(p, ReplicaRole.REPLICA_ROLE_VOTER)).toList(),
                after.getPartitionsList().stream().map(p -> nodesOf(p, ReplicaRole.REPLICA_ROLE_VOTER)).toList());
        assertFalse(after.getPartitionsList().stream().anyMatch(p -> p.getReplicasCount() != 2), after.toString());
    }

    /** Internal topics are the cluster's own: no client call creates one, so the test proposes it at the controller. */
    private static void createInternalTopic(String name) throws Exception {
        BrokerNode leader = cluster.nodes.values().stream().filter(n -> n.context().controller().leadsAndReady())
                .findFirst().orElseThrow();
        MetadataCommand create = new MetadataCommand.CreateTopic(name, true, TopicConfigOverrides.EMPTY,
                List.of(List.of(1, 2)));
        CommandResult result = leader.driver().call(ControllerReplica.GROUP_ID,
                node -> leader.context().controller().propose(node, create)).thenCompose(f -> f).get(10, TimeUnit.SECONDS);
        assertInstanceOf(CommandResult.TopicCreated.class, result);
    }
}
