package io.flotilla.broker.node;

import io.flotilla.api.internal.v1.ControllerLinkGrpc;
import io.flotilla.api.internal.v1.HandOverRequest;
import io.flotilla.api.internal.v1.MemberProgress;
import io.flotilla.api.internal.v1.ReplicaReport;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.LeaderMove;
import io.flotilla.api.v1.NodeIdentity;
import io.flotilla.api.v1.RebalanceLeadersRequest;
import io.flotilla.api.v1.RebalanceLeadersResponse;
import io.flotilla.api.v1.ReplicaRole;
import io.flotilla.api.v1.TransferLeadershipRequest;
import io.flotilla.api.v1.TransferLeadershipResponse;
import io.flotilla.broker.api.ApiException;
import io.flotilla.broker.api.Calls;
import io.flotilla.broker.metadata.ClusterMetadata;
import io.flotilla.broker.metadata.CommandApplier;
import io.flotilla.broker.metadata.CommandResult;
import io.flotilla.broker.metadata.LeaderBalance;
import io.flotilla.broker.metadata.MetadataCommand.PreferredLeader;
import io.flotilla.broker.metadata.MetadataCommand.SetPreferredLeaders;
import io.flotilla.broker.metadata.Partition;
import io.flotilla.broker.metadata.Topic;
import io.flotilla.raft.MemberId;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * TransferLeadership and RebalanceLeaders, on the controller's leader (AdminService forwards
 * them there): both change preferred leaders in the controller's log; the transfer then asks
 * the partition's leader to hand over and waits for the target's report that it leads, and a
 * rebalance lets the leader balancers move leadership.
 */
final class LeadershipAdmin {
    private static final Logger log = LoggerFactory.getLogger(LeadershipAdmin.class);
    private static final int DEFAULT_TRANSFER_TIMEOUT_MS = 10_000;
    private static final int WAIT_CAP_MS = 60_000;
    private static final int HAND_OVER_DEADLINE_S = 5;

    private final NodeContext node;
    private final ControllerClient controller;
    private final ReplicaReports reports;
    private final LeaderBalancer balancer;

    LeadershipAdmin(NodeContext node, ControllerClient controller, ReplicaReports reports, LeaderBalancer balancer) {
        this.node = node;
        this.controller = controller;
        this.reports = reports;
        this.balancer = balancer;
    }

    // ------------------------------------------------------------------ TransferLeadership

    void transfer(TransferLeadershipRequest request, StreamObserver<TransferLeadershipResponse> out) {
        String name = request.getTopic();
        int index = request.getPartition();
        if (index < 0) {
            throw invalid("partition", "partition " + index + " is negative; partitions are numbered from 0");
        }
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(
                waitMs("timeout_ms", request.getTimeoutMs(), DEFAULT_TRANSFER_TIMEOUT_MS));
        ClusterMetadata metadata = node.metadata();
        CommandApplier.checkPartition(metadata, name, index).ifPresent(r -> {
            throw ControllerClient.rejected(r);
        });
        Partition partition = metadata.topic(name).orElseThrow().partitions().get(index);
        int requested = request.getTargetNodeId();
        if (requested != 0) {
            checkPreferable(metadata, name, index, requested);
        }
        ReplicaReport leader = reports.view().leader(partition.groupId());
        if (leader == null) {
            throw ApiException.of(ApiException.detail(ErrorReason.ERROR_REASON_NO_LEADER, "partition " + index
                    + " of topic '" + name + "' has no leader to hand over right now (an election is under way, or a"
                    + " majority of its replicas is unreachable); retry shortly").setTopic(name).setPartition(index)
                    .setRetryAfterMs(500));
        }
        int target = requested != 0 ? requested : mostCaughtUpOther(partition, leader, name, index);
        MemberId member = partition.replicas().stream().filter(m -> m.nodeId() == target).findFirst().orElseThrow();
        CompletableFuture<?> preferred = partition.preferredLeader().nodeId() == target
                ? CompletableFuture.completedFuture(null)
                : controller.submit(new SetPreferredLeaders(List.of(new PreferredLeader(name, index, target))));
        preferred.thenCompose(committed -> {
            handOver(partition.groupId(), leader.getLeaderNodeId(), member);
            long left = Math.max(0, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime()));
            return reports.awaitLeader(partition.groupId(), target, left);
        }).whenComplete((done, e) -> {
            if (e != null) {
                out.onError(Calls.statusOf(e));
                return;
            }
            ReplicaReport now = reports.view().leader(partition.groupId());
            out.onNext(TransferLeadershipResponse.newBuilder().setDone(done)
                    .setLeaderNodeId(now == null ? 0 : now.getLeaderNodeId())
                    .setLeaderTerm(now == null ? 0 : now.getLeaderTerm()).build());
            out.onCompleted();
        });
    }

    private static void checkPreferable(ClusterMetadata metadata, String name, int index, int nodeId) {
        CommandApplier.checkPreferredLeader(metadata, new PreferredLeader(name, index, nodeId)).ifPresent(r -> {
            throw ControllerClient.rejected(r);
        });
    }

    /** The voter other than the leader holding the most of its log, caught-up ones first; the replica list breaks ties. */
    private static int mostCaughtUpOther(Partition partition, ReplicaReport leader, String name, int index) {
        List<MemberProgress> others = new ArrayList<>();
        for (MemberId m : partition.replicas()) {
            MemberProgress p = ReplicaReports.member(leader, m);
            if (p != null && p.getNodeId() != leader.getLeaderNodeId() && p.getRole() == ReplicaRole.REPLICA_ROLE_VOTER) {
                others.add(p);
            }
        }
        return others.stream()
                .max(Comparator.comparing(MemberProgress::getCaughtUp)
                        .thenComparingLong(MemberProgress::getMatchEndOffset)
                        .thenComparing(Comparator.comparingInt(others::indexOf).reversed()))
                .map(MemberProgress::getNodeId)
                .orElseThrow(() -> ApiException.of(ApiException.detail(ErrorReason.ERROR_REASON_NOT_A_REPLICA,
                        "partition " + index + " of topic '" + name + "' has no voting replica but its leader (node "
                                + leader.getLeaderNodeId() + ") to take over; name a target_node_id holding a replica")
                        .setTopic(name).setPartition(index)));
    }

    /** Asks the group's leader to hand over; what happens shows in the reports, so the answer is only logged. */
    private void handOver(long groupId, int leaderNode, MemberId target) {
        if (leaderNode == node.nodeId()) {
            balancer.handOver(groupId, target);
            return;
        }
        ManagedChannel channel = controller.channel(leaderNode);
        if (channel == null) {
            return; // a node the metadata does not know: the balancer hands over once it can
        }
        HandOverRequest request = HandOverRequest.newBuilder().setGroupId(groupId)
                .setTarget(NodeIdentity.newBuilder().setNodeId(target.nodeId()).setIncarnation(target.incarnation()))
                .build();
        ControllerLinkGrpc.newFutureStub(channel).withDeadlineAfter(HAND_OVER_DEADLINE_S, TimeUnit.SECONDS)
                .handOver(request).addListener(() -> log.debug("asked node {} to hand group {} over to {}", leaderNode,
                        groupId, target), Runnable::run);
    }

    // ------------------------------------------------------------------ RebalanceLeaders

    void rebalance(RebalanceLeadersRequest request, StreamObserver<RebalanceLeadersResponse> out) {
        long waitMs = request.getWaitMs() == 0 ? 0 : waitMs("wait_ms", request.getWaitMs(), 0);
        ClusterMetadata metadata = node.metadata();
        List<Topic> topics = node.selectTopics(metadata, request.getTopicsList(), true);
        ReplicaReports.View view = reports.view();
        Set<Integer> alive = new HashSet<>();
        for (int nodeId : metadata.nodes().keySet()) {
            if (view.alive(nodeId)) {
                alive.add(nodeId);
            }
        }
        List<LeaderBalance.Slot> slots = new ArrayList<>();
        List<PreferredLeader> current = new ArrayList<>();
        for (Topic t : topics) {
            for (int p = 0; p < t.partitionCount(); p++) {
                Partition partition = t.partitions().get(p);
                slots.add(new LeaderBalance.Slot(partition.replicas().stream().map(MemberId::nodeId).toList(),
                        partition.preferredLeader().nodeId()));
                current.add(new PreferredLeader(t.name(), p, partition.preferredLeader().nodeId()));
            }
        }
        int[] chosen = LeaderBalance.choose(slots, alive);
        List<PreferredLeader> changes = new ArrayList<>();
        List<Long> groups = new ArrayList<>();
        List<LeaderMove.Builder> moves = new ArrayList<>();
        for (int i = 0; i < chosen.length; i++) {
            PreferredLeader before = current.get(i);
            if (chosen[i] == before.nodeId()) {
                continue;
            }
            long groupId = metadata.topic(before.topic()).orElseThrow().partitions().get(before.partition()).groupId();
            ReplicaReport leader = view.leader(groupId);
            changes.add(new PreferredLeader(before.topic(), before.partition(), chosen[i]));
            groups.add(groupId);
            moves.add(LeaderMove.newBuilder().setTopic(before.topic()).setPartition(before.partition())
                    .setFromNodeId(leader == null ? 0 : leader.getLeaderNodeId()).setToNodeId(chosen[i]));
        }
        if (request.getDryRun() || changes.isEmpty()) {
            answer(out, moves, metadata.version());
            return;
        }
        controller.submit(new SetPreferredLeaders(changes)).thenCompose(result -> {
            long version = ((CommandResult.PreferredLeadersSet) result).version();
            if (waitMs == 0) {
                return CompletableFuture.completedFuture(version);
            }
            List<CompletableFuture<Void>> waits = new ArrayList<>();
            for (int i = 0; i < groups.size(); i++) {
                int move = i;
                waits.add(reports.awaitLeader(groups.get(i), changes.get(i).nodeId(), waitMs)
                        .thenAccept(done -> moves.get(move).setDone(done)));
            }
            return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).thenApply(v -> version);
        }).whenComplete((version, e) -> {
            if (e != null) {
                out.onError(Calls.statusOf(e));
            } else {
                answer(out, moves, version); // after every wait's stage: their writes to the moves are visible
            }
        });
    }

    private static void answer(StreamObserver<RebalanceLeadersResponse> out, List<LeaderMove.Builder> moves,
                               long version) {
        RebalanceLeadersResponse.Builder response = RebalanceLeadersResponse.newBuilder().setMetadataVersion(version);
        moves.forEach(response::addMoves);
        out.onNext(response.build());
        out.onCompleted();
    }

    /** A wait asked for in {@code field}: the default for 0, capped, and within the call's deadline. */
    private static long waitMs(String field, int requested, int defaultMs) {
        if (requested < 0) {
            throw invalid(field, field + " is " + requested + "; give 0 for the default, or 1 .. " + WAIT_CAP_MS);
        }
        return Calls.waitMs(Math.min(requested == 0 ? defaultMs : requested, WAIT_CAP_MS));
    }

    private static ApiException invalid(String field, String message) {
        return ApiException.of(ApiException.detail(ErrorReason.ERROR_REASON_INVALID_REQUEST, message).setField(field));
    }
}
