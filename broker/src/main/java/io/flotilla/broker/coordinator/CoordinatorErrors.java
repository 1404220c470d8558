package io.flotilla.broker.coordinator;

import io.flotilla.api.v1.ErrorDetail;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.LeaderHint;
import io.flotilla.broker.api.ApiException;
import io.flotilla.broker.groups.GroupRejection;
import io.flotilla.store.TopicPartition;

import java.util.List;
import java.util.function.IntFunction;

/** The answers about a group that do not come from its state machine: where its coordinator is, and refusals. */
final class CoordinatorErrors {
    private CoordinatorErrors() {
    }

    /**
     * NOT_COORDINATOR naming the coordinator, or NO_LEADER while its partition has none
     * ({@code leaderNode} 0).
     *
     * @param about   what calls went to the wrong node: "group 'g'", or a coordinator partition
     *                for calls about several groups
     * @param groupId the group, for the detail; empty for several
     */
    static ApiException notCoordinator(String about, String groupId, int selfNode, int leaderNode, long leaderTerm,
            IntFunction<String> addressOf) {
        if (leaderNode <= 0 || leaderNode == selfNode) {
            return noLeader(about, groupId);
        }
        String address = addressOf.apply(leaderNode);
        return ApiException.of(detail(ErrorReason.ERROR_REASON_NOT_COORDINATOR, groupId, "node " + selfNode
                + " is not the coordinator of " + about + "; node " + leaderNode
                + (address == null ? "" : " (" + address + ")") + " is: send the call there")
                .setLeader(LeaderHint.newBuilder().setNodeId(leaderNode).setLeaderTerm(leaderTerm)
                        .setAddress(address == null ? "" : address)));
    }

    static ApiException noLeader(String about, String groupId) {
        return ApiException.of(detail(ErrorReason.ERROR_REASON_NO_LEADER, groupId, "the coordinator of " + about
                + " has no leader right now (an election is under way, or the cluster is still creating its"
                + " coordinator partitions); retry shortly").setRetryAfterMs(200));
    }

    /** A new coordinator leader has not applied its predecessor's entries yet. */
    static ApiException loading(String about, String groupId, int selfNode) {
        return ApiException.of(detail(ErrorReason.ERROR_REASON_NODE_NOT_READY, groupId, "node " + selfNode
                + " just became the coordinator of " + about + " and is still loading the group state; retry shortly")
                .setRetryAfterMs(50));
    }

    /** How messages name a group. */
    static String group(String groupId) {
        return "group '" + groupId + "'";
    }

    /** The coordinator's replica stopped, or the node is stopping. */
    static ApiException stopped(String what, int selfNode) {
        return ApiException.of(ApiException.detail(ErrorReason.ERROR_REASON_NODE_NOT_READY, "node " + selfNode
                + " no longer coordinates " + what + "; ask FindCoordinator for the new coordinator")
                .setRetryAfterMs(500));
    }

    /** A command the group's state refused: one detail, or one per partition it names. */
    static ApiException rejected(String groupId, GroupRejection r) {
        if (r.partitions().isEmpty()) {
            return ApiException.of(detail(r.reason(), groupId, r.message()));
        }
        List<ErrorDetail> details = r.partitions().stream().map(p -> partitionDetail(r, groupId, p)).toList();
        return ApiException.of(r.message(), details);
    }

    private static ErrorDetail partitionDetail(GroupRejection r, String groupId, TopicPartition p) {
        return detail(r.reason(), groupId, r.message()).setTopic(p.topic()).setPartition(p.partition()).build();
    }

    private static ErrorDetail.Builder detail(ErrorReason reason, String groupId, String message) {
        return ApiException.detail(reason, message).setGroupId(groupId);
    }
}
