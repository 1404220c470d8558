package io.flotilla.broker.node;

import io.flotilla.api.v1.DescribeClusterRequest;
import io.flotilla.api.v1.DescribeClusterResponse;
import io.flotilla.api.v1.DescribeTopicsRequest;
import io.flotilla.api.v1.DescribeTopicsResponse;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.LeaderMove;
import io.flotilla.api.v1.NodeState;
import io.flotilla.api.v1.PartitionStatus;
import io.flotilla.api.v1.ProducePartition;
import io.flotilla.api.v1.ProduceRequest;
import io.flotilla.api.v1.ProduceResponse;
import io.flotilla.api.v1.RebalanceLeadersRequest;
import io.flotilla.api.v1.RebalanceLeadersResponse;
import io.flotilla.api.v1.RecordList;
import io.flotilla.api.v1.ReplicaStatus;
import io.flotilla.api.v1.TransferLeadershipRequest;
import io.flotilla.api.v1.TransferLeadershipResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TransferLeadership, RebalanceLeaders and the status reports behind the describe calls, on
 * one 3-node cluster; each test has topics of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LeadershipTest {
    private TestCluster cluster;

    @BeforeAll
    void start() throws Exception {
        cluster = new TestCluster(TestCluster.tempRoot(), 3).startAll();
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    @Test
    void aTransferToAFollowerIsDoneAndTheFollowerLeadsAndTakesProduce() {
        cluster.createTopic("moving", 1, 3);
        PartitionStatus before = awaitLed("moving", 0);
        int target = before.getReplicasList().stream().mapToInt(ReplicaStatus::getNodeId)
                .filter(n -> n != before.getLeaderNodeId()).findFirst().orElseThrow();

        TransferLeadershipResponse answer = cluster.admin(2).transferLeadership(TransferLeadershipRequest.newBuilder()
                .setTopic("moving").setPartition(0).setTargetNodeId(target).build());

        assertTrue(answer.getDone(), answer.toString());
        assertEquals(target, answer.getLeaderNodeId());
        assertTrue(answer.getLeaderTerm() > before.getLeaderTerm(), "a new term: " + answer);
        ProduceResponse produced = cluster.broker(target).produce(ProduceRequest.newBuilder().setNonIdempotent(true)
                .addPartitions(ProducePartition.newBuilder().setTopic("moving").setPartition(0)
                        .setRecords(RecordList.newBuilder().addRecords(ClusterSmokeTest.record("after")))).build());
        assertFalse(produced.getResults(0).hasError(), produced.toString());
        assertEquals(target, describe("moving").getPartitions(0).getPreferredLeaderNodeId(),
                "the target is the preferred leader now, so the balancer keeps leadership there");
    }

    @Test
    void aTransferToANodeWithoutAReplicaIsRefusedAndChangesNothing() {
        cluster.createTopic("pair", 1, 2);
        PartitionStatus before = awaitLed("pair", 0);
        int outsider = 6 - before.getReplicas(0).getNodeId() - before.getReplicas(1).getNodeId();
        long version = describeResponse("pair").getMetadataVersion();

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> transfer("pair", 0, outsider));

        assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());
        assertEquals(ErrorReason.ERROR_REASON_NOT_A_REPLICA, reason(refused));
        assertTrue(refused.getStatus().getDescription().contains("node " + outsider + " holds no replica"),
                refused.getStatus().getDescription());
        DescribeTopicsResponse after = describeResponse("pair");
        assertEquals(version, after.getMetadataVersion(), "nothing was committed");
        assertEquals(before.getPreferredLeaderNodeId(), after.getTopics(0).getPartitions(0).getPreferredLeaderNodeId());
        assertEquals(before.getLeaderNodeId(), after.getTopics(0).getPartitions(0).getLeaderNodeId());

        assertEquals(ErrorReason.ERROR_REASON_NODE_NOT_FOUND, reason(assertThrows(StatusRuntimeException.class,
                () -> transfer("pair", 0, 9))));
        assertEquals(ErrorReason.ERROR_REASON_PARTITION_NOT_FOUND, reason(assertThrows(StatusRuntimeException.class,
                () -> transfer("pair", 1, before.getReplicas(1).getNodeId()))));
        assertEquals(ErrorReason.ERROR_REASON_TOPIC_NOT_FOUND, reason(assertThrows(StatusRuntimeException.class,
                () -> transfer("nowhere", 0, 1))));
    }

    @Test
    void aDryRunRebalanceListsTheMovesAndChangesNothingAndTheRealOneSpreadsTheLeaders() {
        cluster.createTopic("skewed", 3, 3);
        for (int p = 0; p < 3; p++) {
            awaitLed("skewed", p);
            assertTrue(transfer("skewed", p, 1).getDone(), "partition " + p + " moved to node 1");
        }
        DescribeTopicsResponse skewed = describeResponse("skewed");
        RebalanceLeadersRequest.Builder rebalance = RebalanceLeadersRequest.newBuilder().addTopics("skewed");

        RebalanceLeadersResponse dryRun = cluster.admin(3).rebalanceLeaders(rebalance.setDryRun(true).build());

        assertEquals(2, dryRun.getMovesCount(), "two of three partitions move off node 1: " + dryRun);
        assertTrue(dryRun.getMovesList().stream().allMatch(m -> m.getFromNodeId() == 1 && !m.getDone()), dryRun.toString());
        assertEquals(skewed.getMetadataVersion(), dryRun.getMetadataVersion());
        assertEquals(skewed.getMetadataVersion(), describeResponse("skewed").getMetadataVersion(), "nothing committed");
        assertEquals(List.of(1, 1, 1), preferredLeaders("skewed"), "a dry run changes no preference");

        RebalanceLeadersResponse done = cluster.admin(3).rebalanceLeaders(rebalance.setDryRun(false).setWaitMs(20_000)
                .build());

        assertEquals(dryRun.getMovesList().stream().map(m -> m.toBuilder().setDone(true).build()).toList(),
                done.getMovesList(), "the moves the dry run listed, each done");
        assertTrue(done.getMetadataVersion() > skewed.getMetadataVersion());
        assertEquals(List.of(1, 2, 3), preferredLeaders("skewed").stream().sorted().toList());
        for (LeaderMove m : done.getMovesList()) {
            assertEquals(m.getToNodeId(), describe("skewed").getPartitions(m.getPartition()).getLeaderNodeId());
        }
    }

    @Test
    void describeShowsEveryReplicaCaughtUpOnceProducedRecordsAreReplicated() {
        cluster.createTopic("described", 2, 3);
        for (int p = 0; p < 2; p++) {
            PartitionStatus led = awaitLed("described", p);
            ProduceResponse produced = cluster.broker(led.getLeaderNodeId()).produce(ProduceRequest.newBuilder()
                    .setNonIdempotent(true).addPartitions(ProducePartition.newBuilder().setTopic("described")
                            .setPartition(p).setRecords(RecordList.newBuilder().addRecords(ClusterSmokeTest.record("a"))
                                    .addRecords(ClusterSmokeTest.record("b")))).build());
            assertFalse(produced.getResults(0).hasError(), produced.toString());
        }

        TestCluster.await(() -> describe("described").getPartitionsList().stream().allMatch(p ->
                        p.getHighWatermark() >= 2 && !p.getUnderReplicated()
                                && p.getReplicasList().stream().allMatch(ReplicaStatus::getCaughtUp)), 10,
                () -> "every replica caught up: " + describe("described"));

        DescribeClusterResponse whole = cluster.admin(3).describeCluster(DescribeClusterRequest.newBuilder()
                .setIncludePartitions(true).addTopics("described").build());
        assertEquals(describe("described").getPartitionsList(), whole.getPartitionsList(), "both describe calls agree");
        assertEquals(0, whole.getSummary().getUnderReplicatedCount(), whole.getSummary().toString());
        assertTrue(whole.getNodesList().stream().allMatch(n -> n.getState() == NodeState.NODE_STATE_ALIVE
                && n.getLastHeardMsAgo() >= 0 && n.getLastHeardMsAgo() < 3_000), whole.getNodesList().toString());
        assertEquals(whole.getSummary().getPartitionCount() - whole.getSummary().getLeaderlessCount(),
                whole.getNodesList().stream().mapToInt(n -> n.getLeaderCount()).sum(), "every led partition counted once");
    }

    private TransferLeadershipResponse transfer(String topic, int partition, int target) {
        return cluster.admin(1).transferLeadership(TransferLeadershipRequest.newBuilder().setTopic(topic)
                .setPartition(partition).setTargetNodeId(target).build());
    }

    private PartitionStatus awaitLed(String topic, int partition) {
        return cluster.awaitPreferredLeaders(topic).getPartitions(partition);
    }

    private io.flotilla.api.v1.TopicDescription describe(String topic) {
        return describeResponse(topic).getTopics(0);
    }

    private DescribeTopicsResponse describeResponse(String topic) {
        return cluster.admin(2).describeTopics(DescribeTopicsRequest.newBuilder().addNames(topic).build());
    }

    private List<Integer> preferredLeaders(String topic) {
        return describe(topic).getPartitionsList().stream().map(PartitionStatus::getPreferredLeaderNodeId).toList();
    }

    static ErrorReason reason(StatusRuntimeException e) {
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        try {
            return status.getDetails(0).unpack(io.flotilla.api.v1.ErrorDetail.class).getReason();
        } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
            throw new AssertionError(ex);
        }
    }
}
