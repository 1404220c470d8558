package io.flotilla.broker.metadata;

import io.flotilla.raft.MemberId;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One partition of a topic: its Raft group, the members the group should have, and those it is
 * letting go.
 *
 * <p>The controller records only where the group should be ({@code replicas}); the group's
 * leader changes the Raft membership toward it one member at a time (new members join as
 * learners and are promoted once caught up). A member taken out of {@code replicas} stays
 * listed in {@code leaving}, and its node keeps its replica, until the group's leader reports
 * its removal committed ({@link MetadataCommand.ReplicasLeft}): only then is its data deleted.
 *
 * @param groupId  the partition's Raft group, unique for the cluster's life (0 is the controller)
 * @param replicas the members the group should have, on distinct nodes; the first is the
 *                 preferred leader
 * @param leaving  members no longer wanted whose removal from the group is not known to have
 *                 committed, in member order; none of them is in {@code replicas} (one may share
 *                 a node with a replica: an older incarnation of that node)
 * @param epoch    0 as created, one more on every change of {@code replicas}' members or of
 *                 {@code leaving} (a new preferred leader alone keeps it): a report about the
 *                 group names the epoch it was made against, so a report older than the last
 *                 change cannot confirm a removal
 */
public record Partition(long groupId, List<MemberId> replicas, List<MemberId> leaving, long epoch) {

    public Partition {
        if (groupId < 1) {
            throw new IllegalArgumentException("a partition's group id is >= 1 (0 is the controller), got " + groupId);
        }
        replicas = List.copyOf(replicas);
        leaving = List.copyOf(new TreeSet<>(leaving));
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException("group " + groupId + " has no replicas");
        }
        if (epoch < 0) {
            throw new IllegalArgumentException("group " + groupId + " has epoch " + epoch + "; epochs start at 0");
        }
        Set<Integer> nodes = new HashSet<>();
        for (MemberId m : replicas) {
            if (!nodes.add(m.nodeId())) {
                throw new IllegalArgumentException("group " + groupId + " has node " + m.nodeId() + " twice: " + replicas);
            }
        }
        for (MemberId m : leaving) {
            if (replicas.contains(m)) {
                throw new IllegalArgumentException("group " + groupId + " lists " + m + " both as a replica and as leaving");
            }
        }
    }

    /** A new partition: its replicas are the group's founding voters. */
    public Partition(long groupId, List<MemberId> replicas) {
        this(groupId, replicas, List.of(), 0);
    }

    /** The node that should lead when it can. */
    public MemberId preferredLeader() {
        return replicas.get(0);
    }

    /** Whether the replicas are still the ones the group was created with: its founding voters. */
    public boolean asCreated() {
        return epoch == 0;
    }

    /** Every member a node should host a replica for: the wanted ones and the leaving ones. */
    public List<MemberId> hosted() {
        List<MemberId> all = new ArrayList<>(replicas);
        all.addAll(leaving);
        return all;
    }

    /**
     * The partition with {@code target} as its replicas: members dropped from the replicas start
     * leaving, leaving members wanted again stop. Reordering alone keeps the epoch.
     */
    public Partition retarget(List<MemberId> target) {
        TreeSet<MemberId> nextLeaving = new TreeSet<>(leaving);
        nextLeaving.addAll(replicas);
        nextLeaving.removeAll(target);
        boolean changed = !new HashSet<>(target).equals(new HashSet<>(replicas)) || !nextLeaving.equals(new TreeSet<>(leaving));
        return new Partition(groupId, target, new ArrayList<>(nextLeaving), changed ? epoch + 1 : epoch);
    }

    /** The partition once {@code left} (all leaving) are out of the group for good. */
    public Partition withoutLeaving(Collection<MemberId> left) {
        List<MemberId> rest = new ArrayList<>(leaving);
        rest.removeAll(left);
        return new Partition(groupId, replicas, rest, epoch + 1);
    }
}
