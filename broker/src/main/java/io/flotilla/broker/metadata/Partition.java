package io.flotilla.broker.metadata;

import io.flotilla.raft.MemberId;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One partition of a topic: its Raft group and the group's members.
 *
 * @param groupId  the partition's Raft group, unique for the cluster's life (0 is the controller)
 * @param replicas the members, on distinct nodes; the first is the preferred leader
 */
public record Partition(long groupId, List<MemberId> replicas) {

    public Partition {
        if (groupId < 1) {
            throw new IllegalArgumentException("a partition's group id is >= 1 (0 is the controller), got " + groupId);
        }
        replicas = List.copyOf(replicas);
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException("group " + groupId + " has no replicas");
        }
        Set<Integer> nodes = new HashSet<>();
        for (MemberId m : replicas) {
            if (!nodes.add(m.nodeId())) {
                throw new IllegalArgumentException("group " + groupId + " has node " + m.nodeId() + " twice: " + replicas);
            }
        }
    }

    /** The node that should lead when it can. */
    public MemberId preferredLeader() {
        return replicas.get(0);
    }
}
