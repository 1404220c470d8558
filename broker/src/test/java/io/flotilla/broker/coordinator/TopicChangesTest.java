package io.flotilla.broker.coordinator;

import io.flotilla.broker.metadata.ClusterMetadata;
import io.flotilla.broker.metadata.Partition;
import io.flotilla.broker.metadata.Topic;
import io.flotilla.broker.metadata.TopicConfigOverrides;
import io.flotilla.raft.MemberId;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TopicChangesTest {
    private long nextGroup = 1;

    @Test
    void newTopicsGrownTopicsAndGoneTopicsAreChangesAndInternalTopicsAreNot() {
        ClusterMetadata metadata = metadata(Map.of("kept", 2, "grown", 4, "new", 1, CoordinatorTopic.NAME, 8));
        SortedMap<String, Integer> known = new TreeMap<>(Map.of("kept", 2, "grown", 2, "gone", 3));
        assertEquals(new TreeMap<>(Map.of("grown", 4, "new", 1, "gone", 0)), TopicChanges.between(known, metadata));
    }

    @Test
    void aCoordinatorThatKnowsTheMetadatasTopicsHasNothingToPropose() {
        ClusterMetadata metadata = metadata(Map.of("a", 1, "b", 3));
        assertEquals(Map.of(), TopicChanges.between(new TreeMap<>(Map.of("a", 1, "b", 3)), metadata));
    }

    private ClusterMetadata metadata(Map<String, Integer> counts) {
        SortedMap<String, Topic> topics = new TreeMap<>();
        counts.forEach((name, count) -> {
            List<Partition> partitions = new ArrayList<>();
            for (int p = 0; p < count; p++) {
                partitions.add(new Partition(nextGroup++, List.of(new MemberId(1, 1))));
            }
            topics.put(name, new Topic(name, 1, 1, TopicConfigOverrides.EMPTY, partitions));
        });
        return new ClusterMetadata(1, new TreeMap<>(), topics, nextGroup, 1);
    }
}
