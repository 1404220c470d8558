package io.flotilla.broker.groups;

import io.flotilla.api.v1.Assignor;
import io.flotilla.store.TopicPartition;

import java.util.Collection;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * Divides the partitions of the subscribed topics among a group's members: a pure,
 * deterministic function (every replica computes the same target from the same log), iterating
 * only in sorted orders.
 */
public interface PartitionAssignor {

    /**
     * The target assignment: for every member of {@code subscriptions}, the partitions it is to
     * consume (possibly none). Every partition of a subscribed topic known in {@code
     * partitionCounts} goes to exactly one member subscribed to its topic; topics not in {@code
     * partitionCounts} have no partitions yet.
     *
     * @param subscriptions   each member's subscribed topics, by member id
     * @param partitionCounts topics' partition counts
     * @param current         the previous target, by member id, which a sticky assignor keeps
     *                        where balance allows; members and partitions that no longer
     *                        exist in the other arguments are ignored
     */
    SortedMap<String, SortedSet<TopicPartition>> assign(SortedMap<String, SortedSet<String>> subscriptions,
            SortedMap<String, Integer> partitionCounts, Map<String, ? extends Collection<TopicPartition>> current);

    /** The assignor a group's choice names; UNSPECIFIED is UNIFORM, the default. */
    static PartitionAssignor of(Assignor choice) {
        return switch (choice) {
            case ASSIGNOR_RANGE -> RangeAssignor.INSTANCE;
            case ASSIGNOR_UNIFORM, ASSIGNOR_UNSPECIFIED -> UniformAssignor.INSTANCE;
            case UNRECOGNIZED -> throw new IllegalArgumentException("no assignor for an unrecognized choice");
        };
    }
}
