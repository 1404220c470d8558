package io.flotilla.broker.node;

import io.flotilla.api.v1.BrokerGrpc;
import io.flotilla.api.v1.ErrorDetail;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.GetMetadataRequest;
import io.flotilla.api.v1.GetMetadataResponse;
import io.flotilla.api.v1.InitProducerRequest;
import io.flotilla.api.v1.Node;
import io.flotilla.api.v1.PartitionMetadata;
import io.flotilla.api.v1.TopicMetadata;
import io.flotilla.broker.BrokerConfig;
import io.flotilla.broker.api.ApiException;
import io.flotilla.broker.api.BrokerContext;
import io.flotilla.broker.controller.ControllerReplica;
import io.flotilla.broker.metadata.ClusterMetadata;
import io.flotilla.broker.metadata.CommandResult;
import io.flotilla.broker.metadata.MetadataCommand;
import io.flotilla.broker.metadata.NodeRegistration;
import io.flotilla.broker.metadata.Partition;
import io.flotilla.broker.metadata.Rejection;
import io.flotilla.broker.metadata.Topic;
import io.flotilla.broker.metadata.TopicRules;
import io.flotilla.broker.partition.Appended;
import io.flotilla.broker.partition.FetchParking;
import io.flotilla.broker.partition.PartitionReplica;
import io.flotilla.broker.partition.ProduceBatch;
import io.flotilla.broker.partition.Subscriptions;
import io.flotilla.raft.driver.RaftDriver;
import io.grpc.stub.StreamObserver;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The node as its gRPC services see it: metadata, hosted replicas, the way to the controller.
 */
final class NodeContext implements BrokerContext {
    private static final int PRODUCER_ID_BLOCK = 1000;
    private static final int MAX_METADATA_TOPICS = 1000;

    private final BrokerConfig config;
    private final Supplier<io.flotilla.broker.NodeIdentity> identity;
    private final RaftDriver driver;
    private final ControllerReplica controller;
    private final ControllerClient controllerClient;
    private final PartitionHost partitions;
    private final FetchParking parking;
    private final Subscriptions subscriptions;
    private final Describer describer;
    private final Set<Integer> controllerVoters;
    private final TopicRules rules = TopicRules.DEFAULTS;
    private final Map<Integer, Long> lastHeard = new ConcurrentHashMap<>();
    private volatile boolean stopping;
    private volatile TopicViews views = new TopicViews(-1, Map.of());
    /** This node's block of producer ids, [next, end); guarded by this. */
    private long nextProducerId;
    private long producerIdEnd;

    private record TopicViews(long version, Map<String, TopicView> byName) {
    }

    NodeContext(BrokerConfig config, Supplier<io.flotilla.broker.NodeIdentity> identity, RaftDriver driver,
                ControllerReplica controller, ControllerClient controllerClient, PartitionHost partitions,
                FetchParking parking, Set<Integer> controllerVoters, ReplicaReports reports) {
        this.config = config;
        this.identity = identity;
        this.driver = driver;
        this.controller = controller;
        this.controllerClient = controllerClient;
        this.partitions = partitions;
        this.parking = parking;
        this.subscriptions = new Subscriptions(parking, config.maxSubscriptions());
        this.controllerVoters = controllerVoters;
        this.describer = new Describer(partitions::replica, reports);
    }

    @Override
    public int nodeId() {
        return config.nodeId();
    }

    String clusterId() {
        return identity.get().clusterId();
    }

    ControllerReplica controller() {
        return controller;
    }

    Set<Integer> controllerVoters() {
        return controllerVoters;
    }

    Describer describer() {
        return describer;
    }

    ClusterMetadata metadata() {
        return controller.metadata();
    }

    void stopping() {
        stopping = true;
    }

    /** A batch from {@code nodeId} arrived: it is alive. */
    void heard(int nodeId) {
        lastHeard.put(nodeId, System.nanoTime());
    }

    /** Nanoseconds since a batch from {@code nodeId} arrived (0 for this node), -1 if none ever did. */
    long heardNanosAgo(int nodeId) {
        if (nodeId == config.nodeId()) {
            return 0;
        }
        Long heard = lastHeard.get(nodeId);
        return heard == null ? -1 : System.nanoTime() - heard;
    }

    /** Whether a batch from {@code nodeId} arrived within the last {@code nanos} (this node: always). */
    boolean heardWithin(int nodeId, long nanos) {
        long ago = heardNanosAgo(nodeId);
        return ago >= 0 && ago < nanos;
    }

    /** Ready once the metadata holds this node's registration under its current incarnation. */
    boolean ready() {
        if (stopping) {
            return false;
        }
        NodeRegistration self = metadata().nodes().get(config.nodeId());
        return self != null && self.incarnation() == identity.get().incarnation();
    }

    @Override
    public void checkReady() {
        if (!ready()) {
            throw ApiException.of(ApiException.detail(ErrorReason.ERROR_REASON_NODE_NOT_READY, stopping
                    ? "node " + config.nodeId() + " is stopping; use another node"
                    : "node " + config.nodeId() + " is starting (it has not joined the cluster's metadata yet);"
                    + " retry shortly").setRetryAfterMs(200));
        }
    }

    @Override
    public String addressOf(int nodeId) {
        NodeRegistration node = metadata().nodes().get(nodeId);
        return node != null ? node.address() : config.cluster().get(nodeId);
    }

    @Override
    public TopicView topic(String name) {
        ClusterMetadata metadata = metadata();
        TopicViews cached = views;
        if (cached.version() != metadata.version()) {
            Map<String, TopicView> byName = new HashMap<>();
            for (Topic t : metadata.topics().values()) {
                long[] groups = new long[t.partitionCount()];
                int[] preferred = new int[t.partitionCount()];
                for (int p = 0; p < groups.length; p++) {
                    Partition partition = t.partitions().get(p);
                    groups[p] = partition.groupId();
                    preferred[p] = partition.preferredLeader().nodeId();
                }
                byName.put(t.name(), new TopicView(t.name(), t.internal(), t.effectiveConfig().maxBatchBytes(), groups,
                        preferred));
            }
            cached = new TopicViews(metadata.version(), byName);
            views = cached;
        }
        return cached.byName().get(name);
    }

    @Override
    public PartitionReplica replica(long groupId) {
        return partitions.replica(groupId);
    }

    @Override
    public CompletableFuture<Appended> append(PartitionReplica replica, ProduceBatch batch) {
        return driver.call(replica.groupId(), node -> replica.append(node, batch)).thenCompose(f -> f);
    }

    @Override
    public FetchParking parking() {
        return parking;
    }

    @Override
    public Subscriptions subscriptions() {
        return subscriptions;
    }

    @Override
    public long produceTimeoutMs() {
        return config.produceTimeoutMs();
    }

    @Override
    public CompletableFuture<Long> newProducerId() {
        if (!controllerClient.local()) {
            // Blocks are the controller's to hand out, and only its leader allocates from one.
            CompletableFuture<Long> forwarded = new CompletableFuture<>();
            BrokerGrpc.newStub(controllerClient.leaderChannel()).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .initProducer(InitProducerRequest.getDefaultInstance(), new StreamObserver<>() {
                        @Override
                        public void onNext(io.flotilla.api.v1.InitProducerResponse r) {
                            forwarded.complete(r.getProducerId());
                        }

                        @Override
                        public void onError(Throwable t) {
                            forwarded.completeExceptionally(t);
                        }

                        @Override
                        public void onCompleted() {
                        }
                    });
            return forwarded;
        }
        synchronized (this) {
            if (nextProducerId < producerIdEnd) {
                return CompletableFuture.completedFuture(nextProducerId++);
            }
        }
        return controllerClient.submit(new MetadataCommand.AllocateProducerIds(config.nodeId(), PRODUCER_ID_BLOCK))
                .thenApply(result -> {
                    CommandResult.ProducerIdsAllocated block = (CommandResult.ProducerIdsAllocated) result;
                    synchronized (this) {
                        if (nextProducerId >= producerIdEnd) {
                            nextProducerId = block.firstId();
                            producerIdEnd = block.firstId() + block.count();
                        }
                        return nextProducerId++;
                    }
                });
    }

    @Override
    public GetMetadataResponse metadata(GetMetadataRequest request) {
        ClusterMetadata metadata = metadata();
        if (request.getTopicsCount() > MAX_METADATA_TOPICS) {
            throw ApiException.of(ApiException.detail(ErrorReason.ERROR_REASON_INVALID_REQUEST, "at most "
                    + MAX_METADATA_TOPICS + " topics per request, got " + request.getTopicsCount()).setField("topics"));
        }
        if (request.getMinMetadataVersion() > metadata.version()) {
            throw ApiException.of(ApiException.detail(ErrorReason.ERROR_REASON_NODE_NOT_READY, "node "
                    + config.nodeId() + " has metadata version " + metadata.version() + ", not yet "
                    + request.getMinMetadataVersion() + "; retry shortly").setRetryAfterMs(100));
        }
        GetMetadataResponse.Builder out = GetMetadataResponse.newBuilder().setClusterId(identity.get().clusterId())
                .setAnsweringNodeId(config.nodeId()).setMetadataVersion(metadata.version())
                .setControllerNodeId(controller.leaderNode());
        for (NodeRegistration n : metadata.nodes().values()) {
            out.addNodes(Node.newBuilder().setNodeId(n.nodeId()).setAddress(n.address()));
        }
        for (Topic t : selectTopics(metadata, request.getTopicsList(), request.getIncludeInternal())) {
            TopicMetadata.Builder topic = out.addTopicsBuilder().setName(t.name()).setInternal(t.internal());
            for (int p = 0; p < t.partitionCount(); p++) {
                Partition partition = t.partitions().get(p);
                PartitionMetadata.Builder pm = topic.addPartitionsBuilder().setPartition(p)
                        .setLeaderNodeId(describer.leaderOf(partition));
                PartitionReplica replica = partitions.replica(partition.groupId());
                if (replica != null && replica.leadershipView().leaderNode() != 0) {
                    pm.setLeaderTerm(replica.leadershipView().term());
                }
                partition.replicas().forEach(m -> pm.addReplicaNodeIds(m.nodeId()));
            }
        }
        return out.build();
    }

    /** The named topics (NOT_FOUND naming every missing one), or all of them. */
    List<Topic> selectTopics(ClusterMetadata metadata, List<String> names, boolean includeInternal) {
        List<Topic> out = new ArrayList<>();
        if (names.isEmpty()) {
            for (Topic t : metadata.topics().values()) {
                if (!t.internal() || includeInternal) {
                    out.add(t);
                }
            }
            return out;
        }
        List<ErrorDetail> missing = new ArrayList<>();
        for (String name : names) {
            Optional<Rejection> bad = rules.checkName(name);
            if (bad.isPresent()) {
                throw ApiException.of(ApiException.detail(ErrorReason.ERROR_REASON_INVALID_TOPIC_NAME,
                        bad.get().message()).setTopic(name));
            }
            Optional<Topic> t = metadata.topic(name);
            if (t.isPresent()) {
                out.add(t.get());
            } else {
                missing.add(ApiException.detail(ErrorReason.ERROR_REASON_TOPIC_NOT_FOUND, "topic '" + name
                        + "' does not exist").setTopic(name).build());
            }
        }
        if (!missing.isEmpty()) {
            throw ApiException.of(missing.get(0).getMessage() + (missing.size() > 1 ? " (and " + (missing.size() - 1)
                    + " more topics)" : ""), missing);
        }
        return out;
    }
}
