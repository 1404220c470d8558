package io.flotilla.broker.groups;

import io.flotilla.store.TopicPartition;

import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Partitions by topic, then index: the one order every replica iterates in, so ties in an
 * assignor and the order of encoded lists come out alike everywhere.
 */
public final class PartitionOrder {

    public static final Comparator<TopicPartition> ORDER =
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    private PartitionOrder() {
    }

    /** An unmodifiable sorted copy. */
    public static SortedSet<TopicPartition> sortedSet(Collection<TopicPartition> partitions) {
        SortedSet<TopicPartition> out = new TreeSet<>(ORDER);
        out.addAll(partitions);
        return Collections.unmodifiableSortedSet(out);
    }

    /** An unmodifiable sorted copy. */
    public static <V> SortedMap<TopicPartition, V> sortedMap(Map<TopicPartition, V> map) {
        SortedMap<TopicPartition, V> out = new TreeMap<>(ORDER);
        out.putAll(map);
        return Collections.unmodifiableSortedMap(out);
    }

    /** A modifiable sorted copy, to build a changed value from. */
    static <V> TreeMap<TopicPartition, V> mutableMap(Map<TopicPartition, V> map) {
        TreeMap<TopicPartition, V> out = new TreeMap<>(ORDER);
        out.putAll(map);
        return out;
    }
}
