package io.flotilla.broker.metadata;

import java.util.List;
import java.util.Objects;

/**
 * A topic as the controller holds it.
 *
 * @param id                the controller log offset of its creation: a name deleted and created
 *                          again is another topic, with another id
 * @param replicationFactor replicas per partition
 * @param config            the explicitly set settings; {@link #effectiveConfig()} is what is in force
 * @param partitions        by index, at least one
 */
public record Topic(String name, long id, int replicationFactor, TopicConfigOverrides config, List<Partition> partitions) {

    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(config, "config");
        partitions = List.copyOf(partitions);
        if (partitions.isEmpty() || replicationFactor < 1 || id < 1) {
            throw new IllegalArgumentException("topic '" + name + "' needs an id >= 1, partitions and replication factor >= 1; got "
                    + id + ", " + partitions.size() + ", " + replicationFactor);
        }
    }

    /** Managed by the cluster, named "__...": clients may not delete or alter it. */
    public boolean internal() {
        return name.startsWith(TopicRules.INTERNAL_PREFIX);
    }

    public int partitionCount() {
        return partitions.size();
    }

    public TopicConfig effectiveConfig() {
        return config.effective();
    }

    /** The same topic with {@code changed} as its partitions. */
    public Topic withPartitions(List<Partition> changed) {
        return new Topic(name, id, replicationFactor, config, changed);
    }

    public List<Long> groupIds() {
        return partitions.stream().map(Partition::groupId).toList();
    }
}
