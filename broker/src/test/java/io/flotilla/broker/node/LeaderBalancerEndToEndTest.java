package io.flotilla.broker.node;

import io.flotilla.api.v1.DescribeClusterRequest;
import io.flotilla.api.v1.DescribeClusterResponse;
import io.flotilla.api.v1.NodeState;
import io.flotilla.api.v1.NodeStatus;
import io.flotilla.api.v1.PartitionStatus;
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
                DescribeClusterResponse d = describe(cluster, observer);
                return nodeState(d, victim) == NodeState.NODE_STATE_UNREACHABLE
                        && d.getPartitions(0).getLeaderNodeId() != 0 && d.getPartitions(0).getLeaderNodeId() != victim;
            }, 20, () -> "node " + victim + " unreachable and partition 0 led elsewhere: " + describe(cluster, observer));
            assertEquals(1, describe(cluster, observer).getSummary().getNotPreferredLeaderCount(),
                    "partition 0 is led by another than its preferred leader");

            cluster.start(victim);
            cluster.awaitReady();

            TestCluster.await(() -> allLedByPreferred(cluster, observer), 30,
                    () -> "leadership back with the preferred leaders: " + partitions(cluster, observer));
            DescribeClusterResponse after = describe(cluster, victim);
            assertEquals(0, after.getSummary().getNotPreferredLeaderCount());
            assertEquals(NodeState.NODE_STATE_ALIVE, nodeState(after, victim));
        }
    }

    private static boolean allLedByPreferred(TestCluster cluster, int via) {
        return partitions(cluster, via).stream().allMatch(p -> p.getLeaderNodeId() == p.getPreferredLeaderNodeId());
    }

    private static List<PartitionStatus> partitions(TestCluster cluster, int via) {
        return describe(cluster, via).getPartitionsList();
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
