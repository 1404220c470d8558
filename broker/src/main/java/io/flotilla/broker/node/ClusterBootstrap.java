package io.flotilla.broker.node;

import io.flotilla.broker.transport.GrpcTransport;
import io.flotilla.broker.transport.PeerIdentity;
import io.flotilla.raft.MemberId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Forms the controller group the first time: a node with a new data directory learns every
 * {@code --cluster} peer's incarnation (the Identify RPC), and the voters are exactly those
 * members. Every node asks the same nodes and each incarnation is fixed on disk before it is
 * given out, so every node computes the same voters, and the same cluster id from them, without
 * a coordinator. A peer that has already formed the cluster answers with its id: if it is the
 * one computed here, this node is one of its founders that was slower to start; if not, this
 * node's directory is not the one the cluster was formed with (it was wiped), and the node
 * rejoins that cluster as a new incarnation: it starts the controller group as a learner, and
 * the controller's leader, once it registered the new incarnation ({@link SelfRegistration}),
 * replaces the old one with it.
 */
final class ClusterBootstrap {
    private static final Logger log = LoggerFactory.getLogger(ClusterBootstrap.class);

    /**
     * The cluster this node belongs to: as a founder, {@code voters} are the founding voters,
     * itself included; rejoining an existing cluster, they are the peers as they answered.
     */
    record Formed(List<MemberId> voters, String clusterId, boolean founder) {
    }

    private ClusterBootstrap() {
    }

    static Formed form(MemberId self, Map<Integer, String> cluster, GrpcTransport transport, BooleanSupplier stopped)
            throws InterruptedException {
        Map<Integer, PeerIdentity> known = new TreeMap<>();
        long lastReport = System.nanoTime();
        while (!stopped.getAsBoolean()) {
            for (int peer : cluster.keySet()) {
                if (peer == self.nodeId() || known.containsKey(peer)) {
                    continue;
                }
                try {
                    known.put(peer, transport.identify(peer).get(2, TimeUnit.SECONDS));
                } catch (Exception e) {
                    // Not up yet: ask again next round.
                }
            }
            if (known.size() == cluster.size() - 1) {
                List<MemberId> voters = new ArrayList<>();
                voters.add(self);
                known.values().forEach(p -> voters.add(p.member()));
                voters.sort(null);
                String clusterId = clusterIdOf(voters);
                Set<String> existing = new TreeSet<>();
                known.values().stream().map(PeerIdentity::clusterId).filter(id -> !id.isEmpty()).forEach(existing::add);
                existing.remove(clusterId);
                if (existing.isEmpty()) {
                    return new Formed(List.copyOf(voters), clusterId, true);
                }
                if (existing.size() > 1) {
                    throw new IllegalStateException("the nodes of --cluster belong to different clusters " + existing
                            + ": " + known.values() + "; give each cluster its own --cluster list");
                }
                String theirs = existing.iterator().next();
                log.info("node {} finds cluster {}, not formed with this data directory: it rejoins as incarnation {}",
                        self.nodeId(), theirs, Long.toHexString(self.incarnation()));
                return new Formed(known.values().stream().map(PeerIdentity::member).sorted().toList(), theirs, false);
            }
            if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(5)) {
                List<Integer> missing = new ArrayList<>(cluster.keySet());
                missing.remove(Integer.valueOf(self.nodeId()));
                missing.removeAll(known.keySet());
                log.info("forming the cluster: waiting for nodes {} to answer", missing);
                lastReport = System.nanoTime();
            }
            Thread.sleep(200); // a retry pause while peers start, not synchronization
        }
        throw new InterruptedException("stopped while forming the cluster");
    }

    static String clusterIdOf(List<MemberId> voters) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (MemberId m : voters) {
                sha.update((m.nodeId() + "." + Long.toHexString(m.incarnation()) + ";").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
