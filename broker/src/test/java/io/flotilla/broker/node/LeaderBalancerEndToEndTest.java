package io.flotilla.broker.node;

import io.flotilla.api.v1.DescribeClusterRequest;
import io.flotilla.api.v1.DescribeClusterResponse;
import io.flotilla.api.v1.ErrorDetail;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.NodeState;
import io.flotilla.api.v1.NodeStatus;
import io.flotilla.api.v1.PartitionStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The leader balancer: leadership follows the preferred leaders, and returns to a node that comes back. */
class LeaderBalancerEndToEndTest {
    private static final String TOPIC = "homes";

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void leadershipGoesBackToThePreferredLeadersAfterAStoppedNodeIsRestarted() throws Exception {
        try (TestCluster cluster = new TestCluster(TestCluster.tempRoot(), 3).startAll()) {
            cluster.createTopic(TOPIC, 3, 3);
            TestCluster.await(() -> allLedByPreferred(cluster, 1), 20,
                    () -> "every partition led by its preferred leader: " + partitions(cluster, 1));
            List<PartitionStatus> settled = partitions(cluster, 1);
            assertEquals(List.of(1, 2, 3), settled.stream().map(PartitionStatus::getPreferredLeaderNodeId).sorted().toList(),
                    "placement spreads the preferred leaders");

            int victim = settled.get(0).getPreferredLeaderNodeId();
            int observer = victim == 1 ? 2 : 1;
            cluster.stop(victim);
            TestCluster.await(() -> {
                DescribeClusterResponse d = describeOrNull(cluster, observer);
                return d != null && nodeState(d, victim) == NodeState.NODE_STATE_UNREACHABLE
                        && d.getPartitions(0).getLeaderNodeId() != 0 && d.getPartitions(0).getLeaderNodeId() != victim;
            }, 20, () -> "node " + victim + " unreachable and partition 0 led elsewhere: " + describe(cluster, observer));
            assertEquals(1, notPreferred(describe(cluster, observer)),
                    "of the topic's partitions, 0 is led by another than its preferred leader");

            cluster.start(victim);
            cluster.awaitReady();

            TestCluster.await(() -> allLedByPreferred(cluster, observer), 30,
                    () -> "leadership back with the preferred leaders: " + partitions(cluster, observer));
            DescribeClusterResponse after = describe(cluster, victim);
            assertEquals(0, notPreferred(after));
            assertEquals(NodeState.NODE_STATE_ALIVE, nodeState(after, victim));
        }
    }

    /** Partitions of the topic led by another than their preferred leader (the summary counts internal ones too). */
    private static long notPreferred(DescribeClusterResponse d) {
        return d.getPartitionsList().stream().filter(p -> p.getLeaderNodeId() != p.getPreferredLeaderNodeId()).count();
    }

    private static boolean allLedByPreferred(TestCluster cluster, int via) {
        DescribeClusterResponse d = describeOrNull(cluster, via);
        return d != null && d.getPartitionsList().stream()
                .allMatch(p -> p.getLeaderNodeId() == p.getPreferredLeaderNodeId());
    }

    private static List<PartitionStatus> partitions(TestCluster cluster, int via) {
        return describe(cluster, via).getPartitionsList();
    }

    /**
     * The description, or null while the controller has no leader: when the stopped node led the
     * controller, the others answer UNAVAILABLE NO_LEADER until they have elected a new one.
     */
    private static DescribeClusterResponse describeOrNull(TestCluster cluster, int via) {
        try {
            return describe(cluster, via);
        } catch (StatusRuntimeException e) {
            ErrorDetail detail = LeaderRouter.detailOf(e);
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getStatus().toString());
            assertEquals(ErrorReason.ERROR_REASON_NO_LEADER, detail == null ? null : detail.getReason(),
                    e.getStatus().toString());
            return null;
        }
    }

    private static DescribeClusterResponse describe(TestCluster cluster, int via) {
        return cluster.admin(via).describeCluster(DescribeClusterRequest.newBuilder().setIncludePartitions(true)
                .addTopics(TOPIC).build());
    }

    private static NodeState nodeState(DescribeClusterResponse d, int nodeId) {
        return d.getNodesList().stream().filter(n -> n.getIdentity().getNodeId() == nodeId).map(NodeStatus::getState)
                .findFirst().orElseThrow();
    }
}
