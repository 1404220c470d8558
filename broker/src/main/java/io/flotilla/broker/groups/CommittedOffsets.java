package io.flotilla.broker.groups;

import io.flotilla.store.CommittedOffset;
import io.flotilla.store.TopicPartition;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A group's committed offsets, by topic, then partition. Kept apart from the membership so a
 * heartbeat, which changes the group but not its offsets, shares this value instead of copying
 * it.
 */
public record CommittedOffsets(SortedMap<TopicPartition, CommittedOffset> byPartition) {

    public static final CommittedOffsets NONE = new CommittedOffsets(new TreeMap<>(PartitionOrder.ORDER));

    public CommittedOffsets {
        byPartition = PartitionOrder.sortedMap(byPartition);
    }

    public Optional<CommittedOffset> get(TopicPartition partition) {
        return Optional.ofNullable(byPartition.get(partition));
    }

    /** The offsets of these partitions only (those committed). */
    CommittedOffsets only(Collection<TopicPartition> partitions) {
        TreeMap<TopicPartition, CommittedOffset> out = new TreeMap<>(PartitionOrder.ORDER);
        for (TopicPartition p : partitions) {
            CommittedOffset c = byPartition.get(p);
            if (c != null) {
                out.put(p, c);
            }
        }
        return out.isEmpty() ? NONE : new CommittedOffsets(out);
    }

    /** These offsets with {@code changes} put over them. */
    CommittedOffsets with(Map<TopicPartition, CommittedOffset> changes) {
        TreeMap<TopicPartition, CommittedOffset> out = PartitionOrder.mutableMap(byPartition);
        out.putAll(changes);
        return new CommittedOffsets(out);
    }
}
