package io.flotilla.broker.node;

import io.flotilla.broker.metadata.ClusterMetadata;
import io.flotilla.broker.metadata.Partition;
import io.flotilla.broker.metadata.Topic;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The partitions of the node's current metadata by Raft group id, built once per metadata
 * version: the once-a-second passes over the groups a node leads look each one up.
 */
final class PartitionIndex {
    private record Built(long version, Map<Long, Partition> byGroup) {
    }

    private final Supplier<ClusterMetadata> metadata;
    private volatile Built built = new Built(-1, Map.of());

    PartitionIndex(Supplier<ClusterMetadata> metadata) {
        this.metadata = metadata;
    }

    /** Group {@code groupId}'s partition as of the current metadata; null if no topic has it. */
    Partition partition(long groupId) {
        ClusterMetadata now = metadata.get();
        Built b = built;
        if (b.version() != now.version()) {
            Map<Long, Partition> byGroup = new HashMap<>();
            for (Topic t : now.topics().values()) {
                t.partitions().forEach(p -> byGroup.put(p.groupId(), p));
            }
            b = new Built(now.version(), byGroup);
            built = b;
        }
        return b.byGroup().get(groupId);
    }
}
