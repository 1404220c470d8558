package io.flotilla.broker.node;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.flotilla.api.v1.AdminGrpc;
import io.flotilla.api.v1.BrokerGrpc;
import io.flotilla.api.v1.CreateTopicRequest;
import io.flotilla.api.v1.ErrorDetail;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.FetchRequest;
import io.flotilla.api.v1.GetMetadataRequest;
import io.flotilla.api.v1.InitProducerRequest;
import io.flotilla.api.v1.ListOffsetsRequest;
import io.flotilla.api.v1.ListTopicsRequest;
import io.flotilla.api.v1.OffsetSpec;
import io.flotilla.api.v1.PartitionMetadata;
import io.flotilla.api.v1.ProducePartition;
import io.flotilla.api.v1.ProducePartitionResult;
import io.flotilla.api.v1.ProduceRequest;
import io.flotilla.api.v1.Record;
import io.flotilla.api.v1.RecordList;
import io.flotilla.api.v1.TopicConfig;
import io.flotilla.api.v1.TopicListing;
import io.flotilla.broker.RawBytes;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests a caller gets wrong, against one running three-node cluster: each is refused with the
 * status code, ErrorDetail and message the contract (broker.proto, admin.proto, errors.proto)
 * gives, and leaves the topics and every partition's high watermark as they were.
 */
class BadInputTest {
    /** Three partitions, replication factor 3, one record in each partition. */
    private static final String ORDERS = "orders";
    /** One partition with max_batch_bytes at its minimum, 1 KiB. */
    private static final String SMALL = "small-batches";
    /** Two partitions for the producer-state cases, each written by its own test only. */
    private static final String PRODUCERS = "producers";
    private static final int SMALL_MAX_BATCH_BYTES = 1024;
    /**
     * Topic names refused wherever a client names a topic to create or write, with what the
     * message must say about each. "__" marks internal topics, which only the cluster creates
     * and writes.
     */
    private static final Map<String, String> BAD_NAMES = Map.of("bad/name", "'bad/name'", "", "empty",
            "x".repeat(250), "250 characters", "__internal", "'__internal'");

    private static TestCluster cluster;
    private static final Map<Integer, ManagedChannel> channels = new TreeMap<>();

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new TestCluster(TestCluster.tempRoot(), 3); // assigned first: @AfterAll closes a failed start too
        cluster.startAll();
        for (int id : cluster.addresses.keySet()) {
            channels.put(id, cluster.channel(id));
        }
        createTopic(CreateTopicRequest.newBuilder().setName(ORDERS).setPartitionCount(3).setReplicationFactor(3));
        createTopic(CreateTopicRequest.newBuilder().setName(SMALL).setPartitionCount(1).setReplicationFactor(3)
                .setConfig(TopicConfig.newBuilder().setMaxBatchBytes(SMALL_MAX_BATCH_BYTES)));
        createTopic(CreateTopicRequest.newBuilder().setName(PRODUCERS).setPartitionCount(2).setReplicationFactor(3));
        for (int p = 0; p < 3; p++) {
            ProducePartitionResult r = broker(leaderOf(ORDERS, p)).produce(nonIdempotent(ORDERS, p, record("seed")))
                    .getResults(0);
            assertFalse(r.hasError(), r.toString());
        }
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    // ------------------------------------------------------------------ unknown topic / partition

    @Test
    void produceToAnUnknownTopicIsNotFound() {
        Refusal r = refused(Status.Code.NOT_FOUND, ErrorReason.ERROR_REASON_TOPIC_NOT_FOUND,
                () -> broker(1).produce(nonIdempotent("no-such-topic", 0, record("x"))));
        assertEquals("no-such-topic", r.only().getTopic());
        r.messageNames("'no-such-topic'");
    }

    @Test
    void produceToAnUnknownPartitionIsNotFound() {
        Refusal r = refused(Status.Code.NOT_FOUND, ErrorReason.ERROR_REASON_PARTITION_NOT_FOUND,
                () -> broker(1).produce(nonIdempotent(ORDERS, 7, record("x"))));
        assertEquals(ORDERS, r.only().getTopic());
        assertEquals(7, r.only().getPartition());
        r.messageNames("partition 7");
    }

    @Test
    void fetchFromAnUnknownTopicIsNotFound() {
        Refusal r = refused(Status.Code.NOT_FOUND, ErrorReason.ERROR_REASON_TOPIC_NOT_FOUND,
                () -> broker(1).fetch(FetchRequest.newBuilder().setTopic("no-such-topic").setPartition(0).build()));
        assertEquals("no-such-topic", r.only().getTopic());
        r.messageNames("'no-such-topic'");
    }

    @Test
    void fetchFromAnUnknownPartitionIsNotFound() {
        Refusal r = refused(Status.Code.NOT_FOUND, ErrorReason.ERROR_REASON_PARTITION_NOT_FOUND,
                () -> broker(1).fetch(FetchRequest.newBuilder().setTopic(ORDERS).setPartition(3).build()));
        assertEquals(ORDERS, r.only().getTopic());
        assertEquals(3, r.only().getPartition());
        r.messageNames("partition 3");
    }

    // ------------------------------------------------------------------ topic names

    @Test
    void createTopicRefusesBadNames() {
        for (Map.Entry<String, String> bad : BAD_NAMES.entrySet()) {
            Refusal r = refused(Status.Code.INVALID_ARGUMENT, ErrorReason.ERROR_REASON_INVALID_TOPIC_NAME,
                    () -> admin(1).createTopic(CreateTopicRequest.newBuilder().setName(bad.getKey())
                            .setPartitionCount(1).setReplicationFactor(1).build()));
            r.messageNames(bad.getValue());
        }
    }

    @Test
    void produceRefusesBadTopicNames() {
        for (Map.Entry<String, String> bad : BAD_NAMES.entrySet()) {
            Refusal r = refused(Status.Code.INVALID_ARGUMENT, ErrorReason.ERROR_REASON_INVALID_TOPIC_NAME,
                    () -> broker(1).produce(nonIdempotent(bad.getKey(), 0, record("x"))));
            assertEquals(bad.getKey(), r.only().getTopic());
            assertEquals("partitions[0].topic", r.only().getField());
            r.messageNames(bad.getValue());
        }
    }

    // ------------------------------------------------------------------ sizes

    @Test
    void aRecordOverMaxBatchBytesIsRecordTooLarge() {
        Record big = Record.newBuilder().setValue(ByteString.copyFrom(new byte[2000])).build();
        Refusal r = refused(Status.Code.INVALID_ARGUMENT, ErrorReason.ERROR_REASON_RECORD_TOO_LARGE,
                () -> broker(leaderOf(SMALL, 0)).produce(nonIdempotent(SMALL, 0, big)));
        ErrorDetail d = r.only();
        assertEquals(SMALL_MAX_BATCH_BYTES, d.getLimit());
        assertTrue(d.getActual() > 2000, "actual is the size the record alone needs: " + d);
        assertEquals("partitions[0].records.records[0]", d.getField());
        r.messageNames(String.valueOf(SMALL_MAX_BATCH_BYTES));
        r.messageNames(d.getField());
    }

    @Test
    void recordsThatFitAloneButNotTogetherAreBatchTooLarge() {
        Record medium = Record.newBuilder().setValue(ByteString.copyFrom(new byte[400])).build();
        Refusal r = refused(Status.Code.INVALID_ARGUMENT, ErrorReason.ERROR_REASON_BATCH_TOO_LARGE,
                () -> broker(leaderOf(SMALL, 0)).produce(nonIdempotent(SMALL, 0, medium, medium, medium)));
        ErrorDetail d = r.only();
        assertEquals(SMALL_MAX_BATCH_BYTES, d.getLimit());
        assertTrue(d.getActual() > SMALL_MAX_BATCH_BYTES, "actual exceeds the limit: " + d);
        assertEquals("partitions[0].records", d.getField());
        r.messageNames(String.valueOf(SMALL_MAX_BATCH_BYTES));
    }

    // ------------------------------------------------------------------ fetch offsets

    @Test
    void fetchAtANegativeOffsetIsInvalid() {
        Refusal r = refused(Status.Code.INVALID_ARGUMENT, ErrorReason.ERROR_REASON_INVALID_REQUEST,
                () -> broker(leaderOf(ORDERS, 0)).fetch(FetchRequest.newBuilder().setTopic(ORDERS).setPartition(0)
                        .setOffset(-5).build()));
        assertEquals("offset", r.only().getField());
        r.messageNames("-5");
    }

    @Test
    void fetchBeyondTheLogEndIsOutOfRangeWithTheValidOffsets() {
        long highWatermark = State.now().highWatermarks().get(ORDERS + "-1");
        long beyond = highWatermark + 1000;
        Refusal r = refused(Status.Code.OUT_OF_RANGE, ErrorReason.ERROR_REASON_OFFSET_OUT_OF_RANGE,
                () -> broker(leaderOf(ORDERS, 1)).fetch(FetchRequest.newBuilder().setTopic(ORDERS).setPartition(1)
                        .setOffset(beyond).build()));
        ErrorDetail d = r.only();
        assertEquals(ORDERS, d.getTopic());
        assertEquals(1, d.getPartition());
        assertTrue(d.hasValidOffsets(), d.toString());
        assertEquals(0, d.getValidOffsets().getLogStartOffset());
        assertEquals(highWatermark, d.getValidOffsets().getHighWatermark());
        r.messageNames(String.valueOf(beyond));
    }

    // ------------------------------------------------------------------ request shape

    @Test
    void anEmptyRecordListIsInvalid() {
        Refusal r = refused(Status.Code.INVALID_ARGUMENT, ErrorReason.ERROR_REASON_INVALID_REQUEST,
                () -> broker(leaderOf(ORDERS, 0)).produce(nonIdempotent(ORDERS, 0)));
        assertEquals("partitions[0].records", r.only().getField());
        r.messageNames("partitions[0].records");
    }

    @Test
    void aProduceWithoutPartitionsIsInvalid() {
        Refusal r = refused(Status.Code.INVALID_ARGUMENT, ErrorReason.ERROR_REASON_INVALID_REQUEST,
                () -> broker(1).produce(ProduceRequest.newBuilder().setNonIdempotent(true).build()));
        assertEquals("partitions", r.only().getField());
        r.messageNames("no partitions");
    }

    @Test
    void requestBytesThatDoNotParseAreInvalidRequest() {
        // A varint that never ends: no protobuf parser can read a field out of this.
        byte[] garbage = new byte[16];
        Arrays.fill(garbage, (byte) 0xFF);
        MethodDescriptor<byte[], byte[]> produce = BrokerGrpc.getProduceMethod()
                .toBuilder(RawBytes.INSTANCE, RawBytes.INSTANCE).build();
        Refusal r = refused(Status.Code.INVALID_ARGUMENT, ErrorReason.ERROR_REASON_INVALID_REQUEST,
                () -> ClientCalls.blockingUnaryCall(channels.get(leaderOf(ORDERS, 0)), produce,
                        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), garbage));
        r.messageNames("flotilla.v1.Broker/Produce");
    }

    // ------------------------------------------------------------------ leadership

    @Test
    void produceToAFollowerIsNotLeaderNamingTheLeader() {
        int leader = leaderOf(ORDERS, 2);
        int follower = leader == 1 ? 2 : 1;
        Refusal r = refused(Status.Code.FAILED_PRECONDITION, ErrorReason.ERROR_REASON_NOT_LEADER,
                () -> broker(follower).produce(nonIdempotent(ORDERS, 2, record("x"))));
        ErrorDetail d = r.only();
        assertEquals(ORDERS, d.getTopic());
        assertEquals(2, d.getPartition());
        assertEquals(leader, d.getLeader().getNodeId());
        assertEquals(cluster.addresses.get(leader), d.getLeader().getAddress());
        assertTrue(d.getLeader().getLeaderTerm() > 0, "the hint carries the leader's term: " + d);
        assertTrue(d.getRetriable(), "NOT_LEADER is retriable against the leader");
        r.messageNames("node " + leader);
        r.messageNames(cluster.addresses.get(leader));
    }

    // ------------------------------------------------------------------ CreateTopic against the cluster's state

    @Test
    void creatingAnExistingTopicIsAlreadyExists() {
        for (int node : channels.keySet()) {
            Refusal r = refused(Status.Code.ALREADY_EXISTS, ErrorReason.ERROR_REASON_TOPIC_ALREADY_EXISTS,
                    () -> admin(node).createTopic(CreateTopicRequest.newBuilder().setName(ORDERS)
                            .setPartitionCount(3).setReplicationFactor(3).build()));
            assertEquals(ORDERS, r.only().getTopic());
            r.messageNames("'" + ORDERS + "'");
        }
    }

    @Test
    void aReplicationFactorAboveTheNodeCountIsNotEnoughNodes() {
        Refusal r = refused(Status.Code.FAILED_PRECONDITION, ErrorReason.ERROR_REASON_NOT_ENOUGH_NODES,
                () -> admin(1).createTopic(CreateTopicRequest.newBuilder().setName("four-replicas")
                        .setPartitionCount(1).setReplicationFactor(4).build()));
        assertEquals(3, r.only().getLimit(), "limit is the node count");
        r.messageNames("4");
    }

    @Test
    void aPartitionCountOver4096IsInvalid() {
        Refusal r = refused(Status.Code.INVALID_ARGUMENT, ErrorReason.ERROR_REASON_INVALID_PARTITION_COUNT,
                () -> admin(1).createTopic(CreateTopicRequest.newBuilder().setName("too-many-partitions")
                        .setPartitionCount(5000).setReplicationFactor(1).build()));
        r.messageNames("5000");
    }

    // ------------------------------------------------------------------ producer fields

    @Test
    void producerIdZeroWithoutNonIdempotentIsInvalid() {
        Refusal r = refused(Status.Code.INVALID_ARGUMENT, ErrorReason.ERROR_REASON_INVALID_REQUEST,
                () -> broker(leaderOf(ORDERS, 0)).produce(ProduceRequest.newBuilder()
                        .addPartitions(entry(ORDERS, 0, 0, record("x"))).build()));
        assertEquals("producer_id", r.only().getField());
        r.messageNames("producer_id 0");
    }

    @Test
    void anOutOfOrderSequenceFailsItsEntryInsideAnOkAnswer() {
        int leader = leaderOf(PRODUCERS, 0);
        long producerId = broker(leader).initProducer(InitProducerRequest.getDefaultInstance()).getProducerId();
        ProducePartitionResult first = broker(leader).produce(idempotent(producerId, entry(PRODUCERS, 0, 0,
                record("a"), record("b")))).getResults(0);
        assertFalse(first.hasError(), first.toString());
        State before = State.now();

        ProducePartitionResult skipped = broker(leader).produce(idempotent(producerId, entry(PRODUCERS, 0, 5,
                record("c")))).getResults(0);
        assertTrue(skipped.hasError(), skipped.toString());
        ErrorDetail d = skipped.getError();
        assertEquals(ErrorReason.ERROR_REASON_OUT_OF_ORDER_SEQUENCE, d.getReason());
        assertEquals(Status.Code.FAILED_PRECONDITION.value(), d.getCode());
        assertEquals(PRODUCERS, d.getTopic());
        assertEquals(0, d.getPartition());
        assertEquals(-1, skipped.getBaseOffset());
        assertEquals(-1, skipped.getAppendTimeMs());
        assertTrue(d.getMessage().contains("sequence 5") && d.getMessage().contains("expects 2"), d.getMessage());
        before.assertUnchanged();
    }

    @Test
    void aRetriedBatchIsAnsweredWithItsOriginalOffsetAndWrittenOnce() {
        int leader = leaderOf(PRODUCERS, 1);
        long producerId = broker(leader).initProducer(InitProducerRequest.getDefaultInstance()).getProducerId();
        ProduceRequest batch = idempotent(producerId, entry(PRODUCERS, 1, 0, record("a"), record("b")));
        ProducePartitionResult original = broker(leader).produce(batch).getResults(0);
        assertFalse(original.hasError(), original.toString());
        assertFalse(original.getDuplicate());
        State before = State.now();

        ProducePartitionResult retry = broker(leader).produce(batch).getResults(0);
        assertFalse(retry.hasError(), retry.toString());
        assertTrue(retry.getDuplicate(), retry.toString());
        assertEquals(original.getBaseOffset(), retry.getBaseOffset());
        assertEquals(original.getAppendTimeMs(), retry.getAppendTimeMs());
        before.assertUnchanged();
    }

    // ------------------------------------------------------------------ helpers

    /** A refused call: its status message and its ErrorDetails. */
    private record Refusal(String message, List<ErrorDetail> details) {
        ErrorDetail only() {
            assertEquals(1, details.size(), details.toString());
            return details.get(0);
        }

        void messageNames(String value) {
            assertTrue(message.contains(value), "the message names " + value + ": " + message);
            assertTrue(details.get(0).getMessage().contains(value), "the detail's message names " + value + ": "
                    + details.get(0).getMessage());
        }
    }

    /**
     * Asserts the call fails with {@code code} and ErrorDetails of {@code reason} only, each
     * carrying that code, and that it changed nothing.
     */
    private static Refusal refused(Status.Code code, ErrorReason reason, Executable call) {
        State before = State.now();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        before.assertUnchanged();
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        assertNotNull(status, "the status carries google.rpc.Status details: " + e.getStatus());
        assertEquals(code.value(), status.getCode());
        List<ErrorDetail> details = new ArrayList<>();
        for (Any any : status.getDetailsList()) {
            assertTrue(any.is(ErrorDetail.class), any.getTypeUrl());
            try {
                details.add(any.unpack(ErrorDetail.class));
            } catch (InvalidProtocolBufferException bad) {
                throw new AssertionError(bad);
            }
        }
        assertFalse(details.isEmpty(), "at least one ErrorDetail: " + status);
        for (ErrorDetail d : details) {
            assertEquals(reason, d.getReason(), d.toString());
            assertEquals(code.value(), d.getCode(), d.toString());
        }
        String message = e.getStatus().getDescription();
        assertNotNull(message, "the status has a message");
        assertEquals(status.getMessage(), message);
        return new Refusal(message, details);
    }

    /** What a refused request must leave alone: the topics, and every partition's high watermark. */
    private record State(List<TopicListing> topics, Map<String, Long> highWatermarks) {
        static State now() {
            List<TopicListing> topics = admin(1).listTopics(ListTopicsRequest.newBuilder().setIncludeInternal(true)
                    .build()).getTopicsList();
            Map<String, Long> highWatermarks = new TreeMap<>();
            for (TopicListing t : topics) {
                for (int p = 0; p < t.getPartitionCount(); p++) {
                    highWatermarks.put(t.getName() + "-" + p, broker(leaderOf(t.getName(), p)).listOffsets(
                            ListOffsetsRequest.newBuilder().setTopic(t.getName()).setPartition(p)
                                    .setSpec(OffsetSpec.newBuilder().setLatest(true)).build()).getOffset());
                }
            }
            return new State(topics, highWatermarks);
        }

        void assertUnchanged() {
            assertEquals(this, now(), "a refused request changed nothing");
        }
    }

    /** The partition's leader as node 1 knows it, once it knows one. */
    private static int leaderOf(String topic, int partition) {
        int[] leader = new int[1];
        TestCluster.await(() -> {
            PartitionMetadata p = broker(1).getMetadata(GetMetadataRequest.newBuilder().addTopics(topic).build())
                    .getTopics(0).getPartitions(partition);
            leader[0] = p.getLeaderNodeId();
            return leader[0] != 0;
        }, 10, topic + "-" + partition + " has a leader");
        return leader[0];
    }

    /** Creates the topic, and waits for the leadership to settle where the balancers keep it. */
    private static void createTopic(CreateTopicRequest.Builder request) {
        admin(1).createTopic(request.build()).getTopic().getPartitionsList()
                .forEach(p -> assertNotEquals(0, p.getLeaderNodeId(), "partition " + p.getPartition() + " has a leader"));
        cluster.awaitPreferredLeaders(request.getName());
    }

    /** A fresh deadline per call: a stub's deadline is fixed when the stub is made. */
    private static BrokerGrpc.BrokerBlockingStub broker(int node) {
        return BrokerGrpc.newBlockingStub(channels.get(node)).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static AdminGrpc.AdminBlockingStub admin(int node) {
        return AdminGrpc.newBlockingStub(channels.get(node)).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static Record record(String value) {
        return ClusterSmokeTest.record(value);
    }

    private static ProducePartition.Builder entry(String topic, int partition, int baseSequence, Record... records) {
        return ProducePartition.newBuilder().setTopic(topic).setPartition(partition).setBaseSequence(baseSequence)
                .setRecords(RecordList.newBuilder().addAllRecords(List.of(records)));
    }

    private static ProduceRequest nonIdempotent(String topic, int partition, Record... records) {
        return ProduceRequest.newBuilder().setNonIdempotent(true).addPartitions(entry(topic, partition, 0, records))
                .build();
    }

    private static ProduceRequest idempotent(long producerId, ProducePartition.Builder entry) {
        return ProduceRequest.newBuilder().setProducerId(producerId).addPartitions(entry).build();
    }
}
