package io.flotilla.broker.api;

import io.flotilla.api.v1.BrokerGrpc;
import io.flotilla.api.v1.ErrorDetail;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.FetchFormat;
import io.flotilla.api.v1.FetchRequest;
import io.flotilla.api.v1.FetchResponse;
import io.flotilla.api.v1.GetMetadataRequest;
import io.flotilla.api.v1.GetMetadataResponse;
import io.flotilla.api.v1.InitProducerRequest;
import io.flotilla.api.v1.InitProducerResponse;
import io.flotilla.api.v1.ListOffsetsRequest;
import io.flotilla.api.v1.ListOffsetsResponse;
import io.flotilla.api.v1.ProducePartition;
import io.flotilla.api.v1.ProducePartitionResult;
import io.flotilla.api.v1.ProduceRequest;
import io.flotilla.api.v1.ProduceResponse;
import io.flotilla.api.v1.SubscribeRequest;
import io.flotilla.broker.partition.Appended;
import io.flotilla.broker.partition.PartitionErrors;
import io.flotilla.broker.partition.PartitionReplica;
import io.flotilla.broker.partition.ProduceBatch;
import io.flotilla.log.LogConfig;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The data path of broker.proto. Every call validates its request completely before touching
 * any partition, and answers failures with {@link ApiException}'s statuses. No call parks a
 * thread: produces wait on futures completed by the partitions' loops, fetches in
 * {@link io.flotilla.broker.partition.FetchParking}, subscriptions in
 * {@link io.flotilla.broker.partition.Subscriptions}.
 */
public final class BrokerService extends BrokerGrpc.BrokerImplBase {
    static final int DEFAULT_MAX_BYTES = 1024 * 1024;
    static final int MAX_BYTES_CAP = 16 * 1024 * 1024;
    static final int MAX_WAIT_CAP_MS = 60_000;
    static final int MIN_HEARTBEAT_MS = 100;
    static final int MAX_HEARTBEAT_MS = 60_000;

    private final BrokerContext node;

    public BrokerService(BrokerContext node) {
        this.node = node;
    }

    // ------------------------------------------------------------------ InitProducer

    @Override
    public void initProducer(InitProducerRequest request, StreamObserver<InitProducerResponse> out) {
        try {
            node.checkReady();
            node.newProducerId().whenComplete((id, e) -> {
                if (e != null) {
                    out.onError(Calls.statusOf(e));
                } else {
                    out.onNext(InitProducerResponse.newBuilder().setProducerId(id).setProducerEpoch(0).build());
                    out.onCompleted();
                }
            });
        } catch (RuntimeException e) {
            out.onError(Calls.statusOf(e));
        }
    }

    // ------------------------------------------------------------------ Produce

    /** A validated entry, ready to append. */
    private record Planned(PartitionReplica replica, ProduceBatch batch) {
    }

    @Override
    public void produce(ProduceRequest request, StreamObserver<ProduceResponse> out) {
        List<Planned> plan;
        try {
            node.checkReady();
            plan = validate(request, System.currentTimeMillis());
        } catch (RuntimeException e) {
            out.onError(Calls.statusOf(e));
            return;
        }
        long waitMs = Calls.waitMs(node.produceTimeoutMs());
        List<CompletableFuture<Appended>> results = new ArrayList<>(plan.size());
        for (Planned p : plan) {
            CompletableFuture<Appended> appended;
            try {
                appended = node.append(p.replica(), p.batch());
            } catch (RuntimeException e) {
                appended = CompletableFuture.failedFuture(e);
            }
            results.add(appended.orTimeout(Math.max(1, waitMs), TimeUnit.MILLISECONDS));
        }
        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).whenComplete((v, ignored) -> {
            ProduceResponse.Builder response = ProduceResponse.newBuilder();
            for (int i = 0; i < plan.size(); i++) {
                ProducePartition entry = request.getPartitions(i);
                ProducePartitionResult.Builder r = response.addResultsBuilder().setTopic(entry.getTopic())
                        .setPartition(entry.getPartition());
                CompletableFuture<Appended> f = results.get(i);
                try {
                    Appended a = f.join();
                    r.setBaseOffset(a.baseOffset()).setAppendTimeMs(a.appendTimeMs()).setDuplicate(a.duplicate());
                } catch (CompletionException e) {
                    r.setBaseOffset(-1).setAppendTimeMs(-1).setError(resultError(e.getCause(), entry, waitMs));
                }
            }
            out.onNext(response.build());
            out.onCompleted();
        });
    }

    private static ErrorDetail resultError(Throwable cause, ProducePartition entry, long waitMs) {
        Throwable c = Calls.unwrap(cause);
        if (c instanceof ApiException api) {
            return api.detail();
        }
        if (c instanceof TimeoutException) {
            return ApiException.detail(ErrorReason.ERROR_REASON_REPLICATION_TIMEOUT, "no quorum of "
                    + entry.getTopic() + "-" + entry.getPartition() + " acknowledged the batch within " + waitMs
                    + " ms; it may still commit: retry (idempotent retries are deduplicated)")
                    .setTopic(entry.getTopic()).setPartition(entry.getPartition()).setOutcomeUnknown(true).build();
        }
        return ApiException.detail(ErrorReason.ERROR_REASON_INTERNAL_ERROR, "appending to " + entry.getTopic() + "-"
                + entry.getPartition() + " failed: " + c).setTopic(entry.getTopic())
                .setPartition(entry.getPartition()).build();
    }

    /** Broker.proto's validation phase: the first failing check fails the call, naming every entry that fails it. */
    private List<Planned> validate(ProduceRequest request, long nowMs) {
        Checks checks = new Checks();
        if (request.getPartitionsCount() == 0) {
            throw ApiException.of(ApiException.detail(ErrorReason.ERROR_REASON_INVALID_REQUEST,
                    "the produce request has no partitions; send at least one entry").setField("partitions"));
        }
        boolean idempotent = !request.getNonIdempotent();
        if (idempotent && request.getProducerId() < 1) {
            checks.invalid("producer_id", "producer_id " + request.getProducerId() + " is not a producer id: call"
                    + " InitProducer first, or set non_idempotent");
        }
        if (!idempotent && (request.getProducerId() != 0 || request.getProducerEpoch() != 0)) {
            checks.invalid("producer_id", "a non_idempotent produce carries no producer id or epoch (got "
                    + request.getProducerId() + " epoch " + request.getProducerEpoch() + ")");
        }
        if (request.getProducerEpoch() < 0 || request.getProducerEpoch() > Short.MAX_VALUE) {
            checks.invalid("producer_epoch", "producer_epoch " + request.getProducerEpoch() + " is outside 0..32767");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < request.getPartitionsCount(); i++) {
            ProducePartition entry = request.getPartitions(i);
            String field = "partitions[" + i + "]";
            if (!seen.add(entry.getTopic() + "\u0000" + entry.getPartition())) {
                checks.invalid(field, entry.getTopic() + "-" + entry.getPartition() + " appears twice in one request");
            }
            if (entry.getPartition() < 0) {
                checks.invalid(field + ".partition", field + ".partition is " + entry.getPartition()
                        + "; partitions are numbered from 0");
            }
            if (entry.getBaseSequence() < 0 || (!idempotent && entry.getBaseSequence() != 0)) {
                checks.invalid(field + ".base_sequence", field + ".base_sequence is " + entry.getBaseSequence()
                        + (idempotent ? "; sequences are >= 0" : "; a non_idempotent entry has sequence 0"));
            }
            String nameProblem = node.produceTopicProblem(entry.getTopic());
            if (nameProblem != null) {
                checks.add(ApiException.detail(ErrorReason.ERROR_REASON_INVALID_TOPIC_NAME, nameProblem)
                        .setTopic(entry.getTopic()).setField(field + ".topic"));
            }
        }
        checks.throwIfAny("the produce request is invalid");

        List<Planned> plan = new ArrayList<>(request.getPartitionsCount());
        long producerId = idempotent ? request.getProducerId() : -1;
        short epoch = idempotent ? (short) request.getProducerEpoch() : -1;
        boolean leaderAcks = request.getAcks() == io.flotilla.api.v1.Acks.ACKS_LEADER;
        BrokerContext.TopicView[] topics = new BrokerContext.TopicView[request.getPartitionsCount()];
        ProduceBatch[] batches = new ProduceBatch[request.getPartitionsCount()];
        for (int i = 0; i < request.getPartitionsCount(); i++) {
            ProducePartition entry = request.getPartitions(i);
            topics[i] = node.topic(entry.getTopic());
            int maxBatchBytes = topics[i] == null ? LogConfig.MAX_BATCH_BYTES_LIMIT : topics[i].maxBatchBytes();
            ProduceEncoder.Result encoded = ProduceEncoder.encode(entry, "partitions[" + i + "]", producerId, epoch,
                    idempotent ? entry.getBaseSequence() : -1, maxBatchBytes, nowMs, leaderAcks);
            if (encoded.error() != null) {
                checks.add(encoded.error().setTopic(entry.getTopic()).setPartition(entry.getPartition()));
            }
            batches[i] = encoded.batch();
        }
        checks.throwIfAny("the produce request is invalid");

        for (int i = 0; i < request.getPartitionsCount(); i++) {
            ProducePartition entry = request.getPartitions(i);
            checks.existence(topics[i], entry.getTopic(), entry.getPartition());
        }
        checks.throwIfAny("the produce request names what does not exist");

        PartitionReplica[] replicas = new PartitionReplica[request.getPartitionsCount()];
        List<ApiException> noLeader = new ArrayList<>();
        for (int i = 0; i < request.getPartitionsCount(); i++) {
            ProducePartition entry = request.getPartitions(i);
            try {
                replicas[i] = leaderReplica(topics[i], entry.getPartition());
            } catch (ApiException e) {
                if (e.reason() == ErrorReason.ERROR_REASON_NOT_LEADER) {
                    checks.add(e.detail().toBuilder());
                } else {
                    noLeader.add(e);
                }
            }
        }
        checks.throwIfAny("node " + node.nodeId() + " does not lead every partition of the request");
        if (!noLeader.isEmpty()) {
            throw ApiException.of(noLeader.get(0).getMessage(), noLeader.stream().map(ApiException::detail).toList());
        }
        for (int i = 0; i < request.getPartitionsCount(); i++) {
            plan.add(new Planned(replicas[i], batches[i]));
        }
        return plan;
    }

    /** This node's replica of the partition if it leads it; else NOT_LEADER (with a hint) or NO_LEADER. */
    private PartitionReplica leaderReplica(BrokerContext.TopicView topic, int partition) {
        PartitionReplica replica = node.replica(topic.groupIds()[partition]);
        if (replica == null) {
            // Not a replica here, so no view of its leadership: point at its preferred leader,
            // which redirects again if leadership moved.
            throw new PartitionErrors(topic.name(), partition, node::addressOf)
                    .notLeader(node.nodeId(), topic.preferredLeader()[partition], 0);
        }
        replica.checkLeader();
        return replica;
    }

    // ------------------------------------------------------------------ Fetch

    @Override
    public void fetch(FetchRequest request, StreamObserver<FetchResponse> out) {
        try {
            node.checkReady();
            Checks checks = new Checks();
            if (request.getMaxWaitMs() < 0 || request.getMinBytes() < 0) {
                checks.invalid("max_wait_ms", "max_wait_ms and min_bytes must not be negative (got "
                        + request.getMaxWaitMs() + ", " + request.getMinBytes() + ")");
            }
            Read read = read(request.getTopic(), request.getPartition(), request.getOffset(), request.getMaxBytes(),
                    request.getFormat(), checks);
            long waitMs = Math.min(Math.min(request.getMaxWaitMs(), MAX_WAIT_CAP_MS), Calls.waitMs(MAX_WAIT_CAP_MS));
            node.parking().fetch(read.replica(), read.offset(), read.maxBytes(), read.format(), waitMs, answer -> {
                out.onNext(answer);
                out.onCompleted();
            }, failure -> out.onError(Calls.statusOf(failure)));
        } catch (RuntimeException e) {
            out.onError(Calls.statusOf(e));
        }
    }

    // ------------------------------------------------------------------ Subscribe

    @Override
    public void subscribe(SubscribeRequest request, StreamObserver<FetchResponse> out) {
        try {
            node.checkReady();
            Checks checks = new Checks();
            int heartbeatMs = request.getHeartbeatIntervalMs();
            if (heartbeatMs != 0 && (heartbeatMs < MIN_HEARTBEAT_MS || heartbeatMs > MAX_HEARTBEAT_MS)) {
                checks.invalid("heartbeat_interval_ms", "heartbeat_interval_ms is " + heartbeatMs + "; it is 0 (no"
                        + " heartbeats) or " + MIN_HEARTBEAT_MS + ".." + MAX_HEARTBEAT_MS);
            }
            Read read = read(request.getTopic(), request.getPartition(), request.getOffset(), request.getMaxBytes(),
                    request.getFormat(), checks);
            node.subscriptions().subscribe(read.replica(), read.offset(), read.maxBytes(), read.format(), heartbeatMs,
                    (ServerCallStreamObserver<FetchResponse>) out);
        } catch (RuntimeException e) {
            out.onError(Calls.statusOf(e));
        }
    }

    /** Where a Fetch or Subscribe reads, validated: from this node's replica, which leads. */
    private record Read(PartitionReplica replica, long offset, int maxBytes, FetchFormat format) {
    }

    /** The checks Fetch and Subscribe share, after the caller's own (in {@code checks}), in broker.proto's order. */
    private Read read(String topic, int partition, long offset, int maxBytes, FetchFormat format, Checks checks) {
        if (offset < 0) {
            checks.invalid("offset", "offset " + offset + " is negative; offsets start at 0");
        }
        if (maxBytes < 0) {
            checks.invalid("max_bytes", "max_bytes is " + maxBytes + "; it must not be negative (0: the default, 1 MiB)");
        }
        FetchFormat known = format(format, checks);
        PartitionReplica replica = partitionLeader(topic, partition, checks);
        return new Read(replica, offset, maxBytes == 0 ? DEFAULT_MAX_BYTES : Math.min(maxBytes, MAX_BYTES_CAP), known);
    }

    private static FetchFormat format(FetchFormat format, Checks checks) {
        if (format == FetchFormat.UNRECOGNIZED) {
            checks.invalid("format", "format is not a FetchFormat this server knows");
            return FetchFormat.FETCH_FORMAT_RECORDS;
        }
        return format == FetchFormat.FETCH_FORMAT_UNSPECIFIED ? FetchFormat.FETCH_FORMAT_RECORDS : format;
    }

    /** Validates a single-partition request's topic and partition and returns the local leader replica. */
    private PartitionReplica partitionLeader(String topicName, int partition, Checks checks) {
        if (partition < 0) {
            checks.invalid("partition", "partition " + partition + " is negative; partitions are numbered from 0");
        }
        String nameProblem = node.topicNameProblem(topicName);
        if (nameProblem != null) {
            checks.add(ApiException.detail(ErrorReason.ERROR_REASON_INVALID_TOPIC_NAME, nameProblem)
                    .setTopic(topicName).setField("topic"));
        }
        checks.throwIfAny("the request is invalid");
        BrokerContext.TopicView topic = node.topic(topicName);
        checks.existence(topic, topicName, partition);
        checks.throwIfAny("the request names what does not exist");
        return leaderReplica(topic, partition);
    }

    // ------------------------------------------------------------------ ListOffsets

    @Override
    public void listOffsets(ListOffsetsRequest request, StreamObserver<ListOffsetsResponse> out) {
        Calls.answer(out, () -> {
            node.checkReady();
            Checks checks = new Checks();
            io.flotilla.api.v1.OffsetSpec spec = request.getSpec();
            switch (spec.getSpecCase()) {
                case SPEC_NOT_SET -> checks.invalid("spec", "spec is required: earliest, latest or timestamp_ms");
                case OFFSET -> checks.invalid("spec.offset", "ListOffsets looks up earliest, latest or timestamp_ms;"
                        + " an explicit offset needs no lookup");
                case TIMESTAMP_MS -> {
                    if (spec.getTimestampMs() < 0) {
                        checks.invalid("spec.timestamp_ms", "timestamp_ms " + spec.getTimestampMs() + " is negative");
                    }
                }
                default -> {
                }
            }
            PartitionReplica replica = partitionLeader(request.getTopic(), request.getPartition(), checks);
            return OffsetLookup.lookup(replica, spec);
        });
    }

    // ------------------------------------------------------------------ GetMetadata

    @Override
    public void getMetadata(GetMetadataRequest request, StreamObserver<GetMetadataResponse> out) {
        Calls.answer(out, () -> {
            node.checkReady();
            return node.metadata(request);
        });
    }

    /** Gathers the details of one validation check. */
    private static final class Checks {
        private final List<ErrorDetail> details = new ArrayList<>();

        void invalid(String field, String message) {
            add(ApiException.detail(ErrorReason.ERROR_REASON_INVALID_REQUEST, message).setField(field));
        }

        void add(ErrorDetail.Builder detail) {
            details.add(detail.build());
        }

        void existence(BrokerContext.TopicView topic, String name, int partition) {
            if (topic == null) {
                add(ApiException.detail(ErrorReason.ERROR_REASON_TOPIC_NOT_FOUND, "topic '" + name
                        + "' does not exist").setTopic(name));
            } else if (partition >= topic.partitionCount()) {
                add(ApiException.detail(ErrorReason.ERROR_REASON_PARTITION_NOT_FOUND, "topic '" + name + "' has "
                        + topic.partitionCount() + " partitions; partition " + partition + " does not exist")
                        .setTopic(name).setPartition(partition));
            }
        }

        void throwIfAny(String summary) {
            if (details.isEmpty()) {
                return;
            }
            String message = details.size() == 1 ? details.get(0).getMessage()
                    : summary + ": " + details.get(0).getMessage() + " (and " + (details.size() - 1) + " more)";
            List<ErrorDetail> copy = List.copyOf(details);
            details.clear();
            throw ApiException.of(message, copy);
        }
    }
}
