package io.flotilla.broker.coordinator;

import io.flotilla.broker.metadata.ClusterMetadata;
import io.flotilla.broker.metadata.Topic;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a coordinator must tell its groups of the cluster's topics: the partition counts that
 * the metadata has and the coordinator's state does not, as a TopicPartitionsChanged carries
 * them. Every topic but internal ones counts, subscribed or not: a tool may commit offsets for
 * any topic, and a commit is checked against these counts.
 */
final class TopicChanges {
    private TopicChanges() {
    }

    /**
     * Each topic whose count in {@code metadata} differs from {@code known}, with its count, and
     * each topic of {@code known} the metadata no longer has, with 0; empty when they agree.
     */
    static SortedMap<String, Integer> between(SortedMap<String, Integer> known, ClusterMetadata metadata) {
        SortedMap<String, Integer> changes = new TreeMap<>();
        for (Topic topic : metadata.topics().values()) {
            if (!topic.internal() && !Integer.valueOf(topic.partitionCount()).equals(known.get(topic.name()))) {
                changes.put(topic.name(), topic.partitionCount());
            }
        }
        for (Map.Entry<String, Integer> e : known.entrySet()) {
            Topic now = metadata.topics().get(e.getKey());
            if (now == null || now.internal()) {
                changes.put(e.getKey(), 0);
            }
        }
        return changes;
    }
}
