package io.flotilla.broker.metadata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.broker.metadata.LeaderBalance.Slot;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LeaderBalanceTest {

    private static final int EXAMPLES = 2000;
    private static long seed;

    @BeforeAll
    static void chooseSeed() {
        seed = Long.getLong("flotilla.seed", new SecureRandom().nextLong());
        System.out.println("LeaderBalanceTest: seed " + seed + " (replay: -Dflotilla.seed=" + seed + ")");
    }

    @Test
    void everyAliveNodeLeadsAsManyAsTheBestChoiceAllowsAtBothEnds() {
        Random random = new Random(seed);
        for (int example = 0; example < EXAMPLES; example++) {
            int nodes = 1 + random.nextInt(5);
            List<Slot> slots = randomSlots(random, nodes, random.nextInt(9));
            Set<Integer> alive = randomAlive(random, nodes);
            String where = "example " + example + ": alive " + alive + ", slots " + slots;

            int[] chosen = LeaderBalance.choose(slots, alive);

            assertValid(slots, alive, chosen, where);
            int[] best = bestExtremes(slots, alive);
            Map<Integer, Integer> counts = counts(chosen, slots, alive);
            int max = Collections.max(counts.values());
            int min = Collections.min(counts.values());
            assertEquals(best[0], max, "largest count, " + where + ": chose " + Arrays.toString(chosen));
            assertEquals(best[1], min, "smallest count, " + where + ": chose " + Arrays.toString(chosen));
        }
    }

    @Test
    void aBalancedChoiceIsLeftAsItIsAndTheSameInputGivesTheSameChoice() {
        Random random = new Random(seed);
        for (int example = 0; example < EXAMPLES; example++) {
            int nodes = 1 + random.nextInt(6);
            List<Slot> slots = randomSlots(random, nodes, random.nextInt(40));
            Set<Integer> alive = randomAlive(random, nodes);
            int[] chosen = LeaderBalance.choose(slots, alive);
            assertArrayEquals(chosen, LeaderBalance.choose(slots, new HashSet<>(alive)), "deterministic, example " + example);

            List<Slot> rebalanced = new ArrayList<>();
            for (int s = 0; s < slots.size(); s++) {
                rebalanced.add(new Slot(slots.get(s).replicas(), chosen[s]));
            }
            assertArrayEquals(chosen, LeaderBalance.choose(rebalanced, alive), "stable, example " + example);
        }
    }

    @Test
    void partitionsAllPreferringOneNodeAreSpreadMovingNoMoreThanNeeded() {
        List<Slot> slots = Collections.nCopies(6, new Slot(List.of(1, 2, 3), 1));
        int[] chosen = LeaderBalance.choose(slots, Set.of(1, 2, 3));
        assertEquals(Map.of(1, 2, 2, 2, 3, 2), counts(chosen, slots, Set.of(1, 2, 3)));
        assertEquals(4, Arrays.stream(chosen).filter(n -> n != 1).count(), "node 1 keeps two: four moves, not six");
    }

    @Test
    void aDownNodesPartitionsGoToAliveReplicasAndANodeWithoutReplicasLeadsNothing() {
        List<Slot> slots = List.of(new Slot(List.of(3, 1, 2), 3), new Slot(List.of(3, 2, 1), 3),
                new Slot(List.of(1, 2, 3), 1), new Slot(List.of(2, 3, 1), 2), new Slot(List.of(3), 3));
        int[] chosen = LeaderBalance.choose(slots, Set.of(1, 2, 4));
        assertEquals(3, chosen[4], "no alive replica: the preference stays");
        assertEquals(Map.of(1, 2, 2, 2, 4, 0), counts(chosen, slots, Set.of(1, 2, 4)));
    }

    /** Each choice is one of its slot's replicas; alive whenever the slot has an alive replica, else unchanged. */
    private static void assertValid(List<Slot> slots, Set<Integer> alive, int[] chosen, String where) {
        assertEquals(slots.size(), chosen.length, where);
        for (int s = 0; s < slots.size(); s++) {
            Slot slot = slots.get(s);
            assertTrue(slot.replicas().contains(chosen[s]), "a replica, " + where);
            if (slot.replicas().stream().anyMatch(alive::contains)) {
                assertTrue(alive.contains(chosen[s]), "alive, slot " + s + ", " + where);
            } else {
                assertEquals(slot.preferred(), chosen[s], "kept, slot " + s + ", " + where);
            }
        }
    }

    /** Over every possible choice: the smallest largest count, and the largest smallest count. */
    private static int[] bestExtremes(List<Slot> slots, Set<Integer> alive) {
        int[] best = {Integer.MAX_VALUE, Integer.MIN_VALUE};
        int[] choice = new int[slots.size()];
        search(slots, alive, 0, choice, best);
        return best;
    }

    private static void search(List<Slot> slots, Set<Integer> alive, int s, int[] choice, int[] best) {
        if (s == slots.size()) {
            Map<Integer, Integer> counts = counts(choice, slots, alive);
            best[0] = Math.min(best[0], Collections.max(counts.values()));
            best[1] = Math.max(best[1], Collections.min(counts.values()));
            return;
        }
        List<Integer> options = slots.get(s).replicas().stream().filter(alive::contains).toList();
        if (options.isEmpty()) {
            options = List.of(slots.get(s).preferred());
        }
        for (int node : options) {
            choice[s] = node;
            search(slots, alive, s + 1, choice, best);
        }
    }

    /** Slots led by each alive node. */
    private static Map<Integer, Integer> counts(int[] chosen, List<Slot> slots, Set<Integer> alive) {
        Map<Integer, Integer> counts = new TreeMap<>();
        alive.forEach(n -> counts.put(n, 0));
        for (int s = 0; s < slots.size(); s++) {
            if (alive.contains(chosen[s])) {
                counts.merge(chosen[s], 1, Integer::sum);
            }
        }
        return counts;
    }

    private static List<Slot> randomSlots(Random random, int nodes, int count) {
        List<Slot> slots = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            List<Integer> ids = new ArrayList<>();
            for (int n = 1; n <= nodes; n++) {
                ids.add(n);
            }
            Collections.shuffle(ids, random);
            List<Integer> replicas = ids.subList(0, 1 + random.nextInt(Math.min(3, nodes)));
            slots.add(new Slot(replicas, replicas.get(random.nextInt(replicas.size()))));
        }
        return slots;
    }

    /** At least one alive node, sometimes all. */
    private static Set<Integer> randomAlive(Random random, int nodes) {
        Set<Integer> alive = new HashSet<>();
        for (int n = 1; n <= nodes; n++) {
            if (random.nextInt(4) != 0) {
                alive.add(n);
            }
        }
        if (alive.isEmpty()) {
            alive.add(1 + random.nextInt(nodes));
        }
        return alive;
    }
}
