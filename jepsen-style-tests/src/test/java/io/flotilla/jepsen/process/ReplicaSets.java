package io.flotilla.jepsen.process;

import io.flotilla.api.v1.AdminGrpc;
import io.flotilla.api.v1.DescribeTopicsRequest;
import io.flotilla.api.v1.DescribeTopicsResponse;
import io.flotilla.api.v1.PartitionStatus;
import io.flotilla.api.v1.ReplicaRole;
import io.flotilla.api.v1.ReplicaStatus;
import io.flotilla.api.v1.TopicDescription;
import io.grpc.StatusRuntimeException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Whether every partition of the cluster, of every topic including the internal ones (the
 * consumer groups' {@code __groups}), has its replicas back in place: a leader, and every
 * replica a voter that is caught up, as DescribeTopics shows the leaders' last reports (about a
 * second old). A wiped node's new incarnation is in place once it replaced the old one in every
 * group it is placed in (the old one no longer listed as leaving, the new one promoted from
 * learner) and caught up; a replica that recovered from damage once it caught up.
 */
final class ReplicaSets {
    private static final long CALL_DEADLINE_MS = 2_000;

    private ReplicaSets() {
    }

    /**
     * Waits until the replicas are in place.
     *
     * @return null once they are, else what was still out of place when {@code timeoutMs} ran out
     */
    static String awaitInPlace(Routes routes, long timeoutMs) throws InterruptedException {
        return Polls.untilNone(() -> outOfPlace(routes), timeoutMs);
    }

    /** The first partition whose replicas are not in place, or a failure to learn it; null if all are. */
    private static String outOfPlace(Routes routes) {
        DescribeTopicsResponse answer = null;
        String failure = null;
        for (int node : routes.nodes()) {
            try {
                answer = AdminGrpc.newBlockingStub(routes.channel(node))
                        .withDeadlineAfter(CALL_DEADLINE_MS, TimeUnit.MILLISECONDS)
                        .describeTopics(DescribeTopicsRequest.newBuilder().setIncludeInternal(true).build());
                break;
            } catch (StatusRuntimeException e) {
                failure = "DescribeTopics failed on node " + node + ": " + e.getStatus();
            }
        }
        if (answer == null) {
            return failure;
        }
        for (TopicDescription topic : answer.getTopicsList()) {
            for (PartitionStatus p : topic.getPartitionsList()) {
                boolean inPlace = p.getLeaderNodeId() != 0 && p.getReplicasList().stream()
                        .allMatch(r -> r.getRole() == ReplicaRole.REPLICA_ROLE_VOTER && r.getCaughtUp());
                if (!inPlace) {
                    return topic.getName() + "-" + p.getPartition() + ": leader " + p.getLeaderNodeId() + ", replicas "
                            + p.getReplicasList().stream().map(ReplicaSets::describe).toList();
                }
            }
        }
        return null;
    }

    private static String describe(ReplicaStatus r) {
        return r.getNodeId() + " " + r.getRole().name().substring("REPLICA_ROLE_".length()).toLowerCase(Locale.ROOT)
                + (r.getCaughtUp() ? "" : " behind");
    }
}
