package io.flotilla.cli.client;

import io.flotilla.api.v1.GetMetadataResponse;
import io.flotilla.api.v1.LeaderHint;
import io.flotilla.api.v1.Node;
import io.flotilla.api.v1.PartitionMetadata;
import io.flotilla.api.v1.TopicMetadata;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the client knows of the cluster: node addresses and each partition's leader with the
 * Raft term it leads in. Filled from GetMetadata and corrected by the leader hints of NOT_LEADER
 * answers; a hint or answer with an older term than the one held is ignored (common.proto,
 * LeaderHint). Thread-safe.
 */
final class MetadataCache {

    private final List<HostPort> bootstrap;
    private final Map<Integer, HostPort> nodes = new HashMap<>();
    private final Map<String, TopicRoute> topics = new HashMap<>();
    private int nextAny;

    MetadataCache(List<HostPort> bootstrap) {
        this.bootstrap = List.copyOf(bootstrap);
    }

    /** Leaders per partition of one topic; a null address means "not known". */
    private static final class TopicRoute {
        final HostPort[] leader;
        final long[] term;

        TopicRoute(int partitions) {
            leader = new HostPort[partitions];
            term = new long[partitions];
        }
    }

    synchronized void apply(GetMetadataResponse metadata) {
        for (Node n : metadata.getNodesList()) {
            HostPort address = parseOrNull(n.getAddress());
            if (address != null) {
                nodes.put(n.getNodeId(), address);
            }
        }
        for (TopicMetadata t : metadata.getTopicsList()) {
            TopicRoute old = topics.get(t.getName());
            TopicRoute route = new TopicRoute(t.getPartitionsCount());
            for (PartitionMetadata p : t.getPartitionsList()) {
                int i = p.getPartition();
                if (i < 0 || i >= route.leader.length) {
                    continue;
                }
                if (old != null && i < old.leader.length && old.term[i] > p.getLeaderTerm()) {
                    route.leader[i] = old.leader[i];
                    route.term[i] = old.term[i];
                } else {
                    route.leader[i] = p.getLeaderNodeId() == 0 ? null : nodes.get(p.getLeaderNodeId());
                    route.term[i] = p.getLeaderTerm();
                }
            }
            topics.put(t.getName(), route);
        }
    }

    /** The topic's partition count; -1 when the topic is not known. */
    synchronized int partitionCount(String topic) {
        TopicRoute route = topics.get(topic);
        return route == null ? -1 : route.leader.length;
    }

    /** The partition's leader; null when not known. */
    synchronized HostPort leader(String topic, int partition) {
        TopicRoute route = topics.get(topic);
        return route == null || partition >= route.leader.length ? null : route.leader[partition];
    }

    /** Takes a NOT_LEADER hint unless a newer leader is already known. */
    synchronized void learnLeader(String topic, int partition, LeaderHint hint) {
        TopicRoute route = topics.get(topic);
        HostPort address = parseOrNull(hint.getAddress());
        if (route == null || partition >= route.leader.length || address == null
                || hint.getLeaderTerm() < route.term[partition]) {
            return;
        }
        route.leader[partition] = address;
        route.term[partition] = hint.getLeaderTerm();
        nodes.put(hint.getNodeId(), address);
    }

    /** Forgets a leader that turned out not to lead (no new one named), keeping its term. */
    synchronized void forgetLeader(String topic, int partition, HostPort asked) {
        TopicRoute route = topics.get(topic);
        if (route != null && partition < route.leader.length && asked != null && asked.equals(route.leader[partition])) {
            route.leader[partition] = null;
        }
    }

    /** Nodes to try for a call any node answers: the bootstrap list first, then every node known. */
    synchronized List<HostPort> candidates() {
        Set<HostPort> all = new LinkedHashSet<>(bootstrap);
        all.addAll(nodes.values());
        return new ArrayList<>(all);
    }

    /** Some node, in turn, for a partition whose leader is unknown: it answers with the leader's address. */
    synchronized HostPort anyNode() {
        List<HostPort> all = candidates();
        return all.get(Math.floorMod(nextAny++, all.size()));
    }

    private static HostPort parseOrNull(String address) {
        try {
            return HostPort.parse(address);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
