package io.flotilla.broker.coordinator;

import io.flotilla.broker.metadata.ClusterMetadata;
import io.flotilla.broker.metadata.MetadataCommand;
import io.flotilla.broker.metadata.Placement;
import io.flotilla.broker.metadata.Topic;
import io.flotilla.broker.metadata.TopicConfigKey;
import io.flotilla.broker.metadata.TopicConfigOverrides;

import java.util.Optional;
import java.util.Set;

/**
 * The internal topic whose partitions coordinate consumer groups: each group belongs to one
 * partition, whose Raft log carries the group's commands and whose leader is its coordinator.
 */
public final class CoordinatorTopic {
    /** As consumer_groups.proto names it. */
    public static final String NAME = "__groups";
    /**
     * Small segments: a coordinator's log before its last snapshot is dropped a segment at a
     * time, so this bounds what a compacted log still keeps on disk.
     */
    static final long SEGMENT_BYTES = 16L << 20;

    private CoordinatorTopic() {
    }

    /**
     * The coordinator partition of {@code groupId}: its String hash, which the Java language
     * specifies, so every node and version agrees, modulo the topic's partition count.
     */
    public static int partitionOf(String groupId, int partitionCount) {
        return Math.floorMod(groupId.hashCode(), partitionCount);
    }

    /**
     * The command creating the topic, once every founding node is registered (so its replicas
     * spread over all of them); empty while it exists or it is too early. The controller's
     * leader proposes it: no client call waits for it, and every later FindCoordinator is
     * answered from the metadata at once.
     */
    public static Optional<MetadataCommand.CreateTopic> creation(ClusterMetadata metadata, Set<Integer> founders,
            CoordinatorConfig config) {
        if (metadata.topic(NAME).isPresent() || !metadata.nodes().keySet().containsAll(founders)) {
            return Optional.empty();
        }
        int replicationFactor = Math.min(config.replicationFactor(), metadata.nodes().size());
        TopicConfigOverrides settings = TopicConfigOverrides.EMPTY.with(TopicConfigKey.SEGMENT_BYTES, SEGMENT_BYTES);
        return Optional.of(new MetadataCommand.CreateTopic(NAME, true, settings,
                Placement.assign(metadata, config.partitions(), replicationFactor)));
    }

    /** The topic, if the metadata has it yet. */
    static Optional<Topic> in(ClusterMetadata metadata) {
        return metadata.topic(NAME);
    }
}
