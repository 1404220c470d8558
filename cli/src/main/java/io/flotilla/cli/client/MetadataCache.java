package io.flotilla.cli.client;

import io.flotilla.api.v1.ErrorReason;
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
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What the client knows of the cluster: node addresses, each partition's leader and each group's
 * coordinator with the Raft term it leads in. Filled from GetMetadata and FindCoordinator and
 * corrected by the hints of NOT_LEADER and NOT_COORDINATOR answers; a hint or answer with an
 * older term than the one held is ignored (common.proto, LeaderHint). Thread-safe.
 */
final class MetadataCache {

    /**
     * Where the calls about one partition, or one group, go: the node this cache names, and what
     * a refusal teaches it.
     */
    final class Route {
        private final ErrorReason redirect;
        private final Supplier<HostPort> known;
        private final Consumer<LeaderHint> learn;
        private final Consumer<HostPort> forget;

        private Route(ErrorReason redirect, Supplier<HostPort> known, Consumer<LeaderHint> learn,
                Consumer<HostPort> forget) {
            this.redirect = redirect;
            this.known = known;
            this.learn = learn;
            this.forget = forget;
        }

        /** The leader (or coordinator) when known, else some node in turn: it names the leader when refusing. */
        HostPort target() {
            HostPort leader = known.get();
            return leader != null ? leader : anyNode();
        }

        /** The refusal that names where to go instead: NOT_LEADER or NOT_COORDINATOR. */
        ErrorReason redirect() {
            return redirect;
        }

        /** Takes a redirect's hint unless a newer leader is already known. */
        void learn(LeaderHint hint) {
            learn.accept(hint);
        }

        /** Forgets a leader that turned out not to lead (no new one named). */
        void forget(HostPort asked) {
            forget.accept(asked);
        }
    }

    /** A group's coordinator; term 0 when the node that named it did not know the term. */
    private record Coordinator(HostPort address, long term) {}

    private final List<HostPort> bootstrap;
    private final Map<Integer, HostPort> nodes = new HashMap<>();
    private final Map<String, TopicRoute> topics = new HashMap<>();
    private final Map<String, Coordinator> coordinators = new HashMap<>();
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

    /** The route of the calls about one partition. */
    Route partition(String topic, int partition) {
        return new Route(ErrorReason.ERROR_REASON_NOT_LEADER, () -> leader(topic, partition),
                hint -> learnLeader(topic, partition, hint), asked -> forgetLeader(topic, partition, asked));
    }

    /** The route of the calls about one consumer group. */
    Route group(String groupId) {
        return new Route(ErrorReason.ERROR_REASON_NOT_COORDINATOR, () -> coordinator(groupId),
                hint -> learnCoordinator(groupId, hint), asked -> forgetCoordinator(groupId, asked));
    }

    /** The partition's leader; null when not known. */
    private synchronized HostPort leader(String topic, int partition) {
        TopicRoute route = topics.get(topic);
        return route == null || partition >= route.leader.length ? null : route.leader[partition];
    }

    private synchronized void learnLeader(String topic, int partition, LeaderHint hint) {
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

    /** Keeps the term, so an older hint is still refused. */
    private synchronized void forgetLeader(String topic, int partition, HostPort asked) {
        TopicRoute route = topics.get(topic);
        if (route != null && partition < route.leader.length && asked != null && asked.equals(route.leader[partition])) {
            route.leader[partition] = null;
        }
    }

    private synchronized HostPort coordinator(String groupId) {
        Coordinator known = coordinators.get(groupId);
        return known == null ? null : known.address();
    }

    /**
     * A hint without a term (0) is taken too: it comes from a node that knows who leads but not
     * since when (one without a replica of the coordinator partition, or one handing over), and
     * a redirect must move the call somewhere.
     */
    private synchronized void learnCoordinator(String groupId, LeaderHint hint) {
        HostPort address = parseOrNull(hint.getAddress());
        Coordinator known = coordinators.get(groupId);
        if (address == null || (known != null && hint.getLeaderTerm() != 0 && hint.getLeaderTerm() < known.term())) {
            return;
        }
        coordinators.put(groupId, new Coordinator(address, hint.getLeaderTerm()));
        nodes.put(hint.getNodeId(), address);
    }

    private synchronized void forgetCoordinator(String groupId, HostPort asked) {
        Coordinator known = coordinators.get(groupId);
        if (known != null && known.address().equals(asked)) {
            coordinators.remove(groupId);
        }
    }

    /** Nodes to try for a call any node answers: the bootstrap list first, then every node known. */
    synchronized List<HostPort> candidates() {
        Set<HostPort> all = new LinkedHashSet<>(bootstrap);
        all.addAll(nodes.values());
        return new ArrayList<>(all);
    }

    /** Some node, in turn, for a partition or group whose leader is unknown: it answers with the leader's address. */
    private synchronized HostPort anyNode() {
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
