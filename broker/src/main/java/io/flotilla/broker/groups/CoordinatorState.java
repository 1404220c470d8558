package io.flotilla.broker.groups;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A coordinator partition's whole group state as of one log offset: what a snapshot holds and
 * restores.
 *
 * @param version         the log offset of the last command applied without rejection, 0 before
 *                        any
 * @param partitionCounts the topics the coordinator was told of, by name, each with at least
 *                        one partition
 * @param groups          by group id
 */
public record CoordinatorState(long version, SortedMap<String, Integer> partitionCounts,
                               SortedMap<String, ConsumerGroup> groups) {

    public static final CoordinatorState EMPTY = new CoordinatorState(0, new TreeMap<>(), new TreeMap<>());

    public CoordinatorState {
        if (version < 0) {
            throw new IllegalArgumentException("version must be >= 0, got " + version);
        }
        partitionCounts = Collections.unmodifiableSortedMap(new TreeMap<>(partitionCounts));
        groups = Collections.unmodifiableSortedMap(new TreeMap<>(groups));
        partitionCounts.forEach((topic, count) -> GroupRules.partitionCountProblem(topic, count, 1).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        }));
        for (Map.Entry<String, ConsumerGroup> e : groups.entrySet()) {
            if (!e.getKey().equals(e.getValue().groupId())) {
                throw new IllegalArgumentException("group '" + e.getValue().groupId() + "' is filed under '" + e.getKey() + "'");
            }
        }
    }
}
