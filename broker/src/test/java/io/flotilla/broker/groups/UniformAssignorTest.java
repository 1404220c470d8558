package io.flotilla.broker.groups;

import static io.flotilla.broker.groups.GroupFixture.tp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.flotilla.store.TopicPartition;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UniformAssignorTest {

    private static final PartitionAssignor UNIFORM = UniformAssignor.INSTANCE;
    private static final List<String> TOPICS = List.of("a", "b", "c", "d");
    private static long seed;

    @BeforeAll
    static void chooseSeed() {
        seed = Long.getLong("flotilla.seed", new SecureRandom().nextLong());
        System.out.println("UniformAssignorTest: seed " + seed + " (replay: -Dflotilla.seed=" + seed + ")");
    }

    @Test
    void membersWithEqualSubscriptionsGetCountsWithinOneFromAnyStart() {
        qt().withFixedSeed(seed).withExamples(400)
                .forAll(integers().between(1, 30), lists().of(integers().between(0, 40)).ofSizeBetween(1, 4),
                        integers().between(0, Integer.MAX_VALUE))
                .checkAssert((memberCount, counts, currentSeed) -> {
                    SortedMap<String, SortedSet<String>> subscriptions = members(memberCount, List.copyOf(TOPICS.subList(0, counts.size())));
                    SortedMap<String, Integer> partitionCounts = counts(counts);
                    Map<String, List<TopicPartition>> current = scrambled(subscriptions.keySet(), partitionCounts, new Random(currentSeed));

                    SortedMap<String, SortedSet<TopicPartition>> out = UNIFORM.assign(subscriptions, partitionCounts, current);

                    assertCovers(subscriptions, partitionCounts, out);
                    assertTrue(spread(out) <= 1, "counts " + sizes(out) + " from " + current);
                });
    }

    @Test
    void withDifferentSubscriptionsEveryPartitionGoesToASubscriberAndEqualSubscriptionsStayWithinOne() {
        Random random = new Random(seed);
        for (int trial = 0; trial < 300; trial++) {
            SortedMap<String, SortedSet<String>> subscriptions = new TreeMap<>();
            int members = 1 + random.nextInt(12);
            for (int m = 0; m < members; m++) {
                SortedSet<String> topics = new TreeSet<>();
                TOPICS.forEach(t -> {
                    if (random.nextBoolean()) {
                        topics.add(t);
                    }
                });
                subscriptions.put("m" + m, topics);
            }
            SortedMap<String, Integer> partitionCounts = new TreeMap<>();
            TOPICS.forEach(t -> partitionCounts.put(t, random.nextInt(9)));
            Map<String, List<TopicPartition>> current = scrambled(subscriptions.keySet(), partitionCounts, random);

            SortedMap<String, SortedSet<TopicPartition>> out = UNIFORM.assign(subscriptions, partitionCounts, current);

            String where = "seed " + seed + ", trial " + trial + ": " + subscriptions + " " + partitionCounts;
            assertCovers(subscriptions, partitionCounts, out);
            Map<SortedSet<String>, List<Integer>> bySubscription = new HashMap<>();
            subscriptions.forEach((m, topics) -> bySubscription.computeIfAbsent(topics, k -> new ArrayList<>()).add(out.get(m).size()));
            bySubscription.forEach((topics, sizes) -> assertTrue(Collections.max(sizes) - Collections.min(sizes) <= 1,
                    where + ": members subscribed to " + topics + " hold " + sizes));
        }
    }

    @Test
    void aJoiningMemberTakesOnlyItsShareAndNothingElseMoves() {
        qt().withFixedSeed(seed).withExamples(300)
                .forAll(integers().between(1, 20), integers().between(0, 100))
                .checkAssert((memberCount, partitions) -> {
                    SortedMap<String, Integer> counts = counts(List.of(partitions));
                    SortedMap<String, SortedSet<TopicPartition>> before = UNIFORM.assign(members(memberCount, List.of("a")), counts, Map.of());
                    SortedMap<String, SortedSet<String>> grown = members(memberCount + 1, List.of("a"));
                    String joiner = "m" + memberCount;

                    SortedMap<String, SortedSet<TopicPartition>> after = UNIFORM.assign(grown, counts, before);

                    int moved = moves(before, after);
                    assertEquals(after.get(joiner).size(), moved, "only what the joiner takes moves");
                    assertEquals(partitions / (memberCount + 1), after.get(joiner).size(), "the joiner takes the smaller share");
                    assertTrue(spread(after) <= 1);
                });
    }

    @Test
    void aLeavingMembersPartitionsAloneMove() {
        qt().withFixedSeed(seed).withExamples(300)
                .forAll(integers().between(2, 20), integers().between(0, 100), integers().between(0, 19))
                .checkAssert((memberCount, partitions, leaverIndex) -> {
                    SortedMap<String, Integer> counts = counts(List.of(partitions));
                    SortedMap<String, SortedSet<String>> all = members(memberCount, List.of("a"));
                    SortedMap<String, SortedSet<TopicPartition>> before = UNIFORM.assign(all, counts, Map.of());
                    String leaver = "m" + (leaverIndex % memberCount);
                    SortedMap<String, SortedSet<String>> rest = new TreeMap<>(all);
                    rest.remove(leaver);

                    SortedMap<String, SortedSet<TopicPartition>> after = UNIFORM.assign(rest, counts, before);

                    for (String member : rest.keySet()) {
                        assertTrue(after.get(member).containsAll(before.get(member)), member + " keeps all it had");
                    }
                    assertTrue(spread(after) <= 1, "counts " + sizes(after));
                });
    }

    @Test
    void theSameInputGivesTheSameOutputAndABalancedTargetIsAFixedPoint() {
        Random random = new Random(seed);
        for (int trial = 0; trial < 200; trial++) {
            List<String> ids = new ArrayList<>();
            for (int m = 0; m < 1 + random.nextInt(10); m++) {
                ids.add("member-" + random.nextInt(1000));
            }
            SortedMap<String, SortedSet<String>> subscriptions = new TreeMap<>();
            ids.forEach(id -> subscriptions.put(id, new TreeSet<>(TOPICS.subList(0, 1 + random.nextInt(TOPICS.size())))));
            SortedMap<String, Integer> counts = new TreeMap<>();
            TOPICS.forEach(t -> counts.put(t, random.nextInt(12)));
            Map<String, List<TopicPartition>> current = scrambled(subscriptions.keySet(), counts, random);
            Map<String, List<TopicPartition>> shuffled = new HashMap<>();
            current.forEach((m, ps) -> {
                List<TopicPartition> copy = new ArrayList<>(ps);
                Collections.shuffle(copy, random);
                shuffled.put(m, copy);
            });

            SortedMap<String, SortedSet<TopicPartition>> out = UNIFORM.assign(subscriptions, counts, current);
            assertEquals(out, UNIFORM.assign(subscriptions, counts, shuffled), "the order of the inputs plays no part");
            assertEquals(out, UNIFORM.assign(subscriptions, counts, out), "a balanced target stays as it is");
        }
    }

    @Test
    void partitionsOfUnknownTopicsOrNoLongerSubscribedAreDropped() {
        SortedMap<String, SortedSet<String>> subscriptions = new TreeMap<>(Map.of("x", new TreeSet<>(Set.of("a"))));
        SortedMap<String, SortedSet<TopicPartition>> out = UNIFORM.assign(subscriptions, new TreeMap<>(Map.of("a", 1, "b", 1)),
                Map.of("x", List.of(tp("a", 0), tp("a", 5), tp("b", 0), tp("z", 0)), "gone", List.of(tp("a", 0))));
        assertEquals(Map.of("x", Set.of(tp("a", 0))), out);
    }

    static SortedMap<String, SortedSet<String>> members(int count, List<String> topics) {
        SortedMap<String, SortedSet<String>> out = new TreeMap<>();
        for (int m = 0; m < count; m++) {
            out.put("m" + m, new TreeSet<>(topics));
        }
        return out;
    }

    static SortedMap<String, Integer> counts(List<Integer> counts) {
        SortedMap<String, Integer> out = new TreeMap<>();
        for (int t = 0; t < counts.size(); t++) {
            out.put(TOPICS.get(t), counts.get(t));
        }
        return out;
    }

    /** A random previous target: some partitions given to a random member, some twice, some to members not subscribed. */
    private static Map<String, List<TopicPartition>> scrambled(Set<String> members, Map<String, Integer> counts, Random random) {
        List<String> ids = List.copyOf(members);
        Map<String, List<TopicPartition>> out = new TreeMap<>();
        counts.forEach((topic, count) -> {
            for (int p = 0; p < count + 2; p++) {
                for (int copies = random.nextInt(3); copies > 0; copies--) {
                    out.computeIfAbsent(ids.get(random.nextInt(ids.size())), k -> new ArrayList<>()).add(tp(topic, p));
                }
            }
        });
        return out;
    }

    static void assertCovers(SortedMap<String, SortedSet<String>> subscriptions, SortedMap<String, Integer> counts,
            SortedMap<String, SortedSet<TopicPartition>> out) {
        assertEquals(subscriptions.keySet(), out.keySet(), "every member has an entry");
        Set<TopicPartition> seen = new HashSet<>();
        out.forEach((member, partitions) -> partitions.forEach(p -> {
            assertTrue(seen.add(p), p + " is given twice");
            assertTrue(subscriptions.get(member).contains(p.topic()), member + " got " + p + " without subscribing");
        }));
        Set<TopicPartition> expected = new HashSet<>();
        subscriptions.values().forEach(topics -> topics.forEach(t -> {
            for (int p = 0; p < counts.getOrDefault(t, 0); p++) {
                expected.add(tp(t, p));
            }
        }));
        assertEquals(expected, seen, "every subscribed partition is given");
    }

    static int spread(Map<String, ? extends Set<TopicPartition>> out) {
        List<Integer> sizes = sizes(out);
        return Collections.max(sizes) - Collections.min(sizes);
    }

    private static List<Integer> sizes(Map<String, ? extends Set<TopicPartition>> out) {
        return out.values().stream().map(Set::size).toList();
    }

    /** Partitions whose member changed (a partition new to the assignment counts as a move). */
    private static int moves(Map<String, ? extends Set<TopicPartition>> before, Map<String, ? extends Set<TopicPartition>> after) {
        int moved = 0;
        for (Map.Entry<String, ? extends Set<TopicPartition>> e : after.entrySet()) {
            for (TopicPartition p : e.getValue()) {
                Set<TopicPartition> had = before.get(e.getKey());
                if (had == null || !had.contains(p)) {
                    moved++;
                }
            }
        }
        return moved;
    }
}
