package io.flotilla.broker.node;

import io.flotilla.api.v1.AdminGrpc;
import io.flotilla.api.v1.AlterReplicationFactorRequest;
import io.flotilla.api.v1.AlterReplicationFactorResponse;
import io.flotilla.api.v1.AlterTopicConfigRequest;
import io.flotilla.api.v1.AlterTopicConfigResponse;
import io.flotilla.api.v1.ControllerStatus;
import io.flotilla.api.v1.CreatePartitionsRequest;
import io.flotilla.api.v1.CreatePartitionsResponse;
import io.flotilla.api.v1.CreateTopicRequest;
import io.flotilla.api.v1.CreateTopicResponse;
import io.flotilla.api.v1.DeleteTopicRequest;
import io.flotilla.api.v1.DeleteTopicResponse;
import io.flotilla.api.v1.DescribeClusterRequest;
import io.flotilla.api.v1.DescribeClusterResponse;
import io.flotilla.api.v1.DescribeTopicsRequest;
import io.flotilla.api.v1.DescribeTopicsResponse;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.ListTopicsRequest;
import io.flotilla.api.v1.ListTopicsResponse;
import io.flotilla.api.v1.RebalanceLeadersRequest;
import io.flotilla.api.v1.RebalanceLeadersResponse;
import io.flotilla.api.v1.TopicDescription;
import io.flotilla.api.v1.TopicListing;
import io.flotilla.api.v1.TransferLeadershipRequest;
import io.flotilla.api.v1.TransferLeadershipResponse;
import io.flotilla.broker.api.ApiException;
import io.flotilla.broker.api.Calls;
import io.flotilla.broker.metadata.ClusterMetadata;
import io.flotilla.broker.metadata.CommandApplier;
import io.flotilla.broker.metadata.CommandResult;
import io.flotilla.broker.metadata.MetadataCodec;
import io.flotilla.broker.metadata.MetadataCommand;
import io.flotilla.broker.metadata.Placement;
import io.flotilla.broker.metadata.Rejection;
import io.flotilla.broker.metadata.Topic;
import io.flotilla.broker.metadata.TopicConfigKey;
import io.flotilla.broker.metadata.TopicConfigOverrides;
import io.flotilla.broker.metadata.TopicRules;
import io.grpc.Context;
import io.grpc.MethodDescriptor;
import io.grpc.stub.StreamObserver;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * admin.proto's Admin service. Reads answer from this node's metadata; changes go to the
 * controller: proposed here when this node leads it, otherwise forwarded whole to the node
 * that does, which answers for it.
 */
final class AdminService extends AdminGrpc.AdminImplBase {
    private static final int DEFAULT_LEADER_WAIT_MS = 10_000;
    private static final int LEADER_WAIT_CAP_MS = 60_000;
    private static final int DEFAULT_REPLICATION_FACTOR = 3;

    private final NodeContext node;
    private final ControllerClient controller;
    private final ScheduledExecutorService timer;
    private final LeadershipAdmin leadership;
    private final TopicRules rules = TopicRules.DEFAULTS;

    AdminService(NodeContext node, ControllerClient controller, ScheduledExecutorService timer,
                 LeadershipAdmin leadership) {
        this.node = node;
        this.controller = controller;
        this.timer = timer;
        this.leadership = leadership;
    }

    /** Runs {@code local} if this node leads the controller, else forwards the call to the node that does. */
    private <Q, R> void atController(MethodDescriptor<Q, R> method, Q request, StreamObserver<R> out, Runnable local) {
        try {
            node.checkReady();
            if (controller.local()) {
                local.run();
                return;
            }
            controller.forward(method, request, out);
        } catch (RuntimeException e) {
            out.onError(Calls.statusOf(e));
        }
    }

    // ------------------------------------------------------------------ CreateTopic

    @Override
    public void createTopic(CreateTopicRequest request, StreamObserver<CreateTopicResponse> out) {
        atController(AdminGrpc.getCreateTopicMethod(), request, out, () -> {
            ClusterMetadata metadata = node.metadata();
            int partitions = request.getPartitionCount() == 0 ? 1 : request.getPartitionCount();
            int nodes = metadata.nodes().size();
            int rf = request.getReplicationFactor() == 0 ? Math.min(DEFAULT_REPLICATION_FACTOR, nodes)
                    : request.getReplicationFactor();
            TopicConfigOverrides config = MetadataCodec.overrides(request.getConfig());
            rules.checkNewTopic(request.getName(), false, partitions, rf, config).ifPresent(r -> {
                throw ControllerClient.rejected(r, "config.");
            });
            if (metadata.topic(request.getName()).isPresent()) {
                throw ApiException.of(ApiException.detail(ErrorReason.ERROR_REASON_TOPIC_ALREADY_EXISTS, "topic '"
                        + request.getName() + "' already exists").setTopic(request.getName()));
            }
            if (rf > nodes) {
                throw ApiException.of(ApiException.detail(ErrorReason.ERROR_REASON_NOT_ENOUGH_NODES, "replication"
                        + " factor " + rf + " needs " + rf + " nodes; the cluster has " + nodes).setLimit(nodes)
                        .setActual(rf));
            }
            List<List<Integer>> assignments = Placement.assign(metadata, partitions, rf);
            if (request.getValidateOnly()) {
                out.onNext(CreateTopicResponse.newBuilder().setTopic(TopicDescription.newBuilder()
                        .setName(request.getName()).setPartitionCount(partitions).setReplicationFactor(rf)
                        .setConfig(Describer.effective(config)).setOverrides(MetadataCodec.toProto(config)))
                        .setMetadataVersion(metadata.version()).build());
                out.onCompleted();
                return;
            }
            submitAndAwaitLeaders(new MetadataCommand.CreateTopic(request.getName(), false, config, assignments),
                    request.getName(), 0, request.getLeaderWaitMs(), out, (topic, version) ->
                            CreateTopicResponse.newBuilder().setTopic(topic).setMetadataVersion(version).build());
        });
    }

    /**
     * Proposes {@code command}, which creates partitions of {@code topic} from
     * {@code firstPartition} on, and answers with the topic's description once they have
     * leaders or the requested wait is over, with the metadata version.
     */
    private <R> void submitAndAwaitLeaders(MetadataCommand command, String topic, int firstPartition,
            int requestedWaitMs, StreamObserver<R> out, BiFunction<TopicDescription, Long, R> answer) {
        long waitMs = leaderWaitMs(requestedWaitMs);
        controller.submit(command)
                .thenCompose(result -> waitForLeaders(topic, firstPartition, waitMs))
                .whenComplete((described, e) -> {
                    if (e != null) {
                        out.onError(Calls.statusOf(e));
                    } else {
                        out.onNext(answer.apply(described, node.metadata().version()));
                        out.onCompleted();
                    }
                });
    }

    private static long leaderWaitMs(int requested) {
        if (requested < 0) {
            return 0;
        }
        long wait = requested == 0 ? DEFAULT_LEADER_WAIT_MS : Math.min(requested, LEADER_WAIT_CAP_MS);
        io.grpc.Deadline deadline = Context.current().getDeadline();
        return deadline == null ? wait : Math.max(0, Math.min(wait, deadline.timeRemaining(TimeUnit.MILLISECONDS) - 50));
    }

    /**
     * The topic's description once its partitions from {@code firstPartition} on have leaders
     * as far as this node can see, or when the wait is over.
     */
    private CompletableFuture<TopicDescription> waitForLeaders(String name, int firstPartition, long waitMs) {
        CompletableFuture<TopicDescription> done = new CompletableFuture<>();
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        Runnable check = new Runnable() {
            @Override
            public void run() {
                Optional<Topic> topic = node.metadata().topic(name);
                if (topic.isEmpty()) {
                    if (System.nanoTime() >= until) {
                        done.completeExceptionally(ApiException.of(ErrorReason.ERROR_REASON_TOPIC_NOT_FOUND,
                                "topic '" + name + "' was deleted while its new partitions elected leaders"));
                    } else {
                        timer.schedule(this, 20, TimeUnit.MILLISECONDS);
                    }
                    return;
                }
                TopicDescription d = node.describer().describe(topic.get());
                boolean allLed = d.getPartitionsList().stream()
                        .allMatch(p -> p.getPartition() < firstPartition || p.getLeaderNodeId() != 0);
                if (allLed || System.nanoTime() >= until) {
                    done.complete(d);
                } else {
                    timer.schedule(this, 20, TimeUnit.MILLISECONDS);
                }
            }
        };
        check.run();
        return done;
    }

    // ------------------------------------------------------------------ DeleteTopic

    @Override
    public void deleteTopic(DeleteTopicRequest request, StreamObserver<DeleteTopicResponse> out) {
        atController(AdminGrpc.getDeleteTopicMethod(), request, out, () -> {
            rules.checkName(request.getName()).ifPresent(r -> {
                throw ControllerClient.rejected(r);
            });
            controller.submit(new MetadataCommand.DeleteTopic(request.getName())).whenComplete((result, e) -> {
                if (e != null) {
                    out.onError(Calls.statusOf(e));
                } else {
                    out.onNext(DeleteTopicResponse.newBuilder().setMetadataVersion(node.metadata().version()).build());
                    out.onCompleted();
                }
            });
        });
    }

    // ------------------------------------------------------------------ AlterTopicConfig

    @Override
    public void alterTopicConfig(AlterTopicConfigRequest request, StreamObserver<AlterTopicConfigResponse> out) {
        atController(AdminGrpc.getAlterTopicConfigMethod(), request, out, () -> {
            rules.checkName(request.getName()).ifPresent(r -> {
                throw ControllerClient.rejected(r);
            });
            MetadataCommand.AlterTopicConfig command = new MetadataCommand.AlterTopicConfig(request.getName(),
                    MetadataCodec.overrides(request.getSet()), resetKeys(request.getResetList()));
            CommandResult checked = dryRun(command, "set.").result();
            if (request.getValidateOnly()) {
                answerAltered(out, checked, node.metadata().version());
                return;
            }
            controller.submit(command).whenComplete((result, e) -> {
                if (e != null) {
                    out.onError(Calls.statusOf(e));
                } else {
                    answerAltered(out, result, node.metadata().version());
                }
            });
        });
    }

    /** The settings {@code reset} names, each a TopicConfig field name. */
    private static Set<TopicConfigKey> resetKeys(List<String> names) {
        Set<TopicConfigKey> keys = EnumSet.noneOf(TopicConfigKey.class);
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            int index = i;
            keys.add(TopicConfigKey.forProtoName(name).orElseThrow(() -> ApiException.of(ApiException.detail(
                    ErrorReason.ERROR_REASON_INVALID_CONFIG, "reset names '" + name + "', which is not a setting;"
                            + " the settings are " + Arrays.toString(TopicConfigKey.values()))
                    .setField("reset[" + index + "]"))));
        }
        return keys;
    }

    private static void answerAltered(StreamObserver<AlterTopicConfigResponse> out, CommandResult altered,
                                      long version) {
        TopicConfigOverrides overrides = ((CommandResult.TopicConfigAltered) altered).overrides();
        out.onNext(AlterTopicConfigResponse.newBuilder().setConfig(Describer.effective(overrides))
                .setOverrides(MetadataCodec.toProto(overrides)).setMetadataVersion(version).build());
        out.onCompleted();
    }

    // ------------------------------------------------------------------ CreatePartitions

    @Override
    public void createPartitions(CreatePartitionsRequest request, StreamObserver<CreatePartitionsResponse> out) {
        atController(AdminGrpc.getCreatePartitionsMethod(), request, out, () -> {
            String name = request.getName();
            int count = request.getPartitionCount();
            rules.checkName(name).or(() -> rules.checkPartitionCount(count)).ifPresent(r -> {
                throw ControllerClient.rejected(r);
            });
            ClusterMetadata metadata = node.metadata();
            Optional<Topic> topic = metadata.topic(name);
            int first = topic.map(Topic::partitionCount).orElse(0);
            // Only a growing topic needs placing; the dry run refuses every other request.
            List<List<Integer>> assignments = topic.isPresent() && count > first
                    ? Placement.assign(metadata, count - first, topic.get().replicationFactor()) : List.of();
            MetadataCommand.CreatePartitions command = new MetadataCommand.CreatePartitions(name, count, assignments);
            ClusterMetadata grown = dryRun(command, "").state();
            if (request.getValidateOnly()) {
                out.onNext(CreatePartitionsResponse.newBuilder()
                        .setTopic(node.describer().describe(grown.topic(name).orElseThrow()))
                        .setMetadataVersion(metadata.version()).build());
                out.onCompleted();
                return;
            }
            submitAndAwaitLeaders(command, name, first, request.getLeaderWaitMs(), out, (described, version) ->
                    CreatePartitionsResponse.newBuilder().setTopic(described).setMetadataVersion(version).build());
        });
    }

    // ------------------------------------------------------------------ AlterReplicationFactor

    @Override
    public void alterReplicationFactor(AlterReplicationFactorRequest request,
                                       StreamObserver<AlterReplicationFactorResponse> out) {
        atController(AdminGrpc.getAlterReplicationFactorMethod(), request, out, () -> {
            String name = request.getName();
            int rf = request.getReplicationFactor();
            rules.checkName(name).or(() -> rules.checkReplicationFactor(rf)).ifPresent(r -> {
                throw ControllerClient.rejected(r);
            });
            ClusterMetadata metadata = node.metadata();
            Optional<Topic> topic = metadata.topic(name);
            // Only a placeable request needs placing; the dry run refuses every other one.
            List<List<Integer>> assignments = topic.isPresent() && rf <= metadata.nodes().size()
                    ? Placement.reassign(metadata, topic.get(), rf) : List.of();
            MetadataCommand.AlterReplicationFactor command = new MetadataCommand.AlterReplicationFactor(name, rf,
                    assignments);
            ClusterMetadata altered = dryRun(command, "").state();
            if (request.getValidateOnly()) {
                answerReplicationFactor(out, altered, name, metadata.version());
                return;
            }
            controller.submit(command).whenComplete((result, e) -> {
                if (e != null) {
                    out.onError(Calls.statusOf(e));
                } else {
                    ClusterMetadata now = node.metadata();
                    answerReplicationFactor(out, now, name, now.version());
                }
            });
        });
    }

    private void answerReplicationFactor(StreamObserver<AlterReplicationFactorResponse> out, ClusterMetadata metadata,
                                         String name, long version) {
        Optional<Topic> topic = metadata.topic(name);
        if (topic.isEmpty()) {
            out.onError(Calls.statusOf(ApiException.of(ErrorReason.ERROR_REASON_TOPIC_NOT_FOUND, "topic '" + name
                    + "' was deleted right after its replication factor changed")));
            return;
        }
        out.onNext(AlterReplicationFactorResponse.newBuilder().setTopic(node.describer().describe(topic.get()))
                .setMetadataVersion(version).build());
        out.onCompleted();
    }

    /**
     * Applies {@code command} to this node's metadata, current since it leads the controller,
     * without proposing it: what the command would do now. A refusal is thrown with
     * {@code fieldPath} before the field it names, so a bad request is answered without a
     * round trip through the controller's log, and validate_only answers exactly.
     */
    private CommandApplier.Transition dryRun(MetadataCommand command, String fieldPath) {
        ClusterMetadata metadata = node.metadata();
        CommandApplier.Transition t = CommandApplier.apply(metadata, metadata.version() + 1, command);
        if (t.result() instanceof Rejection r) {
            throw ControllerClient.rejected(r, fieldPath);
        }
        return t;
    }

    // ------------------------------------------------------------------ reads

    @Override
    public void listTopics(ListTopicsRequest request, StreamObserver<ListTopicsResponse> out) {
        Calls.answer(out, () -> {
            node.checkReady();
            ClusterMetadata metadata = node.metadata();
            ListTopicsResponse.Builder response = ListTopicsResponse.newBuilder().setMetadataVersion(metadata.version());
            for (Topic t : metadata.topics().values()) {
                if (!t.internal() || request.getIncludeInternal()) {
                    response.addTopics(TopicListing.newBuilder().setName(t.name()).setPartitionCount(t.partitionCount())
                            .setReplicationFactor(t.replicationFactor()).setInternal(t.internal()));
                }
            }
            return response.build();
        });
    }

    @Override
    public void describeTopics(DescribeTopicsRequest request, StreamObserver<DescribeTopicsResponse> out) {
        // The controller's leader holds the partitions' reports.
        atController(AdminGrpc.getDescribeTopicsMethod(), request, out, () -> Calls.answer(out, () -> {
            ClusterMetadata metadata = node.metadata();
            List<Topic> topics = node.selectTopics(metadata, request.getNamesList(), request.getIncludeInternal());
            DescribeTopicsResponse.Builder response = DescribeTopicsResponse.newBuilder()
                    .setMetadataVersion(metadata.version());
            ReplicaReports.View view = node.describer().view();
            topics.forEach(t -> response.addTopics(node.describer().describe(t, view)));
            return response.build();
        }));
    }

    @Override
    public void describeCluster(DescribeClusterRequest request, StreamObserver<DescribeClusterResponse> out) {
        atController(AdminGrpc.getDescribeClusterMethod(), request, out,
                () -> Calls.answer(out, () -> ClusterDescriber.describe(node, request)));
    }

    // ------------------------------------------------------------------ leadership

    @Override
    public void transferLeadership(TransferLeadershipRequest request, StreamObserver<TransferLeadershipResponse> out) {
        atController(AdminGrpc.getTransferLeadershipMethod(), request, out, () -> leadership.transfer(request, out));
    }

    @Override
    public void rebalanceLeaders(RebalanceLeadersRequest request, StreamObserver<RebalanceLeadersResponse> out) {
        atController(AdminGrpc.getRebalanceLeadersMethod(), request, out, () -> leadership.rebalance(request, out));
    }
}
