package io.flotilla.broker.groups;

import static io.flotilla.broker.groups.GroupFixture.tp;
import static io.flotilla.broker.groups.GroupFixture.tps;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flotilla.store.TopicPartition;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class RangeAssignorTest {

    private static final PartitionAssignor RANGE = RangeAssignor.INSTANCE;

    @Test
    void membersSortedByIdTakeContiguousRangesTheFirstOnesOneMore() {
        SortedMap<String, SortedSet<TopicPartition>> out = RANGE.assign(subscriptions(Map.of(
                "c", Set.of("t"), "a", Set.of("t"), "b", Set.of("t"))), counts(Map.of("t", 7)), Map.of());
        assertEquals(Map.of("a", Set.copyOf(tps("t", 0, 1, 2)), "b", Set.copyOf(tps("t", 3, 4)), "c", Set.copyOf(tps("t", 5, 6))), out);
    }

    @Test
    void partitionIOfEquallySizedTopicsGoesToTheSameMember() {
        SortedMap<String, SortedSet<TopicPartition>> out = RANGE.assign(subscriptions(Map.of(
                "a", Set.of("t", "u"), "b", Set.of("t", "u"))), counts(Map.of("t", 3, "u", 3)), Map.of());
        assertEquals(Set.of(tp("t", 0), tp("t", 1), tp("u", 0), tp("u", 1)), out.get("a"));
        assertEquals(Set.of(tp("t", 2), tp("u", 2)), out.get("b"));
    }

    @Test
    void eachTopicIsDividedAmongItsOwnSubscribersAndThePreviousTargetPlaysNoPart() {
        SortedMap<String, SortedSet<String>> subscriptions = subscriptions(Map.of(
                "a", Set.of("t"), "b", Set.of("t", "u"), "c", Set.of("v")));
        SortedMap<String, Integer> counts = counts(Map.of("t", 2, "u", 3));
        SortedMap<String, SortedSet<TopicPartition>> out = RANGE.assign(subscriptions, counts, Map.of());

        assertEquals(Map.of("a", Set.of(tp("t", 0)), "b", Set.of(tp("t", 1), tp("u", 0), tp("u", 1), tp("u", 2)),
                "c", Set.of()), out, "v does not exist yet");
        assertEquals(out, RANGE.assign(subscriptions, counts, Map.of("c", List.of(tp("t", 0)))));
        UniformAssignorTest.assertCovers(subscriptions, counts, out);
    }

    private static SortedMap<String, SortedSet<String>> subscriptions(Map<String, Set<String>> in) {
        SortedMap<String, SortedSet<String>> out = new TreeMap<>();
        in.forEach((m, topics) -> out.put(m, new TreeSet<>(topics)));
        return out;
    }

    private static SortedMap<String, Integer> counts(Map<String, Integer> in) {
        return new TreeMap<>(in);
    }
}
