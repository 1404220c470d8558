package io.flotilla.broker.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.flotilla.broker.metadata.Placement.NodeLoad;
import io.flotilla.raft.MemberId;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PlacementTest {

    private static long seed;

    @BeforeAll
    static void chooseSeed() {
        seed = Long.getLong("flotilla.seed", new SecureRandom().nextLong());
        System.out.println("PlacementTest: seed " + seed + " (replay: -Dflotilla.seed=" + seed + ")");
    }

    @Test
    void fromAnEmptyClusterEveryTopicLeavesReplicaAndLeaderCountsWithinOneOfEachOther() {
        qt().withFixedSeed(seed).withExamples(500)
                .forAll(integers().between(1, 12),
                        lists().of(integers().between(1, 60)).ofSizeBetween(1, 12),
                        lists().of(integers().between(1, 7)).ofSizeBetween(1, 12))
                .checkAssert((nodeCount, partitionCounts, replicationFactors) -> {
                    SortedMap<Integer, NodeLoad> loads = emptyLoads(nodeCount);
                    for (int t = 0; t < partitionCounts.size(); t++) {
                        int rf = Math.min(replicationFactors.get(t % replicationFactors.size()), nodeCount);
                        List<List<Integer>> assignments = Placement.assign(loads, partitionCounts.get(t), rf);
                        assertWellFormed(assignments, loads, partitionCounts.get(t), rf);
                        loads = add(loads, assignments);
                        assertTrue(spread(loads, NodeLoad::replicas) <= 1, "replicas after topic " + t + ": " + loads);
                        assertTrue(spread(loads, NodeLoad::preferredLeaders) <= 1, "leaders after topic " + t + ": " + loads);
                    }
                });
    }

    @Test
    void fromUnevenLoadsTheReplicaSpreadNeverGrowsBeyondOne() {
        qt().withFixedSeed(seed).withExamples(500)
                .forAll(lists().of(integers().between(0, 40)).ofSizeBetween(1, 10),
                        integers().between(1, 50), integers().between(1, 7))
                .checkAssert((replicaCounts, partitions, replicationFactor) -> {
                    SortedMap<Integer, NodeLoad> loads = new TreeMap<>();
                    for (int i = 0; i < replicaCounts.size(); i++) {
                        loads.put(i + 1, new NodeLoad(replicaCounts.get(i), replicaCounts.get(i) / 3));
                    }
                    int rf = Math.min(replicationFactor, loads.size());
                    List<List<Integer>> assignments = Placement.assign(loads, partitions, rf);
                    assertWellFormed(assignments, loads, partitions, rf);
                    int before = spread(loads, NodeLoad::replicas);
                    int after = spread(add(loads, assignments), NodeLoad::replicas);
                    assertTrue(after <= Math.max(before, 1), "spread " + before + " became " + after + " from " + loads);
                });
    }

    @Test
    void theSameLoadsGiveTheSameAssignmentWhateverTheMapsOrder() {
        Random random = new Random(seed);
        for (int trial = 0; trial < 200; trial++) {
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < 2 + random.nextInt(9); i++) {
                ids.add(1 + random.nextInt(1000));
            }
            Map<Integer, NodeLoad> sorted = new TreeMap<>();
            for (int id : ids) {
                int replicas = random.nextInt(10);
                sorted.put(id, new NodeLoad(replicas, random.nextInt(replicas + 1)));
            }
            List<Integer> shuffled = new ArrayList<>(sorted.keySet());
            Collections.shuffle(shuffled, random);
            Map<Integer, NodeLoad> insertionOrdered = new LinkedHashMap<>();
            shuffled.forEach(id -> insertionOrdered.put(id, sorted.get(id)));
            int partitions = 1 + random.nextInt(20);
            int rf = 1 + random.nextInt(sorted.size());

            List<List<Integer>> first = Placement.assign(sorted, partitions, rf);
            assertEquals(first, Placement.assign(sorted, partitions, rf), "seed " + seed + ", trial " + trial);
            assertEquals(first, Placement.assign(insertionOrdered, partitions, rf), "seed " + seed + ", trial " + trial);
        }
    }

    @Test
    void threeNodesAndReplicationFactorThreeRotateTheLeader() {
        assertEquals(List.of(List.of(1, 2, 3), List.of(2, 1, 3), List.of(3, 1, 2), List.of(1, 2, 3)),
                Placement.assign(emptyLoads(3), 4, 3));
    }

    @Test
    void moreReplicasThanNodesCannotBePlaced() {
        assertThrows(IllegalArgumentException.class, () -> Placement.assign(emptyLoads(2), 1, 3));
    }

    @Test
    void loadsAndPreferredLeadersReadTheMetadata() {
        MetadataStateMachine machine = new MetadataStateMachine();
        long offset = 0;
        for (int id = 1; id <= 4; id++) {
            machine.apply(++offset, new MetadataCommand.RegisterNode(id, 100 + id, "n" + id + ":1"));
        }
        for (String topic : List.of("a", "b", "c")) {
            List<List<Integer>> assignments = Placement.assign(machine.metadata(), 5, 3);
            assertInstanceOf(CommandResult.TopicCreated.class, machine.apply(++offset,
                    new MetadataCommand.CreateTopic(topic, false, TopicConfigOverrides.EMPTY, assignments)));
        }
        ClusterMetadata metadata = machine.metadata();

        SortedMap<Integer, NodeLoad> loads = Placement.loads(metadata);
        assertEquals(List.of(1, 2, 3, 4), List.copyOf(loads.keySet()));
        assertEquals(45, loads.values().stream().mapToInt(NodeLoad::replicas).sum());
        assertEquals(15, loads.values().stream().mapToInt(NodeLoad::preferredLeaders).sum());
        assertTrue(spread(loads, NodeLoad::replicas) <= 1 && spread(loads, NodeLoad::preferredLeaders) <= 1, loads.toString());

        SortedMap<Long, MemberId> leaders = Placement.preferredLeaders(metadata);
        assertEquals(15, leaders.size());
        for (Topic topic : metadata.topics().values()) {
            for (Partition p : topic.partitions()) {
                assertEquals(p.replicas().get(0), leaders.get(p.groupId()));
                assertEquals(100 + p.replicas().get(0).nodeId(), leaders.get(p.groupId()).incarnation());
            }
        }
    }

    @Test
    void aChangedReplicationFactorKeepsThePreferredLeaderAndTheReplicaSpread() {
        qt().withFixedSeed(seed).withExamples(300)
                .forAll(integers().between(1, 8), lists().of(integers().between(1, 30)).ofSizeBetween(1, 5),
                        integers().between(0, 1000), integers().between(1, 7))
                .checkAssert((nodeCount, partitionCounts, pick, newFactor) -> {
                    MetadataStateMachine machine = new MetadataStateMachine();
                    long offset = 0;
                    for (int id = 1; id <= nodeCount; id++) {
                        machine.apply(++offset, new MetadataCommand.RegisterNode(id, 100 + id, "n" + id + ":1"));
                    }
                    for (int t = 0; t < partitionCounts.size(); t++) {
                        int rf = Math.min(7, 1 + (t + pick) % nodeCount);
                        assertInstanceOf(CommandResult.TopicCreated.class, machine.apply(++offset, new MetadataCommand
                                .CreateTopic("t" + t, false, TopicConfigOverrides.EMPTY,
                                        Placement.assign(machine.metadata(), partitionCounts.get(t), rf))));
                    }
                    Topic topic = machine.metadata().topics().get("t" + pick % partitionCounts.size());
                    int rf = Math.min(newFactor, nodeCount);
                    Map<Integer, Integer> load = new TreeMap<>();
                    Placement.loads(machine.metadata()).forEach((id, l) -> load.put(id, l.replicas()));

                    List<List<Integer>> assignments = Placement.reassign(machine.metadata(), topic, rf);
                    assertInstanceOf(CommandResult.ReplicationFactorAltered.class, machine.apply(++offset,
                            new MetadataCommand.AlterReplicationFactor(topic.name(), rf, assignments)));
                    for (int p = 0; p < topic.partitionCount(); p++) {
                        List<Integer> was = topic.partitions().get(p).replicas().stream().map(MemberId::nodeId).toList();
                        List<Integer> now = assignments.get(p);
                        assertEquals(was.get(0), now.get(0), "the preferred leader stays");
                        assertEquals(rf, new HashSet<>(now).size(), now.toString());
                        if (rf >= was.size()) {
                            assertEquals(was, now.subList(0, was.size()), "replicas stay, in their order");
                            for (int added : now.subList(was.size(), now.size())) {
                                int lightest = load.keySet().stream().filter(id -> !now.subList(0, now.indexOf(added))
                                        .contains(id)).mapToInt(load::get).min().orElseThrow();
                                assertEquals(lightest, load.get(added), "node " + added + " added to " + was);
                                load.merge(added, 1, Integer::sum);
                            }
                        } else {
                            assertTrue(was.containsAll(now), was + " -> " + now);
                            List<Integer> candidates = new ArrayList<>(was.subList(1, was.size()));
                            for (int removed : was.stream().filter(id -> !now.contains(id)).sorted((a, b) ->
                                    load.get(b) - load.get(a)).toList()) {
                                int heaviest = candidates.stream().mapToInt(load::get).max().orElseThrow();
                                assertEquals(heaviest, load.get(removed), "node " + removed + " gave up its replica of " + was);
                                candidates.remove(Integer.valueOf(removed));
                                load.merge(removed, -1, Integer::sum);
                            }
                        }
                    }
                });
    }

    private static void assertWellFormed(List<List<Integer>> assignments, Map<Integer, NodeLoad> loads, int partitions, int rf) {
        assertEquals(partitions, assignments.size());
        for (List<Integer> replicas : assignments) {
            assertEquals(rf, replicas.size(), replicas.toString());
            assertEquals(rf, new HashSet<>(replicas).size(), "a node twice in " + replicas);
            assertTrue(loads.keySet().containsAll(replicas), replicas + " outside " + loads.keySet());
        }
    }

    private static SortedMap<Integer, NodeLoad> emptyLoads(int nodes) {
        SortedMap<Integer, NodeLoad> loads = new TreeMap<>();
        for (int id = 1; id <= nodes; id++) {
            loads.put(id, new NodeLoad(0, 0));
        }
        return loads;
    }

    private static SortedMap<Integer, NodeLoad> add(Map<Integer, NodeLoad> loads, List<List<Integer>> assignments) {
        SortedMap<Integer, NodeLoad> out = new TreeMap<>(loads);
        for (List<Integer> replicas : assignments) {
            for (int i = 0; i < replicas.size(); i++) {
                NodeLoad l = out.get(replicas.get(i));
                out.put(replicas.get(i), new NodeLoad(l.replicas() + 1, l.preferredLeaders() + (i == 0 ? 1 : 0)));
            }
        }
        return out;
    }

    private static int spread(Map<Integer, NodeLoad> loads, java.util.function.ToIntFunction<NodeLoad> count) {
        int max = loads.values().stream().mapToInt(count).max().orElseThrow();
        int min = loads.values().stream().mapToInt(count).min().orElseThrow();
        return max - min;
    }
}
