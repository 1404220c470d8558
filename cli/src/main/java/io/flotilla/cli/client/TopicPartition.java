package io.flotilla.cli.client;

import java.util.Comparator;

/** One partition of a topic, as the client names it. */
public record TopicPartition(String topic, int partition) implements Comparable<TopicPartition> {

    private static final Comparator<TopicPartition> ORDER = Comparator.comparing(TopicPartition::topic)
            .thenComparingInt(TopicPartition::partition);

    public TopicPartition {
        if (topic == null || partition < 0) {
            throw new IllegalArgumentException("a partition needs a topic and an index >= 0, not " + topic + "/"
                    + partition);
        }
    }

    /** By topic, then partition: the order the API lists partitions in. */
    @Override
    public int compareTo(TopicPartition other) {
        return ORDER.compare(this, other);
    }

    /** "topic/partition", as messages show a partition. */
    @Override
    public String toString() {
        return topic + "/" + partition;
    }
}
