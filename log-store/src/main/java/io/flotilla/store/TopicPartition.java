package io.flotilla.store;

import java.util.Objects;

/**
 * A partition of a topic, as listed by {@link NodeStore#committedOffsets(String)}.
 *
 * @param topic     the topic name
 * @param partition the partition number, {@code >= 0}
 */
public record TopicPartition(String topic, int partition) {

    public TopicPartition {
        Objects.requireNonNull(topic, "topic");
        Checks.nonNegative("partition", partition);
    }
}
