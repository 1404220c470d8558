package io.flotilla.broker.groups;

import io.flotilla.store.TopicPartition;

import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The uniform, sticky assignor (the default). Each member first keeps the partitions of its
 * previous target that still exist and that it still subscribes to; the partitions nobody keeps
 * go, one by one in partition order, to the least loaded member subscribed to their topic; then
 * single partitions move from a member to one holding at least two fewer, most loaded and least
 * loaded first, until no such move is left.
 *
 * <p>So members with the same subscription end within one partition of each other (a member
 * two below another of its subscription could take any of its partitions), and a rebalance
 * moves only what balance needs: a leaving member's partitions go to the others and nothing
 * else moves; a joining member takes its share from the most loaded. Every move lowers the sum
 * of squared loads, so the balancing ends. Each step looks for the lightest eligible member
 * from the lightest up: one step is O(log members) when subscriptions are equal, O(members)
 * at worst when they differ.
 */
final class UniformAssignor implements PartitionAssignor {

    static final UniformAssignor INSTANCE = new UniformAssignor();

    private UniformAssignor() {
    }

    @Override
    public SortedMap<String, SortedSet<TopicPartition>> assign(SortedMap<String, SortedSet<String>> subscriptions,
            SortedMap<String, Integer> partitionCounts, Map<String, ? extends Collection<TopicPartition>> current) {
        Loads loads = new Loads(subscriptions, partitionCounts);
        keepCurrent(loads, current);
        assignTheRest(loads);
        balance(loads);
        SortedMap<String, SortedSet<TopicPartition>> out = new TreeMap<>();
        loads.held.forEach((member, partitions) -> out.put(member, Collections.unmodifiableSortedSet(partitions)));
        return out;
    }

    private static void keepCurrent(Loads loads, Map<String, ? extends Collection<TopicPartition>> current) {
        for (String member : loads.subscriptions.keySet()) {
            Collection<TopicPartition> previous = current.get(member);
            if (previous == null) {
                continue;
            }
            for (TopicPartition p : PartitionOrder.sortedSet(previous)) {
                if (loads.eligible(member, p) && loads.unowned.remove(p)) {
                    loads.give(member, p);
                }
            }
        }
    }

    private static void assignTheRest(Loads loads) {
        for (TopicPartition p : List.copyOf(loads.unowned)) {
            for (String member : loads.byLoad) {
                if (loads.eligible(member, p)) {
                    loads.unowned.remove(p);
                    loads.give(member, p);
                    break;
                }
            }
        }
    }

    private static void balance(Loads loads) {
        Move move;
        while ((move = nextMove(loads)) != null) {
            loads.take(move.from, move.partition);
            loads.give(move.to, move.partition);
        }
    }

    private record Move(String from, String to, TopicPartition partition) {
    }

    /** From the most loaded member that has one, a partition to the lightest eligible member two or more below it. */
    private static Move nextMove(Loads loads) {
        for (Iterator<String> heavy = loads.byLoad.descendingIterator(); heavy.hasNext(); ) {
            String from = heavy.next();
            int fromLoad = loads.load(from);
            for (String to : loads.byLoad) {
                if (loads.load(to) + 2 > fromLoad) {
                    break;
                }
                for (Iterator<TopicPartition> it = loads.held.get(from).descendingIterator(); it.hasNext(); ) {
                    TopicPartition p = it.next();
                    if (loads.eligible(to, p)) {
                        return new Move(from, to, p);
                    }
                }
            }
        }
        return null;
    }

    /** The assignment being built: who holds what, members ordered by load, what nobody holds yet. */
    private static final class Loads {
        final SortedMap<String, SortedSet<String>> subscriptions;
        final SortedMap<String, Integer> partitionCounts;
        /** Hashed: looked up on every comparison of {@link #byLoad}; nothing iterates it in its own order. */
        final Map<String, TreeSet<TopicPartition>> held = new HashMap<>();
        /** Lightest first, ties by member id; a member is taken out before its load changes. */
        final TreeSet<String> byLoad;
        final SortedSet<TopicPartition> unowned = new TreeSet<>(PartitionOrder.ORDER);

        Loads(SortedMap<String, SortedSet<String>> subscriptions, SortedMap<String, Integer> partitionCounts) {
            this.subscriptions = subscriptions;
            this.partitionCounts = partitionCounts;
            this.byLoad = new TreeSet<>(Comparator.comparingInt(this::load).thenComparing(Comparator.naturalOrder()));
            Set<String> topics = new HashSet<>();
            for (String member : subscriptions.keySet()) {
                held.put(member, new TreeSet<>(PartitionOrder.ORDER));
                byLoad.add(member);
                topics.addAll(subscriptions.get(member));
            }
            for (String topic : topics) {
                for (int p = 0; p < partitionCounts.getOrDefault(topic, 0); p++) {
                    unowned.add(new TopicPartition(topic, p));
                }
            }
        }

        int load(String member) {
            return held.get(member).size();
        }

        boolean eligible(String member, TopicPartition p) {
            return subscriptions.get(member).contains(p.topic()) && p.partition() < partitionCounts.getOrDefault(p.topic(), 0);
        }

        void give(String member, TopicPartition p) {
            byLoad.remove(member);
            held.get(member).add(p);
            byLoad.add(member);
        }

        void take(String member, TopicPartition p) {
            byLoad.remove(member);
            held.get(member).remove(p);
            byLoad.add(member);
        }
    }
}
