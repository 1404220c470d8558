package io.flotilla.broker.node;

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
 * Topic and partition descriptions as this node sees them: placement from its metadata,
 * leadership and offsets from its own replicas (a partition it holds no replica of shows its
 * preferred leader and unknown offsets).
 */
final class Describer {
    private final LongFunction<PartitionReplica> replicas;

    Describer(LongFunction<PartitionReplica> replicas) {
        this.replicas = replicas;
    }

    TopicDescription describe(Topic topic) {
        TopicDescription.Builder out = TopicDescription.newBuilder().setName(topic.name()).setInternal(topic.internal())
                .setPartitionCount(topic.partitionCount()).setReplicationFactor(topic.replicationFactor())
                .setConfig(effective(topic.config())).setOverrides(MetadataCodec.toProto(topic.config()));
        for (int p = 0; p < topic.partitionCount(); p++) {
            out.addPartitions(partition(topic, p));
        }
        return out.build();
    }

    PartitionStatus partition(Topic topic, int index) {
        Partition partition = topic.partitions().get(index);
        PartitionStatus.Builder out = PartitionStatus.newBuilder().setTopic(topic.name()).setPartition(index)
                .setPreferredLeaderNodeId(partition.preferredLeader().nodeId()).setHighWatermark(-1)
                .setLogStartOffset(-1);
        for (MemberId m : partition.replicas()) {
            out.addReplicas(ReplicaStatus.newBuilder().setNodeId(m.nodeId()).setRole(ReplicaRole.REPLICA_ROLE_VOTER));
        }
        PartitionReplica replica = replicas.apply(partition.groupId());
        if (replica != null) {
            PartitionReplica.Leadership l = replica.leadershipView();
            out.setLeaderNodeId(l.leaderNode()).setLeaderTerm(l.leaderNode() == 0 ? 0 : l.term())
                    .setHighWatermark(replica.highWatermark()).setLogStartOffset(replica.logStartOffset());
        }
        return out.build();
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
