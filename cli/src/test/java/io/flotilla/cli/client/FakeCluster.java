package io.flotilla.cli.client;

import com.google.protobuf.Any;
import io.flotilla.api.v1.AdminGrpc;
import io.flotilla.api.v1.BrokerGrpc;
import io.flotilla.api.v1.CreateTopicRequest;
import io.flotilla.api.v1.ControllerStatus;
import io.flotilla.api.v1.CreateTopicResponse;
import io.flotilla.api.v1.DescribeClusterRequest;
import io.flotilla.api.v1.DescribeClusterResponse;
import io.flotilla.api.v1.DescribeTopicsRequest;
import io.flotilla.api.v1.DescribeTopicsResponse;
import io.flotilla.api.v1.ErrorDetail;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.ErrorsProto;
import io.flotilla.api.v1.FetchRequest;
import io.flotilla.api.v1.FetchResponse;
import io.flotilla.api.v1.FetchedRecord;
import io.flotilla.api.v1.GetMetadataRequest;
import io.flotilla.api.v1.GetMetadataResponse;
import io.flotilla.api.v1.InitProducerRequest;
import io.flotilla.api.v1.InitProducerResponse;
import io.flotilla.api.v1.LeaderHint;
import io.flotilla.api.v1.ListOffsetsRequest;
import io.flotilla.api.v1.ListOffsetsResponse;
import io.flotilla.api.v1.Node;
import io.flotilla.api.v1.NodeIdentity;
import io.flotilla.api.v1.NodeState;
import io.flotilla.api.v1.NodeStatus;
import io.flotilla.api.v1.PartitionSummary;
import io.flotilla.api.v1.PartitionMetadata;
import io.flotilla.api.v1.PartitionStatus;
import io.flotilla.api.v1.ProducePartition;
import io.flotilla.api.v1.ProducePartitionResult;
import io.flotilla.api.v1.ProduceRequest;
import io.flotilla.api.v1.ProduceResponse;
import io.flotilla.api.v1.Record;
import io.flotilla.api.v1.ReplicaStatus;
import io.flotilla.api.v1.TopicConfig;
import io.flotilla.api.v1.TopicDescription;
import io.flotilla.api.v1.TopicMetadata;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Stand-in Broker and Admin services on loopback nodes (netty, port 0), for one topic. Each
 * node answers as errors.proto prescribes: a partition call to a node other than its leader
 * fails with FAILED_PRECONDITION NOT_LEADER naming the leader; produce checks sequence numbers
 * the way broker.proto describes (next expected: written; a repeat of the last batch:
 * duplicate; else OUT_OF_ORDER_SEQUENCE). Metadata can be made to name a stale leader, and
 * faults can be injected per call.
 */
public final class FakeCluster implements AutoCloseable {

    /** One produce entry as a node received it, and whether it appended it (not refused, not a duplicate). */
    public record ReceivedBatch(int node, int partition, int baseSequence, List<Record> records, boolean appended) {}

    public final String topic;
    private final int partitionCount;
    private final List<Server> servers = new ArrayList<>();
    private final List<HostPort> addresses = new ArrayList<>();
    private final int[] leader;
    private final int[] advertisedLeader;
    private final List<List<Record>> logs = new ArrayList<>();
    private final int[] nextSequence;
    private final int[] lastBaseSequence;
    private final Map<Integer, Integer> callsByNode = new ConcurrentHashMap<>();
    public final ConcurrentLinkedQueue<ReceivedBatch> received = new ConcurrentLinkedQueue<>();
    public final ConcurrentLinkedQueue<CreateTopicRequest> created = new ConcurrentLinkedQueue<>();
    /** Asked for each produce entry a leader is about to append: an ErrorDetail fails the entry unwritten. */
    public volatile Function<ProducePartition, Optional<ErrorDetail>> produceEntryFault = e -> Optional.empty();
    /** Asked for each ListOffsets its leader is about to answer: a status refuses it instead. */
    public volatile Function<ListOffsetsRequest, Optional<StatusRuntimeException>> listOffsetsFault =
            r -> Optional.empty();
    public volatile int maxBatchBytes = 1024 * 1024;

    public FakeCluster(int nodeCount, String topic, int partitionCount) throws IOException {
        this.topic = topic;
        this.partitionCount = partitionCount;
        this.leader = new int[partitionCount];
        this.advertisedLeader = new int[partitionCount];
        this.nextSequence = new int[partitionCount];
        this.lastBaseSequence = new int[partitionCount];
        for (int p = 0; p < partitionCount; p++) {
            leader[p] = 1 + p % nodeCount;
            advertisedLeader[p] = leader[p];
            logs.add(new ArrayList<>());
            lastBaseSequence[p] = -1;
        }
        for (int id = 1; id <= nodeCount; id++) {
            int node = id;
            Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .addService(new FakeBroker(node))
                    .addService(new FakeAdmin())
                    .build()
                    .start();
            servers.add(server);
            addresses.add(new HostPort("127.0.0.1", server.getPort()));
        }
    }

    public HostPort address(int node) {
        return addresses.get(node - 1);
    }

    public String bootstrap() {
        return address(1).toString();
    }

    /** Moves a partition's leadership; metadata keeps naming the old leader until told otherwise. */
    public synchronized void moveLeader(int partition, int node) {
        leader[partition] = node;
    }

    public synchronized void advertiseLeaders() {
        System.arraycopy(leader, 0, advertisedLeader, 0, partitionCount);
    }

    public int calls(int node) {
        return callsByNode.getOrDefault(node, 0);
    }

    /** The records a partition holds, in offset order. */
    public synchronized List<Record> log(int partition) {
        return new ArrayList<>(logs.get(partition));
    }

    /** Appends records as if produced earlier (by another client). */
    public synchronized void preload(int partition, List<Record> records) {
        logs.get(partition).addAll(records);
    }

    public static StatusRuntimeException refusal(ErrorDetail... details) {
        com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder()
                .setCode(details[0].getCode())
                .setMessage(details[0].getMessage());
        for (ErrorDetail d : details) {
            status.addDetails(Any.pack(d));
        }
        return StatusProto.toStatusRuntimeException(status.build());
    }

    /** A detail as the broker fills it in: code from the reason's option. */
    public static ErrorDetail.Builder detail(ErrorReason reason, String message) {
        int code = reason.getValueDescriptor().getOptions().getExtension(ErrorsProto.statusCode);
        return ErrorDetail.newBuilder().setReason(reason).setCode(code).setMessage(message);
    }

    private synchronized Optional<StatusRuntimeException> notLeader(int node, List<Integer> partitions) {
        List<ErrorDetail> details = new ArrayList<>();
        for (int p : partitions) {
            if (leader[p] != node) {
                details.add(detail(ErrorReason.ERROR_REASON_NOT_LEADER,
                        "node " + node + " does not lead " + topic + "-" + p + "; node " + leader[p] + " does")
                        .setRetriable(true).setTopic(topic).setPartition(p)
                        .setLeader(LeaderHint.newBuilder().setNodeId(leader[p])
                                .setAddress(address(leader[p]).toString()).setLeaderTerm(2))
                        .build());
            }
        }
        return details.isEmpty() ? Optional.empty() : Optional.of(refusal(details.toArray(ErrorDetail[]::new)));
    }

    private synchronized ProducePartitionResult append(int node, ProducePartition entry) {
        int p = entry.getPartition();
        ProducePartitionResult.Builder result = ProducePartitionResult.newBuilder().setTopic(topic).setPartition(p);
        Optional<ErrorDetail> fault = produceEntryFault.apply(entry);
        boolean appended = fault.isEmpty() && entry.getBaseSequence() == nextSequence[p];
        received.add(new ReceivedBatch(node, p, entry.getBaseSequence(), entry.getRecords().getRecordsList(), appended));
        if (fault.isPresent()) {
            return result.setBaseOffset(-1).setError(fault.get()).build();
        }
        if (entry.getBaseSequence() == lastBaseSequence[p]) {
            return result.setDuplicate(true).build();
        }
        if (!appended) {
            return result.setBaseOffset(-1).setError(detail(ErrorReason.ERROR_REASON_OUT_OF_ORDER_SEQUENCE,
                    "expected sequence " + nextSequence[p] + ", got " + entry.getBaseSequence())
                    .setRetriable(true).setTopic(topic).setPartition(p).build()).build();
        }
        lastBaseSequence[p] = entry.getBaseSequence();
        nextSequence[p] += entry.getRecords().getRecordsCount();
        result.setBaseOffset(logs.get(p).size());
        logs.get(p).addAll(entry.getRecords().getRecordsList());
        return result.build();
    }

    private final class FakeBroker extends BrokerGrpc.BrokerImplBase {
        private final int node;

        FakeBroker(int node) {
            this.node = node;
        }

        private void count() {
            callsByNode.merge(node, 1, Integer::sum);
        }

        @Override
        public void getMetadata(GetMetadataRequest request, StreamObserver<GetMetadataResponse> response) {
            if (!request.getTopicsList().isEmpty() && !request.getTopicsList().equals(List.of(topic))) {
                response.onError(refusal(detail(ErrorReason.ERROR_REASON_TOPIC_NOT_FOUND,
                        "topic '" + request.getTopics(0) + "' does not exist").setTopic(request.getTopics(0)).build()));
                return;
            }
            GetMetadataResponse.Builder answer = GetMetadataResponse.newBuilder().setAnsweringNodeId(node);
            for (int id = 1; id <= addresses.size(); id++) {
                answer.addNodes(Node.newBuilder().setNodeId(id).setAddress(address(id).toString()));
            }
            TopicMetadata.Builder t = TopicMetadata.newBuilder().setName(topic);
            synchronized (FakeCluster.this) {
                for (int p = 0; p < partitionCount; p++) {
                    t.addPartitions(PartitionMetadata.newBuilder().setPartition(p)
                            .setLeaderNodeId(advertisedLeader[p]).setLeaderTerm(1));
                }
            }
            response.onNext(answer.addTopics(t).build());
            response.onCompleted();
        }

        @Override
        public void initProducer(InitProducerRequest request, StreamObserver<InitProducerResponse> response) {
            response.onNext(InitProducerResponse.newBuilder().setProducerId(42).setProducerEpoch(0).build());
            response.onCompleted();
        }

        @Override
        public void produce(ProduceRequest request, StreamObserver<ProduceResponse> response) {
            count();
            Optional<StatusRuntimeException> misdirected = notLeader(node,
                    request.getPartitionsList().stream().map(ProducePartition::getPartition).toList());
            if (misdirected.isPresent()) {
                response.onError(misdirected.get());
                return;
            }
            ProduceResponse.Builder answer = ProduceResponse.newBuilder();
            for (ProducePartition entry : request.getPartitionsList()) {
                answer.addResults(append(node, entry));
            }
            response.onNext(answer.build());
            response.onCompleted();
        }

        @Override
        public void listOffsets(ListOffsetsRequest request, StreamObserver<ListOffsetsResponse> response) {
            count();
            Optional<StatusRuntimeException> refused = notLeader(node, List.of(request.getPartition()))
                    .or(() -> listOffsetsFault.apply(request));
            if (refused.isPresent()) {
                response.onError(refused.get());
                return;
            }
            long end = log(request.getPartition()).size();
            response.onNext(ListOffsetsResponse.newBuilder().setOffset(request.getSpec().getEarliest() ? 0 : end)
                    .setTimestampMs(-1).setHighWatermark(end).build());
            response.onCompleted();
        }

        @Override
        public void fetch(FetchRequest request, StreamObserver<FetchResponse> response) {
            count();
            Optional<StatusRuntimeException> misdirected = notLeader(node, List.of(request.getPartition()));
            if (misdirected.isPresent()) {
                response.onError(misdirected.get());
                return;
            }
            List<Record> log = log(request.getPartition());
            FetchResponse.Builder answer = FetchResponse.newBuilder().setHighWatermark(log.size());
            // at most two records per answer, so that consumers need several fetches
            long next = Math.min(log.size(), request.getOffset() + 2);
            for (long o = request.getOffset(); o < next; o++) {
                Record r = log.get((int) o);
                answer.addRecords(FetchedRecord.newBuilder().setOffset(o).setValue(r.getValue()));
            }
            response.onNext(answer.setNextOffset(Math.max(next, request.getOffset())).build());
            response.onCompleted();
        }
    }

    private final class FakeAdmin extends AdminGrpc.AdminImplBase {
        @Override
        public void createTopic(CreateTopicRequest request, StreamObserver<CreateTopicResponse> response) {
            created.add(request);
            response.onNext(CreateTopicResponse.newBuilder().setTopic(description(request.getName())).build());
            response.onCompleted();
        }

        @Override
        public void describeTopics(DescribeTopicsRequest request, StreamObserver<DescribeTopicsResponse> response) {
            response.onNext(DescribeTopicsResponse.newBuilder().addTopics(description(topic)).build());
            response.onCompleted();
        }

        @Override
        public void describeCluster(DescribeClusterRequest request, StreamObserver<DescribeClusterResponse> response) {
            DescribeClusterResponse.Builder answer = DescribeClusterResponse.newBuilder().setClusterId("fake-cluster")
                    .setAnsweringNodeId(1).setController(ControllerStatus.newBuilder().setLeaderNodeId(1)
                            .setLeaderTerm(3));
            synchronized (FakeCluster.this) {
                for (int n = 1; n <= addresses.size(); n++) {
                    int node = n;
                    int leads = (int) java.util.Arrays.stream(leader).filter(l -> l == node).count();
                    answer.addNodes(NodeStatus.newBuilder()
                            .setIdentity(NodeIdentity.newBuilder().setNodeId(n).setIncarnation(1000 + n))
                            .setAddress(address(n).toString())
                            .setState(n == 1 ? NodeState.NODE_STATE_ALIVE : NodeState.NODE_STATE_UNREACHABLE)
                            .setLastHeardMsAgo(n == 1 ? 0 : 12_300).setLeaderCount(leads)
                            .setReplicaCount(partitionCount).setPreferredLeaderCount(leads).setControllerVoter(true));
                }
            }
            answer.setSummary(PartitionSummary.newBuilder().setPartitionCount(partitionCount).setLeaderlessCount(0)
                    .setUnderReplicatedCount(partitionCount).setNotPreferredLeaderCount(0));
            response.onNext(answer.build());
            response.onCompleted();
        }

        private TopicDescription description(String name) {
            TopicDescription.Builder d = TopicDescription.newBuilder().setName(name).setPartitionCount(partitionCount)
                    .setReplicationFactor(2)
                    .setConfig(TopicConfig.newBuilder().setMaxBatchBytes(maxBatchBytes).setRetentionMs(604_800_000))
                    .setOverrides(TopicConfig.newBuilder().setMaxBatchBytes(maxBatchBytes));
            synchronized (FakeCluster.this) {
                for (int p = 0; p < partitionCount; p++) {
                    d.addPartitions(PartitionStatus.newBuilder().setTopic(name).setPartition(p)
                            .setLeaderNodeId(leader[p]).setLeaderTerm(1).setPreferredLeaderNodeId(leader[p])
                            .addReplicas(ReplicaStatus.newBuilder().setNodeId(leader[p]).setCaughtUp(true))
                            .addReplicas(ReplicaStatus.newBuilder().setNodeId(leader[p] % addresses.size() + 1))
                            .setHighWatermark(logs.get(p).size()).setLogStartOffset(0).setUnderReplicated(true));
                }
            }
            return d.build();
        }
    }

    @Override
    public void close() {
        servers.forEach(Server::shutdownNow);
        try {
            for (Server s : servers) {
                s.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
