package io.flotilla.broker.node;

import io.flotilla.api.internal.v1.ReplicaReport;
import io.flotilla.broker.metadata.ClusterMetadata;
import io.flotilla.broker.metadata.MetadataCommand;
import io.flotilla.broker.metadata.Partition;
import io.flotilla.broker.metadata.Topic;
import io.flotilla.raft.MemberId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * On the controller's leader: records that leaving members are out of their groups for good
 * ({@link MetadataCommand.ReplicasLeft}), so that their nodes delete their replicas. The proof
 * is a group leader's status report: its membership committed, without them, read while its
 * node's metadata had the partition at the epoch it has now. A report from before the last
 * change of the partition proves nothing (the member may have been added back since), and a
 * membership not yet committed may still be truncated, restoring the member.
 */
final class LeavingReplicas {
    private static final Logger log = LoggerFactory.getLogger(LeavingReplicas.class);

    private final ControllerClient controller;
    private final Supplier<ClusterMetadata> metadata;
    private final ReplicaReports reports;
    /** Groups with a ReplicasLeft proposed and not answered yet, by group id and epoch. */
    private final Set<String> proposed = ConcurrentHashMap.newKeySet();

    LeavingReplicas(ControllerClient controller, Supplier<ClusterMetadata> metadata, ReplicaReports reports) {
        this.controller = controller;
        this.metadata = metadata;
        this.reports = reports;
    }

    /** One pass over the partitions letting members go (on the node timer; never blocks). */
    void pass() {
        if (!controller.local()) {
            return;
        }
        ReplicaReports.View view = null;
        for (Topic topic : metadata.get().topics().values()) {
            for (Partition p : topic.partitions()) {
                if (p.leaving().isEmpty()) {
                    continue;
                }
                view = view == null ? reports.view() : view;
                ReplicaReport leader = view.leader(p.groupId());
                if (leader == null || !leader.getMembershipCommitted() || leader.getPartitionEpoch() != p.epoch()) {
                    continue;
                }
                List<MemberId> left = p.leaving().stream().filter(m -> ReplicaReports.member(leader, m) == null).toList();
                String key = p.groupId() + "@" + p.epoch();
                if (!left.isEmpty() && proposed.add(key)) {
                    controller.submit(new MetadataCommand.ReplicasLeft(p.groupId(), p.epoch(), left))
                            .whenComplete((result, e) -> {
                                proposed.remove(key);
                                if (e == null) {
                                    log.info("group {} of topic '{}': {} left; their nodes delete their replicas",
                                            p.groupId(), topic.name(), left);
                                }
                            });
                }
            }
        }
    }
}
