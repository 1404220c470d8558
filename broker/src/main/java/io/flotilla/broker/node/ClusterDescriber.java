package io.flotilla.broker.node;

import io.flotilla.api.v1.ControllerStatus;
import io.flotilla.api.v1.DescribeClusterRequest;
import io.flotilla.api.v1.DescribeClusterResponse;
import io.flotilla.api.v1.NodeIdentity;
import io.flotilla.api.v1.NodeState;
import io.flotilla.api.v1.NodeStatus;
import io.flotilla.api.v1.PartitionStatus;
import io.flotilla.api.v1.PartitionSummary;
import io.flotilla.broker.metadata.ClusterMetadata;
import io.flotilla.broker.metadata.NodeRegistration;
import io.flotilla.broker.metadata.Topic;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * DescribeCluster's answer, as the controller's leader sees the cluster: nodes alive when their
 * status reports (or Raft traffic) come in, partition figures from the leaders' reports
 * ({@link Describer}).
 */
final class ClusterDescriber {
    /** One node's counts over the partitions. */
    private static final class Counts {
        int leading;
        int replicas;
        int preferred;
    }

    private ClusterDescriber() {
    }

    static DescribeClusterResponse describe(NodeContext node, DescribeClusterRequest request) {
        ClusterMetadata metadata = node.metadata();
        List<Topic> listed = request.getIncludePartitions()
                ? node.selectTopics(metadata, request.getTopicsList(), request.getIncludeInternal()) : List.of();
        DescribeClusterResponse.Builder response = DescribeClusterResponse.newBuilder()
                .setClusterId(node.clusterId()).setAnsweringNodeId(node.nodeId())
                .setMetadataVersion(metadata.version());
        ControllerStatus.Builder controller = ControllerStatus.newBuilder().setLeaderNodeId(node.controller().leaderNode());
        node.controllerVoters().forEach(controller::addVoterNodeIds);
        response.setController(controller);

        ReplicaReports.View view = node.describer().view();
        Map<Integer, Counts> counts = new HashMap<>();
        int partitions = 0;
        int leaderless = 0;
        int underReplicated = 0;
        int notPreferred = 0;
        for (Topic t : metadata.topics().values()) {
            for (int p = 0; p < t.partitionCount(); p++) {
                PartitionStatus status = node.describer().partition(t, p, view);
                partitions++;
                if (status.getLeaderNodeId() == 0) {
                    leaderless++;
                } else {
                    counts.computeIfAbsent(status.getLeaderNodeId(), id -> new Counts()).leading++;
                    if (status.getLeaderNodeId() != status.getPreferredLeaderNodeId()) {
                        notPreferred++;
                    }
                }
                if (status.getUnderReplicated()) {
                    underReplicated++;
                }
                counts.computeIfAbsent(status.getPreferredLeaderNodeId(), id -> new Counts()).preferred++;
                status.getReplicasList().forEach(r -> counts.computeIfAbsent(r.getNodeId(), id -> new Counts()).replicas++);
            }
        }
        for (NodeRegistration n : metadata.nodes().values()) {
            Counts c = counts.getOrDefault(n.nodeId(), new Counts());
            response.addNodes(NodeStatus.newBuilder()
                    .setIdentity(NodeIdentity.newBuilder().setNodeId(n.nodeId()).setIncarnation(n.incarnation()))
                    .setAddress(n.address())
                    .setState(view.alive(n.nodeId()) ? NodeState.NODE_STATE_ALIVE : NodeState.NODE_STATE_UNREACHABLE)
                    .setLastHeardMsAgo(view.lastHeardMsAgo(n.nodeId()))
                    .setLeaderCount(c.leading).setReplicaCount(c.replicas).setPreferredLeaderCount(c.preferred)
                    .setControllerVoter(node.controllerVoters().contains(n.nodeId())));
        }
        response.setSummary(PartitionSummary.newBuilder().setPartitionCount(partitions).setLeaderlessCount(leaderless)
                .setUnderReplicatedCount(underReplicated).setNotPreferredLeaderCount(notPreferred));
        for (Topic t : listed) {
            for (int p = 0; p < t.partitionCount(); p++) {
                response.addPartitions(node.describer().partition(t, p, view));
            }
        }
        return response.build();
    }
}
