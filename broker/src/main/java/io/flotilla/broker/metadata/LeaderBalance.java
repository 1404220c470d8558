package io.flotilla.broker.metadata;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which replica of each partition should be its preferred leader, so that the alive nodes lead
 * as evenly as the replica lists allow (RebalanceLeaders). Deterministic: the same partitions,
 * preferences and alive nodes give the same choice.
 *
 * <p>It starts from the current preferences (a partition whose preferred node is down takes its
 * least-loaded alive replica) and then, while some node leads at least two more partitions than
 * a node it can reach, shifts one partition's preference along the shortest chain from the one
 * to the other: node a gives a partition to b, which gives one to c, ... Each shift moves as few
 * preferences as it can, so partitions that are already well placed stay. When no such chain is
 * left the counts are optimal at both ends at once: no node leads more, and none fewer, than it
 * must (the load vectors of these choices form an M-convex set, where a choice with no improving
 * exchange minimises the largest count and maximises the smallest; {@code LeaderBalanceTest}
 * checks this against exhaustive search).
 */
public final class LeaderBalance {

    /** One partition: the nodes of its replicas, in replica-list order, and its preferred leader now. */
    public record Slot(List<Integer> replicas, int preferred) {
        public Slot {
            replicas = List.copyOf(replicas);
            if (!replicas.contains(preferred)) {
                throw new IllegalArgumentException("preferred leader " + preferred + " is not among the replicas " + replicas);
            }
        }
    }

    private LeaderBalance() {
    }

    /**
     * The new preferred leader of each slot, in the slots' order. A slot with no replica on an
     * alive node keeps its preference, and counts for nobody.
     */
    public static int[] choose(List<Slot> slots, Set<Integer> alive) {
        Objects.requireNonNull(alive, "alive");
        return new Chooser(slots, new TreeSet<>(alive)).run();
    }

    /** The state of one choice being improved. */
    private static final class Chooser {
        private final List<Slot> slots;
        private final TreeSet<Integer> alive;
        private final int[] choice;
        private final Map<Integer, Integer> load = new TreeMap<>();
        /** Per alive node, the slots it is chosen for, in slot order. */
        private final Map<Integer, TreeSet<Integer>> led = new HashMap<>();

        Chooser(List<Slot> slots, TreeSet<Integer> alive) {
            this.slots = slots;
            this.alive = alive;
            this.choice = new int[slots.size()];
            for (int node : alive) {
                load.put(node, 0);
                led.put(node, new TreeSet<>());
            }
        }

        int[] run() {
            List<Integer> orphans = new ArrayList<>();
            for (int s = 0; s < slots.size(); s++) {
                Slot slot = slots.get(s);
                choice[s] = slot.preferred();
                if (alive.contains(slot.preferred())) {
                    assign(s, slot.preferred());
                } else if (slot.replicas().stream().anyMatch(alive::contains)) {
                    orphans.add(s);
                }
            }
            for (int s : orphans) {
                int best = slots.get(s).replicas().stream().filter(alive::contains)
                        .min(Comparator.comparingInt(load::get)).orElseThrow();
                choice[s] = best;
                assign(s, best);
            }
            while (improveOnce()) {
                // each improvement lowers the sum of squared counts, so this ends
            }
            return choice;
        }

        private void assign(int slot, int node) {
            load.merge(node, 1, Integer::sum);
            led.get(node).add(slot);
        }

        /** Finds one chain from a node to another leading at least two fewer, and shifts along it. */
        private boolean improveOnce() {
            if (load.isEmpty()) {
                return false;
            }
            int least = load.values().stream().min(Integer::compare).orElseThrow();
            List<Integer> sources = new ArrayList<>(load.keySet());
            sources.sort(Comparator.comparingInt((Integer n) -> -load.get(n)).thenComparingInt(n -> n));
            for (int source : sources) {
                if (load.get(source) < least + 2) {
                    return false;
                }
                if (shiftFrom(source)) {
                    return true;
                }
            }
            return false;
        }

        /** Breadth-first over "u leads a slot that v could lead", from {@code source}; shifts the shortest chain found. */
        private boolean shiftFrom(int source) {
            Map<Integer, int[]> reachedVia = new HashMap<>(); // node -> {slot, previous node}
            ArrayDeque<Integer> queue = new ArrayDeque<>();
            queue.add(source);
            reachedVia.put(source, null);
            int bound = load.get(source) - 2;
            while (!queue.isEmpty()) {
                int u = queue.poll();
                for (int s : led.get(u)) {
                    for (int v : slots.get(s).replicas()) {
                        if (!alive.contains(v) || reachedVia.containsKey(v)) {
                            continue;
                        }
                        reachedVia.put(v, new int[] {s, u});
                        if (load.get(v) <= bound) {
                            shift(v, reachedVia);
                            return true;
                        }
                        queue.add(v);
                    }
                }
            }
            return false;
        }

        private void shift(int end, Map<Integer, int[]> reachedVia) {
            load.merge(end, 1, Integer::sum);
            int node = end;
            int[] step;
            while ((step = reachedVia.get(node)) != null) {
                int slot = step[0];
                int from = step[1];
                led.get(from).remove(slot);
                led.get(node).add(slot);
                choice[slot] = node;
                node = from;
            }
            load.merge(node, -1, Integer::sum);
        }
    }
}
