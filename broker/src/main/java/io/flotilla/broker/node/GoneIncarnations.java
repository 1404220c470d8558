package io.flotilla.broker.node;

import io.flotilla.broker.controller.ControllerReplica;
import io.flotilla.broker.metadata.ClusterMetadata;
import io.flotilla.broker.metadata.NodeRegistration;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.driver.RaftDriver;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Earlier incarnations of nodes that came back with a wiped directory: they will never speak
 * again, so the groups here that one of them led look for a new leader at once. Raft's driver
 * learns of a leader's death in a quiet group only from the leader's node falling silent, and a
 * node that is back is not silent, though the incarnation that led is gone.
 */
final class GoneIncarnations {
    private final RaftDriver driver;
    private final PartitionHost partitions;
    /** The registrations of the last metadata seen; the controller's loop thread only. */
    private final Map<Integer, NodeRegistration> registered = new HashMap<>();

    GoneIncarnations(RaftDriver driver, PartitionHost partitions) {
        this.driver = driver;
        this.partitions = partitions;
    }

    /** The metadata changed (on the controller's loop): every incarnation it replaced is gone. */
    void metadataChanged(ClusterMetadata metadata) {
        for (NodeRegistration now : metadata.nodes().values()) {
            NodeRegistration before = registered.put(now.nodeId(), now);
            if (before != null && before.incarnation() != now.incarnation()) {
                gone(before.member());
            }
        }
    }

    /** {@code old} is gone (from any thread): the groups here it led suspect their leader. */
    void gone(MemberId old) {
        List<Long> groups = new ArrayList<>(partitions.hosted().keySet());
        groups.add(ControllerReplica.GROUP_ID);
        for (long groupId : groups) {
            driver.call(groupId, n -> {
                if (old.equals(n.leader())) {
                    n.suspectLeader();
                }
                return null;
            });
        }
    }
}
