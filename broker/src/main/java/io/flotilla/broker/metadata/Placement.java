package io.flotilla.broker.metadata;

import io.flotilla.raft.MemberId;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Where new partitions' replicas go: spread so that every node holds about as many replicas,
 * and is preferred leader of about as many partitions, as every other. Deterministic: the same
 * loads and counts give the same assignment.
 *
 * <p>Each new partition takes its replicas from the least loaded nodes, which keeps per-node
 * replica counts within one of each other once they are (loads m and m+1 stay m and m+1, or
 * become m+1 and m+2). Among the nodes that choice allows, the preferred leader is the one
 * preferred-leading the fewest partitions; the other replicas go to nodes already leading more,
 * so the lightly leading ones stay eligible for the next partition's leadership. From an even
 * start this keeps preferred-leader counts within one of each other too, also across topics of
 * different replication factors: {@code PlacementTest} checks it on random topic sequences
 * (an exhaustive search over every sequence of six topics on up to four nodes found no
 * exception either), though it is not proven.
 */
public final class Placement {

    /** A node's share: replicas it holds, and partitions whose preferred leader it is. */
    public record NodeLoad(int replicas, int preferredLeaders) {
    }

    private Placement() {
    }

    /** Every registered node's load, by node id (nodes holding nothing included). */
    public static SortedMap<Integer, NodeLoad> loads(ClusterMetadata metadata) {
        SortedMap<Integer, int[]> counts = new TreeMap<>();
        metadata.nodes().keySet().forEach(id -> counts.put(id, new int[2]));
        for (Topic topic : metadata.topics().values()) {
            for (Partition partition : topic.partitions()) {
                for (MemberId replica : partition.replicas()) {
                    counts.computeIfAbsent(replica.nodeId(), id -> new int[2])[0]++;
                }
                counts.get(partition.preferredLeader().nodeId())[1]++;
            }
        }
        SortedMap<Integer, NodeLoad> loads = new TreeMap<>();
        counts.forEach((id, c) -> loads.put(id, new NodeLoad(c[0], c[1])));
        return Collections.unmodifiableSortedMap(loads);
    }

    /** Every partition's preferred leader, by Raft group id: what a leader balancer restores. */
    public static SortedMap<Long, MemberId> preferredLeaders(ClusterMetadata metadata) {
        SortedMap<Long, MemberId> leaders = new TreeMap<>();
        for (Topic topic : metadata.topics().values()) {
            for (Partition partition : topic.partitions()) {
                leaders.put(partition.groupId(), partition.preferredLeader());
            }
        }
        return Collections.unmodifiableSortedMap(leaders);
    }

    /** {@code partitions} new partitions of {@code replicationFactor} replicas over the registered nodes. */
    public static List<List<Integer>> assign(ClusterMetadata metadata, int partitions, int replicationFactor) {
        return assign(loads(metadata), partitions, replicationFactor);
    }

    /**
     * {@code partitions} new partitions of {@code replicationFactor} replicas over the nodes of
     * {@code loads}: for each, its node ids, the preferred leader first.
     *
     * @throws IllegalArgumentException if there are fewer nodes than {@code replicationFactor}
     *                                  (the caller answers NOT_ENOUGH_NODES before placing)
     */
    public static List<List<Integer>> assign(Map<Integer, NodeLoad> loads, int partitions, int replicationFactor) {
        if (replicationFactor < 1 || replicationFactor > loads.size() || partitions < 0) {
            throw new IllegalArgumentException("cannot place " + partitions + " partitions of " + replicationFactor
                    + " replicas on " + loads.size() + " nodes");
        }
        List<Load> nodes = new ArrayList<>();
        loads.forEach((id, load) -> nodes.add(new Load(id, load.replicas(), load.preferredLeaders())));
        List<List<Integer>> assignments = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            assignments.add(placeOne(nodes, replicationFactor));
        }
        return List.copyOf(assignments);
    }

    /**
     * {@code topic}'s partitions with {@code replicationFactor} replicas each (AlterReplicationFactor):
     * for each, its node ids, the preferred leader first. A partition that grows keeps its replicas
     * and takes the least loaded other nodes; one that shrinks keeps its preferred leader and
     * gives up the replicas on the most loaded nodes. Loads count the replicas every partition
     * wants, updated as each partition is changed, so growing keeps per-node counts within one
     * of each other once they are.
     *
     * @throws IllegalArgumentException if there are fewer registered nodes than {@code replicationFactor}
     */
    public static List<List<Integer>> reassign(ClusterMetadata metadata, Topic topic, int replicationFactor) {
        if (replicationFactor < 1 || replicationFactor > metadata.nodes().size()) {
            throw new IllegalArgumentException("cannot place " + replicationFactor + " replicas on "
                    + metadata.nodes().size() + " nodes");
        }
        SortedMap<Integer, Integer> replicas = new TreeMap<>();
        loads(metadata).forEach((id, load) -> replicas.put(id, load.replicas()));
        // Most loaded first, then the higher id: the order in which nodes give up replicas.
        Comparator<Integer> heaviestFirst = Comparator.comparing((Integer id) -> replicas.get(id)).reversed()
                .thenComparing(Comparator.reverseOrder());
        List<List<Integer>> assignments = new ArrayList<>(topic.partitionCount());
        for (Partition partition : topic.partitions()) {
            List<Integer> nodes = new ArrayList<>(partition.replicas().stream().map(MemberId::nodeId).toList());
            while (nodes.size() < replicationFactor) {
                int lightest = replicas.keySet().stream().filter(id -> !nodes.contains(id))
                        .min(heaviestFirst.reversed()).orElseThrow();
                nodes.add(lightest);
                replicas.merge(lightest, 1, Integer::sum);
            }
            while (nodes.size() > replicationFactor) {
                int heaviest = nodes.subList(1, nodes.size()).stream().min(heaviestFirst).orElseThrow();
                nodes.remove(Integer.valueOf(heaviest));
                replicas.merge(heaviest, -1, Integer::sum);
            }
            assignments.add(List.copyOf(nodes));
        }
        return List.copyOf(assignments);
    }

    private static List<Integer> placeOne(List<Load> nodes, int replicationFactor) {
        List<Load> byReplicas = new ArrayList<>(nodes);
        byReplicas.sort(Comparator.comparingInt((Load n) -> n.replicas).thenComparingInt(n -> n.nodeId));
        // The replica count every chosen node is at most; nodes below it must all be chosen.
        int threshold = byReplicas.get(replicationFactor - 1).replicas;
        Load leader = null;
        for (Load n : byReplicas) {
            if (n.replicas <= threshold && (leader == null || shouldLeadBefore(n, leader))) {
                leader = n;
            }
        }
        List<Load> chosen = new ArrayList<>(replicationFactor);
        chosen.add(leader);
        List<Load> atThreshold = new ArrayList<>();
        for (Load n : byReplicas) {
            if (n != leader && n.replicas < threshold) {
                chosen.add(n);
            } else if (n != leader && n.replicas == threshold) {
                atThreshold.add(n);
            }
        }
        atThreshold.sort(Comparator.comparingInt((Load n) -> -n.preferredLeaders).thenComparingInt(n -> n.nodeId));
        chosen.addAll(atThreshold.subList(0, replicationFactor - chosen.size()));
        List<Integer> ids = new ArrayList<>(replicationFactor);
        for (Load n : chosen) {
            n.replicas++;
            ids.add(n.nodeId);
        }
        leader.preferredLeaders++;
        return List.copyOf(ids);
    }

    /**
     * Whether {@code a} should lead rather than {@code b}. Between equal leaders, the one holding
     * more replicas: the other is placed first from now on, and leads whatever it gets when
     * partitions have one replica, so leading now would put it ahead.
     */
    private static boolean shouldLeadBefore(Load a, Load b) {
        if (a.preferredLeaders != b.preferredLeaders) {
            return a.preferredLeaders < b.preferredLeaders;
        }
        return a.replicas != b.replicas ? a.replicas > b.replicas : a.nodeId < b.nodeId;
    }

    /** A node's load while placing: counts grow as partitions are placed. */
    private static final class Load {
        final int nodeId;
        int replicas;
        int preferredLeaders;

        Load(int nodeId, int replicas, int preferredLeaders) {
            this.nodeId = nodeId;
            this.replicas = replicas;
            this.preferredLeaders = preferredLeaders;
        }
    }
}
