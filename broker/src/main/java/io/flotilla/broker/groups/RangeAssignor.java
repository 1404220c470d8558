package io.flotilla.broker.groups;

import io.flotilla.store.TopicPartition;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Kafka's range assignor: per topic, the members subscribed to it, sorted by member id, take
 * contiguous ranges of its partitions, the first {@code count % members} one partition more
 * than the rest. So partition i of topics with equal partition counts and equal subscribers
 * goes to the same member. Not sticky: the previous target plays no part.
 */
final class RangeAssignor implements PartitionAssignor {

    static final RangeAssignor INSTANCE = new RangeAssignor();

    private RangeAssignor() {
    }

    @Override
    public SortedMap<String, SortedSet<TopicPartition>> assign(SortedMap<String, SortedSet<String>> subscriptions,
            SortedMap<String, Integer> partitionCounts, Map<String, ? extends Collection<TopicPartition>> current) {
        SortedMap<String, SortedSet<TopicPartition>> out = new TreeMap<>();
        SortedSet<String> topics = new TreeSet<>();
        subscriptions.forEach((member, subscribed) -> {
            out.put(member, new TreeSet<>(PartitionOrder.ORDER));
            topics.addAll(subscribed);
        });
        for (String topic : topics) {
            int count = partitionCounts.getOrDefault(topic, 0);
            List<String> members = subscriptions.entrySet().stream()
                    .filter(e -> e.getValue().contains(topic)).map(Map.Entry::getKey).toList();
            int next = 0;
            for (int i = 0; i < members.size(); i++) {
                int size = count / members.size() + (i < count % members.size() ? 1 : 0);
                for (int p = next; p < next + size; p++) {
                    out.get(members.get(i)).add(new TopicPartition(topic, p));
                }
                next += size;
            }
        }
        return out;
    }
}
