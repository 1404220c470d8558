package io.flotilla.broker.coordinator;

import io.flotilla.api.v1.CommitOffsetsRequest;
import io.flotilla.api.v1.CommitOffsetsResponse;
import io.flotilla.api.v1.ConsumerGroupsGrpc;
import io.flotilla.api.v1.DeleteGroupRequest;
import io.flotilla.api.v1.DeleteGroupResponse;
import io.flotilla.api.v1.DescribeGroupRequest;
import io.flotilla.api.v1.DescribeGroupResponse;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.FetchOffsetsRequest;
import io.flotilla.api.v1.FetchOffsetsResponse;
import io.flotilla.api.v1.FindCoordinatorRequest;
import io.flotilla.api.v1.FindCoordinatorResponse;
import io.flotilla.api.v1.GroupState;
import io.flotilla.api.v1.HeartbeatRequest;
import io.flotilla.api.v1.HeartbeatResponse;
import io.flotilla.api.v1.LeaderHint;
import io.flotilla.api.v1.ListGroupsRequest;
import io.flotilla.api.v1.ListGroupsResponse;
import io.flotilla.api.v1.OffsetReset;
import io.flotilla.api.v1.OffsetSpec;
import io.flotilla.api.v1.ResetOffsetsRequest;
import io.flotilla.api.v1.ResetOffsetsResponse;
import io.flotilla.broker.api.ApiException;
import io.flotilla.broker.api.BrokerContext;
import io.flotilla.broker.api.Calls;
import io.flotilla.broker.groups.ConsumerGroup;
import io.flotilla.broker.groups.GroupCommand;
import io.flotilla.broker.groups.GroupCommand.OffsetCommit;
import io.flotilla.broker.groups.GroupRejection;
import io.flotilla.broker.groups.GroupResult;
import io.flotilla.broker.groups.GroupRules;
import io.flotilla.broker.groups.PartitionOrder;
import io.flotilla.store.TopicPartition;
import io.grpc.Channel;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * consumer_groups.proto's ConsumerGroups service, on every node. FindCoordinator and ListGroups
 * answer anywhere; every other call runs on the loop of the group's coordinator partition when
 * this node leads it, and is refused with NOT_COORDINATOR otherwise. Each call is checked in the
 * contract's order: what is wrong whatever the state (INVALID_ARGUMENT, before routing), where
 * the group lives, then the group's state, evaluated before anything is proposed, so a refused
 * call writes nothing. Changes are answered once their entry is committed and applied.
 */
public final class ConsumerGroupsService extends ConsumerGroupsGrpc.ConsumerGroupsImplBase {
    private final BrokerContext node;
    private final GroupCoordinator coordinator;
    private final OffsetResolver resolver;
    private final GroupLister lister;

    /** @param channels a channel to a node's API, null when its address is unknown */
    public ConsumerGroupsService(BrokerContext node, GroupCoordinator coordinator, IntFunction<Channel> channels) {
        this.node = node;
        this.coordinator = coordinator;
        this.resolver = new OffsetResolver(node, channels);
        this.lister = new GroupLister(node, coordinator, channels);
    }

    /** The service's definition, with the interceptor that hands it each call's client host and internal headers. */
    public static ServerServiceDefinition bind(ConsumerGroupsService service) {
        return ServerInterceptors.intercept(service.bindService(), new CallContext());
    }

    // ------------------------------------------------------------------ FindCoordinator

    @Override
    public void findCoordinator(FindCoordinatorRequest request, StreamObserver<FindCoordinatorResponse> out) {
        Calls.answer(out, () -> {
            node.checkReady();
            String groupId = request.getGroupId();
            refuseIfInvalid(groupId, GroupRules.checkGroupId(groupId));
            GroupCoordinator.Route route = coordinator.route(groupId);
            String address = route.leaderNode() == 0 ? null : node.addressOf(route.leaderNode());
            if (address == null) {
                throw CoordinatorErrors.noLeader(CoordinatorErrors.group(groupId), groupId);
            }
            return FindCoordinatorResponse.newBuilder().setCoordinator(LeaderHint.newBuilder()
                    .setNodeId(route.leaderNode()).setAddress(address).setLeaderTerm(route.leaderTerm())).build();
        });
    }

    // ------------------------------------------------------------------ Heartbeat

    @Override
    public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> out) {
        answerLater(out, () -> {
            node.checkReady();
            List<TopicPartition> owned = GroupAnswers.partitions(request.getOwnedPartitionsList(), "owned_partitions");
            GroupCommand.OfGroup command = request.getLeave()
                    ? new GroupCommand.LeaveGroup(request.getGroupId(), request.getMemberId())
                    : new GroupCommand.Heartbeat(request.getGroupId(), request.getMemberId(), request.getMemberEpoch(),
                            request.getSubscribedTopicsList(), owned,
                            request.getAssignor(), request.getSessionTimeoutMs(), request.getRebalanceTimeoutMs(),
                            request.getClientId(), CallContext.clientHost(), System.currentTimeMillis());
            return submit(command, result -> {
                HeartbeatResponse.Builder answer = HeartbeatResponse.newBuilder();
                if (result instanceof GroupResult.MemberAssignment a) {
                    answer.setMemberEpoch(a.memberEpoch()).setHeartbeatIntervalMs(a.heartbeatIntervalMs())
                            .addAllAssignment(GroupAnswers.grouped(a.assignment()));
                    Set<TopicPartition> held = new HashSet<>(owned);
                    a.assignment().stream().filter(p -> !held.contains(p))
                            .forEach(p -> answer.addStartOffsets(GroupAnswers.committed(a.committed(), p)));
                }
                return answer.build();
            });
        });
    }

    // ------------------------------------------------------------------ CommitOffsets

    @Override
    public void commitOffsets(CommitOffsetsRequest request, StreamObserver<CommitOffsetsResponse> out) {
        answerLater(out, () -> {
            node.checkReady();
            List<OffsetCommit> offsets = new ArrayList<>(request.getOffsetsCount());
            for (int i = 0; i < request.getOffsetsCount(); i++) {
                io.flotilla.api.v1.OffsetCommit o = request.getOffsets(i);
                if (o.getPartition() < 0) {
                    throw ApiException.of(ApiException.detail(ErrorReason.ERROR_REASON_INVALID_REQUEST, "offsets[" + i
                            + "] names partition " + o.getPartition() + " of topic '" + o.getTopic() + "'; partitions are"
                            + " numbered from 0").setField("offsets[" + i + "].partition"));
                }
                offsets.add(new OffsetCommit(new TopicPartition(o.getTopic(), o.getPartition()), o.getOffset(),
                        o.getMetadata()));
            }
            GroupCommand.CommitOffsets command = new GroupCommand.CommitOffsets(request.getGroupId(),
                    request.getMemberId(), request.getMemberEpoch(), offsets, System.currentTimeMillis());
            return submit(command, result -> CommitOffsetsResponse.newBuilder()
                    .setCommitTimeMs(((GroupResult.OffsetsCommitted) result).commitTimeMs()).build());
        });
    }

    // ------------------------------------------------------------------ reads

    @Override
    public void fetchOffsets(FetchOffsetsRequest request, StreamObserver<FetchOffsetsResponse> out) {
        answerLater(out, () -> {
            node.checkReady();
            String groupId = request.getGroupId();
            refuseIfInvalid(groupId, GroupRules.checkGroupId(groupId));
            List<TopicPartition> named = GroupAnswers.partitions(request.getPartitionsList(), "partitions");
            return coordinator.atCoordinatorLater(groupId, (p, n) -> p.readGroup(n, groupId)).thenApply(found -> {
                ConsumerGroup group = found.orElseThrow(() -> notFound(groupId));
                SortedSet<TopicPartition> shown = new TreeSet<>(PartitionOrder.ORDER);
                if (request.getPartitionsCount() == 0) {
                    shown.addAll(group.offsets().byPartition().keySet());
                } else {
                    shown.addAll(named);
                    request.getPartitionsList().stream().filter(l -> l.getPartitionsCount() == 0).forEach(l -> {
                        BrokerContext.TopicView topic = node.topic(l.getTopic());
                        for (int i = 0; topic != null && i < topic.partitionCount(); i++) {
                            shown.add(new TopicPartition(l.getTopic(), i));
                        }
                        group.offsets().byPartition().keySet().stream().filter(tp -> tp.topic().equals(l.getTopic()))
                                .forEach(shown::add);
                    });
                }
                FetchOffsetsResponse.Builder answer = FetchOffsetsResponse.newBuilder();
                shown.forEach(tp -> answer.addOffsets(GroupAnswers.committed(group, tp)));
                return answer.build();
            });
        });
    }

    @Override
    public void describeGroup(DescribeGroupRequest request, StreamObserver<DescribeGroupResponse> out) {
        answerLater(out, () -> {
            node.checkReady();
            String groupId = request.getGroupId();
            refuseIfInvalid(groupId, GroupRules.checkGroupId(groupId));
            return coordinator.atCoordinatorLater(groupId, (p, n) -> p.describe(n, groupId)).thenApply(found ->
                    GroupAnswers.describe(found.orElseThrow(() -> notFound(groupId)), node.nodeId(),
                            System.currentTimeMillis(), this::highWatermark));
        });
    }

    /** The partition's high watermark from this node's replica (the leader's own, or a follower's a little behind); -1 without one. */
    private long highWatermark(TopicPartition p) {
        BrokerContext.TopicView topic = node.topic(p.topic());
        if (topic == null || p.partition() >= topic.partitionCount()) {
            return -1;
        }
        io.flotilla.broker.partition.PartitionReplica replica = node.replica(topic.groupIds()[p.partition()]);
        return replica == null ? -1 : replica.highWatermark();
    }

    @Override
    public void listGroups(ListGroupsRequest request, StreamObserver<ListGroupsResponse> out) {
        answerLater(out, () -> {
            for (int i = 0; i < request.getStatesCount(); i++) {
                GroupState s = request.getStates(i);
                if (s == GroupState.GROUP_STATE_UNSPECIFIED || s == GroupState.UNRECOGNIZED) {
                    throw ApiException.of(ApiException.detail(ErrorReason.ERROR_REASON_INVALID_REQUEST, "states[" + i
                            + "] is " + s + "; filter by EMPTY, RECONCILING or STABLE").setField("states[" + i + "]"));
                }
            }
            node.checkReady();
            return lister.list(request);
        });
    }

    // ------------------------------------------------------------------ DeleteGroup, ResetOffsets

    @Override
    public void deleteGroup(DeleteGroupRequest request, StreamObserver<DeleteGroupResponse> out) {
        answerLater(out, () -> {
            node.checkReady();
            return submit(new GroupCommand.DeleteGroup(request.getGroupId()), r -> DeleteGroupResponse.getDefaultInstance());
        });
    }

    @Override
    public void resetOffsets(ResetOffsetsRequest request, StreamObserver<ResetOffsetsResponse> out) {
        answerLater(out, () -> {
            node.checkReady();
            String groupId = request.getGroupId();
            refuseIfInvalid(groupId, GroupRules.checkGroupId(groupId));
            checkReset(request);
            GroupAnswers.partitions(request.getPartitionsList(), "partitions"); // INVALID_ARGUMENT before routing
            long waitMs = Calls.waitMs(30_000);
            // The group's state first (does it exist, is it empty, are the partitions there?),
            // so a refused reset asks no partition leader anything.
            CompletableFuture<SortedSet<TopicPartition>> checked = coordinator.atCoordinator(groupId, (p, n) -> {
                SortedMap<String, Integer> counts = p.partitionCounts(n, groupId);
                SortedSet<TopicPartition> selected = GroupAnswers.selected(request.getPartitionsList(), "partitions",
                        topic -> counts.getOrDefault(topic, 0));
                refuseIfRejected(groupId, p.evaluate(n, reset(groupId, selected, List.of())));
                return selected;
            });
            return checked.thenCompose(selected -> resolver.resolve(selected, request.getSpec(), waitMs))
                    .thenCompose(offsets -> {
                        GroupCommand.ResetOffsets command = reset(groupId, offsets.keySet(),
                                offsets.values().stream().toList());
                        CompletableFuture<GroupResult> done = request.getDryRun()
                                ? coordinator.atCoordinator(groupId, (p, n) -> p.evaluate(n, command))
                                : coordinator.atCoordinatorLater(groupId, (p, n) -> p.submit(n, command));
                        return done.thenApply(result -> {
                            refuseIfRejected(groupId, result);
                            ResetOffsetsResponse.Builder answer = ResetOffsetsResponse.newBuilder();
                            ((GroupResult.OffsetsReset) result).offsets().forEach(r -> answer.addOffsets(OffsetReset
                                    .newBuilder().setTopic(r.partition().topic()).setPartition(r.partition().partition())
                                    .setPreviousOffset(r.previousOffset()).setNewOffset(r.newOffset())));
                            return answer.build();
                        });
                    });
        });
    }

    /** A reset of {@code partitions} to {@code offsets} (in their order; empty: offset 0 each, for checking). */
    private static GroupCommand.ResetOffsets reset(String groupId, java.util.Collection<TopicPartition> partitions,
            List<Long> offsets) {
        List<OffsetCommit> out = new ArrayList<>(partitions.size());
        int i = 0;
        for (TopicPartition p : partitions) {
            out.add(new OffsetCommit(p, offsets.isEmpty() ? 0 : offsets.get(i++), ""));
        }
        return new GroupCommand.ResetOffsets(groupId, out, System.currentTimeMillis());
    }

    private static void checkReset(ResetOffsetsRequest request) {
        if (request.getPartitionsCount() == 0) {
            throw invalid("partitions", "no partitions given: name at least one topic (with no partition indexes,"
                    + " all of its partitions)");
        }
        OffsetSpec spec = request.getSpec();
        switch (spec.getSpecCase()) {
            case SPEC_NOT_SET -> throw invalid("spec", "spec is required: earliest, latest, timestamp_ms or offset");
            case EARLIEST, LATEST -> {
                if (!spec.getEarliest() && !spec.getLatest()) {
                    throw invalid("spec", "spec.earliest and spec.latest must be true when set");
                }
            }
            case TIMESTAMP_MS -> {
                if (spec.getTimestampMs() < 0) {
                    throw invalid("spec.timestamp_ms", "timestamp_ms " + spec.getTimestampMs() + " is negative");
                }
            }
            case OFFSET -> {
                if (spec.getOffset() < 0) {
                    throw invalid("spec.offset", "offset " + spec.getOffset() + " is negative; offsets are >= 0");
                }
            }
            default -> {
            }
        }
    }

    // ------------------------------------------------------------------ shared

    /**
     * Checks {@code command} (INVALID_ARGUMENT, nothing routed), then submits it on its
     * coordinator; the answer is built from its result, or a refusal becomes its status.
     */
    private <T> CompletableFuture<T> submit(GroupCommand.OfGroup command, Function<GroupResult, T> answer) {
        refuseIfInvalid(command.groupId(), GroupRules.check(command));
        return coordinator.atCoordinatorLater(command.groupId(), (p, n) -> p.submit(n, command)).thenApply(result -> {
            refuseIfRejected(command.groupId(), result);
            return answer.apply(result);
        });
    }

    private static void refuseIfInvalid(String groupId, Optional<GroupRejection> invalid) {
        invalid.ifPresent(r -> {
            throw CoordinatorErrors.rejected(groupId, r);
        });
    }

    private static void refuseIfRejected(String groupId, GroupResult result) {
        if (result instanceof GroupRejection r) {
            throw CoordinatorErrors.rejected(groupId, r);
        }
    }

    private static ApiException notFound(String groupId) {
        return CoordinatorErrors.rejected(groupId, new GroupRejection(ErrorReason.ERROR_REASON_GROUP_NOT_FOUND,
                "group '" + groupId + "' does not exist"));
    }

    private static ApiException invalid(String field, String message) {
        return ApiException.of(ApiException.detail(ErrorReason.ERROR_REASON_INVALID_REQUEST, message).setField(field));
    }

    /** Answers with what {@code call}'s future completes with, or the status of what fails, thrown or completed. */
    private static <T> void answerLater(StreamObserver<T> out, java.util.function.Supplier<CompletableFuture<T>> call) {
        CompletableFuture<T> answer;
        try {
            answer = call.get();
        } catch (RuntimeException e) {
            out.onError(Calls.statusOf(e));
            return;
        }
        answer.whenComplete((value, e) -> {
            if (e != null) {
                out.onError(Calls.statusOf(e));
            } else {
                out.onNext(value);
                out.onCompleted();
            }
        });
    }
}
