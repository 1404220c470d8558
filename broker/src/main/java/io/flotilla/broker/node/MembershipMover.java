package io.flotilla.broker.node;

import io.flotilla.api.internal.v1.MemberProgress;
import io.flotilla.api.internal.v1.ReplicaReport;
import io.flotilla.api.v1.ReplicaRole;
import io.flotilla.broker.controller.ControllerReplica;
import io.flotilla.broker.metadata.ClusterMetadata;
import io.flotilla.broker.metadata.NodeRegistration;
import io.flotilla.broker.metadata.Partition;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.Membership;
import io.flotilla.raft.NotLeaderException;
import io.flotilla.raft.RaftNode;
import io.flotilla.raft.driver.RaftDriver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Moves the Raft groups this node leads toward the members the metadata wants, one change at a
 * time ({@link MembershipStep}), each once the previous one committed: a data partition toward
 * its replica list, after each status survey and with the survey's word on which members are
 * caught up; the controller group, while this node leads it, toward the registered incarnations
 * of the {@code --cluster} nodes (a node whose directory was wiped rejoins as a new one).
 *
 * <p>Runs on the node timer; the steps themselves run on the groups' loops.
 */
final class MembershipMover {
    private static final Logger log = LoggerFactory.getLogger(MembershipMover.class);

    private final int selfNode;
    private final RaftDriver driver;
    private final PartitionIndex index;
    private final Supplier<ClusterMetadata> metadata;
    private final Set<Integer> controllerNodes;
    private final BooleanSupplier leadsController;

    /**
     * @param controllerNodes the nodes of {@code --cluster}: the controller group's voters
     * @param leadsController whether this node leads the controller group and its metadata is current
     */
    MembershipMover(int selfNode, RaftDriver driver, PartitionIndex index, Supplier<ClusterMetadata> metadata,
                    Set<Integer> controllerNodes, BooleanSupplier leadsController) {
        this.selfNode = selfNode;
        this.driver = driver;
        this.index = index;
        this.metadata = metadata;
        this.controllerNodes = Set.copyOf(controllerNodes);
        this.leadsController = leadsController;
    }

    /** One pass over the groups of {@code led}, the latest survey of the partitions this node leads. */
    void pass(Map<Long, ReplicaReport> led) {
        led.forEach((groupId, report) -> {
            Partition partition = index.partition(groupId);
            if (partition != null && !settled(partition, report)) {
                Set<MemberId> caughtUp = caughtUp(report);
                step(groupId, node -> partition.replicas(), node -> caughtUp::contains);
            }
        });
        if (leadsController.getAsBoolean()) {
            step(ControllerReplica.GROUP_ID, this::controllerTarget, node -> m -> node.matchEnd(m) >= node.commitEnd());
        }
    }

    /** The group has exactly the wanted members, all voting, and lets nobody go. */
    private static boolean settled(Partition partition, ReplicaReport report) {
        if (!partition.leaving().isEmpty() || report.getMembersCount() != partition.replicas().size()) {
            return false;
        }
        for (MemberId m : partition.replicas()) {
            MemberProgress p = ReplicaReports.member(report, m);
            if (p == null || p.getRole() != ReplicaRole.REPLICA_ROLE_VOTER) {
                return false;
            }
        }
        return true;
    }

    private static Set<MemberId> caughtUp(ReplicaReport report) {
        Set<MemberId> out = new HashSet<>();
        for (MemberProgress p : report.getMembersList()) {
            if (p.getCaughtUp()) {
                out.add(new MemberId(p.getNodeId(), p.getIncarnation()));
            }
        }
        return out;
    }

    /** Every {@code --cluster} node as registered, or as it is a member now while not registered yet. */
    private List<MemberId> controllerTarget(RaftNode node) {
        Map<Integer, NodeRegistration> registered = metadata.get().nodes();
        List<MemberId> target = new ArrayList<>();
        for (int nodeId : controllerNodes) {
            NodeRegistration r = registered.get(nodeId);
            if (r != null) {
                target.add(r.member());
            } else {
                node.membership().members().stream().filter(m -> m.nodeId() == nodeId).findFirst().ifPresent(target::add);
            }
        }
        return target;
    }

    /** On the group's loop: the step its membership is due, if this node leads and the last change committed. */
    private void step(long groupId, Function<RaftNode, List<MemberId>> target,
                      Function<RaftNode, Predicate<MemberId>> caughtUp) {
        driver.call(groupId, node -> {
            if (!node.self().equals(node.leader()) || !node.membershipCommitted()) {
                return null;
            }
            Membership current = node.membership();
            MembershipStep.Step step = MembershipStep.next(current, target.apply(node), node.self(), caughtUp.apply(node))
                    .orElse(null);
            try {
                if (step instanceof MembershipStep.Change c) {
                    node.proposeMembership(c.next());
                    log.info("node {}: group {} changes membership {} -> {}", selfNode, groupId, current, c.next());
                } else if (step instanceof MembershipStep.HandOver h) {
                    node.transferLeadership(h.target());
                    log.info("node {}: group {} hands leadership to {} before its removal", selfNode, groupId, h.target());
                }
            } catch (IllegalStateException | NotLeaderException notYet) {
                // its first entry of the term is not committed, or a hand-over is under way: next pass
            }
            return null;
        }).exceptionally(e -> null); // the group left this node meanwhile
    }
}
