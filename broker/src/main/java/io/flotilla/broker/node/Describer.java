package io.flotilla.broker.node;

import io.flotilla.api.internal.v1.MemberProgress;
import io.flotilla.api.internal.v1.ReplicaReport;
import io.flotilla.api.v1.PartitionStatus;
import io.flotilla.api.v1.ReplicaRole;
import io.flotilla.api.v1.ReplicaStatus;
import io.flotilla.api.v1.TopicDescription;
import io.flotilla.broker.metadata.MetadataCodec;
import io.flotilla.broker.metadata.Partition;
import io.flotilla.broker.metadata.Topic;
import io.flotilla.broker.metadata.TopicConfigKey;
import io.flotilla.broker.metadata.TopicConfigOverrides;
import io.flotilla.broker.partition.PartitionReplica;
import io.flotilla.raft.MemberId;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * Topic and partition descriptions: placement from this node's metadata; leaders, offsets and
 * replica states from the partitions' leaders as they last reported to the controller
 * ({@link ReplicaReports}, so complete on the controller's leader, which answers the describe
 * calls). A partition whose leader has not reported shows no leader and unknown offsets.
 */
final class Describer {
    private final LongFunction<PartitionReplica> replicas;
    private final ReplicaReports reports;

    Describer(LongFunction<PartitionReplica> replicas, ReplicaReports reports) {
        this.replicas = replicas;
        this.reports = reports;
    }

    /** The reports as of now, to describe many partitions from one reading. */
    ReplicaReports.View view() {
        return reports.view();
    }

    TopicDescription describe(Topic topic) {
        return describe(topic, reports.view());
    }

    TopicDescription describe(Topic topic, ReplicaReports.View view) {
        TopicDescription.Builder out = TopicDescription.newBuilder().setName(topic.name()).setInternal(topic.internal())
                .setPartitionCount(topic.partitionCount()).setReplicationFactor(topic.replicationFactor())
                .setConfig(effective(topic.config())).setOverrides(MetadataCodec.toProto(topic.config()));
        for (int p = 0; p < topic.partitionCount(); p++) {
            out.addPartitions(partition(topic, p, view));
        }
        return out.build();
    }

    PartitionStatus partition(Topic topic, int index, ReplicaReports.View view) {
        Partition partition = topic.partitions().get(index);
        PartitionStatus.Builder out = PartitionStatus.newBuilder().setTopic(topic.name()).setPartition(index)
                .setPreferredLeaderNodeId(partition.preferredLeader().nodeId()).setHighWatermark(-1)
                .setLogStartOffset(-1);
        ReplicaReport leader = view.leader(partition.groupId());
        if (leader != null) {
            out.setLeaderNodeId(leader.getLeaderNodeId()).setLeaderTerm(leader.getLeaderTerm())
                    .setHighWatermark(leader.getHighWatermark()).setLogStartOffset(leader.getLogStartOffset());
        }
        int caughtUpVoters = 0;
        for (MemberId m : partition.replicas()) {
            MemberProgress progress = leader == null ? null : ReplicaReports.member(leader, m);
            // Without the leader's word, a wanted replica is taken for a voter; with it, one not in
            // the group yet is a learner about to be added.
            ReplicaRole role = progress != null ? progress.getRole()
                    : leader == null ? ReplicaRole.REPLICA_ROLE_VOTER : ReplicaRole.REPLICA_ROLE_LEARNER;
            ReplicaStatus.Builder replica = ReplicaStatus.newBuilder().setNodeId(m.nodeId()).setRole(role)
                    .setCaughtUp(progress != null && progress.getCaughtUp());
            if (replica.getCaughtUp() && role == ReplicaRole.REPLICA_ROLE_VOTER) {
                caughtUpVoters++;
            }
            out.addReplicas(replica);
        }
        for (MemberId m : partition.leaving()) {
            MemberProgress progress = leader == null ? null : ReplicaReports.member(leader, m);
            out.addReplicas(ReplicaStatus.newBuilder().setNodeId(m.nodeId()).setRole(ReplicaRole.REPLICA_ROLE_LEAVING)
                    .setCaughtUp(progress != null && progress.getCaughtUp()));
        }
        return out.setUnderReplicated(caughtUpVoters < topic.replicationFactor()).build();
    }

    /** The leader this node knows for a partition: its replica's view, else the preferred leader. */
    int leaderOf(Partition partition) {
        PartitionReplica replica = replicas.apply(partition.groupId());
        return replica != null ? replica.leadershipView().leaderNode() : partition.preferredLeader().nodeId();
    }

    static io.flotilla.api.v1.TopicConfig effective(TopicConfigOverrides overrides) {
        Map<TopicConfigKey, Long> all = new EnumMap<>(TopicConfigKey.class);
        for (TopicConfigKey key : TopicConfigKey.values()) {
            all.put(key, overrides.get(key).orElse(key.defaultValue()));
        }
        return MetadataCodec.toProto(TopicConfigOverrides.of(all));
    }
}
