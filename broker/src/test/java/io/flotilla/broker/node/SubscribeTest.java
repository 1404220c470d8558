package io.flotilla.broker.node;

import com.google.protobuf.ByteString;
import io.flotilla.api.v1.DeleteTopicRequest;
import io.flotilla.api.v1.ErrorDetail;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.FetchRequest;
import io.flotilla.api.v1.FetchResponse;
import io.flotilla.api.v1.FetchedRecord;
import io.flotilla.api.v1.ListOffsetsRequest;
import io.flotilla.api.v1.OffsetSpec;
import io.flotilla.api.v1.ProducePartition;
import io.flotilla.api.v1.ProducePartitionResult;
import io.flotilla.api.v1.ProduceRequest;
import io.flotilla.api.v1.Record;
import io.flotilla.api.v1.RecordList;
import io.flotilla.api.v1.SubscribeRequest;
import io.flotilla.broker.api.BrokerContext;
import io.flotilla.broker.partition.PartitionReplica;
import io.flotilla.broker.partition.Subscriptions;
import io.flotilla.raft.MemberId;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Broker.Subscribe against one running three-node cluster (each test its own one-partition
 * topic): what a stream carries, how it is held back by a slow reader, and each way it ends as
 * broker.proto lists them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SubscribeTest {
    /** Subscriptions per node in this cluster: low, so the limit can be reached. */
    private static final int LIMIT = 3;

    private static TestCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new TestCluster(TestCluster.tempRoot(), 3, c -> c.withMaxSubscriptions(LIMIT));
        cluster.startAll();
    }

    /** Whatever a test opened has ended or been cancelled: every node released every stream. */
    @AfterEach
    void everyStreamReleased() {
        for (int node : cluster.nodes.keySet()) {
            TestCluster.await(() -> stats(node).open() == 0 && stats(node).waitingForClient() == 0, 20,
                    () -> "node " + node + " released its streams: " + stats(node));
        }
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void fromOffset0ASubscriberReceivesExactlyTheCommittedRecordsInOrderWhileAProducerWrites() {
        String topic = "stream";
        int leader = createTopic(topic);
        TestSubscriber subscriber = TestSubscriber.start(cluster.channel(leader), request(topic, 0).build());
        TreeMap<Long, String> acknowledged = new TreeMap<>();
        try (LeaderRouter router = new LeaderRouter(topic, 1, cluster.addresses);
             IdempotentProducer producer = IdempotentProducer.start(router)) {
            producer.send(3000, 25);
            producer.awaitAcknowledged(3000, 20);
            for (IdempotentProducer.Acknowledged a : producer.acknowledged(a -> true)) {
                for (int i = 0; i < a.values().size(); i++) {
                    acknowledged.put(a.baseOffset() + i, a.values().get(i));
                }
            }
        }
        List<FetchedRecord> received = subscriber.recordsThrough(acknowledged.lastKey());
        assertEquals(new ArrayList<>(acknowledged.keySet()), received.stream().map(FetchedRecord::getOffset).toList(),
                "offsets streamed: every committed one, once, in order");
        assertEquals(new ArrayList<>(acknowledged.values()), received.stream().map(SubscribeTest::value).toList(),
                "values streamed, by offset");
        subscriber.cancel();
    }

    @Test
    void aSlowSubscriberHoldsTheLeaderBackWithABoundedAmountInFlight() {
        String topic = "slow";
        int leader = createTopic(topic);
        int batches = 128;
        int perBatch = 16;
        int valueBytes = 1024;
        long written = (long) batches * perBatch * valueBytes;
        // The client's HTTP/2 window (64 KiB), plus what gRPC queues on the server before the
        // stream stops being ready (32 KiB), plus a message or two of 16 KiB, with room to spare.
        long bound = 256 * 1024;
        ManagedChannel narrow = NettyChannelBuilder.forTarget(cluster.addresses.get(leader)).usePlaintext()
                .flowControlWindow(64 * 1024).build();
        try {
            Subscriptions.Stats before = stats(leader);
            TestSubscriber subscriber = TestSubscriber.paced(narrow, request(topic, 0).setMaxBytes(16 * 1024).build(), 1);
            long end = produce(leader, topic, batches, perBatch, valueBytes);
            // Written and committed: the leader sends until the client's window is full, then waits for it.
            TestCluster.await(() -> stats(leader).waitingForClient() > before.waitingForClient()
                    || inFlight(leader, before, subscriber) > bound, 20, () -> "the stream waiting for its client"
                    + " to read: " + stats(leader));
            long heldBackAt = inFlight(leader, before, subscriber);
            assertTrue(heldBackAt <= bound, heldBackAt + " bytes in flight when the leader held back; bound " + bound);
            assertTrue(written >= 8 * bound, "the test writes far more than the bound");

            List<FetchedRecord> records = new ArrayList<>();
            long mostInFlight = heldBackAt;
            while (records.isEmpty() || records.get(records.size() - 1).getOffset() < end - 1) {
                subscriber.request(1);
                records.addAll(subscriber.next().getRecordsList());
                mostInFlight = Math.max(mostInFlight, inFlight(leader, before, subscriber));
            }
            assertTrue(mostInFlight <= bound, mostInFlight + " bytes in flight at most; bound " + bound);
            assertEquals(batches * perBatch, records.size(), "records streamed");
            for (int i = 0; i < records.size(); i++) {
                assertEquals(end - records.size() + i, records.get(i).getOffset());
                assertEquals(paddedValue(i, valueBytes), value(records.get(i)));
            }
            System.out.printf("slow subscriber: %d KiB written, %d KiB in flight when held back, %d KiB at most%n",
                    written / 1024, heldBackAt / 1024, mostInFlight / 1024);
            subscriber.cancel();
        } finally {
            narrow.shutdownNow();
        }
    }

    @Test
    void aHeartbeatCarriesTheHighWatermarkOnAnIdlePartition() {
        String topic = "idle";
        int leader = createTopic(topic);
        long highWatermark = cluster.broker(leader).listOffsets(ListOffsetsRequest.newBuilder().setTopic(topic)
                .setSpec(OffsetSpec.newBuilder().setLatest(true)).build()).getOffset();
        TestSubscriber subscriber = TestSubscriber.start(cluster.channel(leader), request(topic, highWatermark)
                .setHeartbeatIntervalMs(100).build());
        for (int beat = 0; beat < 2; beat++) {
            FetchResponse heartbeat = subscriber.next();
            assertEquals(0, heartbeat.getRecordsCount(), heartbeat.toString());
            assertEquals(highWatermark, heartbeat.getHighWatermark());
            assertEquals(highWatermark, heartbeat.getNextOffset());
        }
        subscriber.cancel();
    }

    @Test
    void whenLeadershipMovesTheStreamEndsWithNotLeaderNamingTheNewLeader() throws Exception {
        String topic = "moving";
        int leader = createTopic(topic);
        TestSubscriber subscriber = subscribedOn(leader, topic);
        BrokerNode node = cluster.nodes.get(leader);
        int target = node.driver().call(groupOf(node, topic), n -> {
            MemberId to = n.membership().voters().stream().filter(m -> m.nodeId() != leader).findFirst().orElseThrow();
            n.transferLeadership(to);
            return to.nodeId();
        }).get(10, TimeUnit.SECONDS);

        StatusRuntimeException end = subscriber.awaitEnd();
        assertEquals(Status.Code.FAILED_PRECONDITION, end.getStatus().getCode(), end.toString());
        ErrorDetail detail = LeaderRouter.detailOf(end);
        assertNotNull(detail, end.toString());
        assertEquals(ErrorReason.ERROR_REASON_NOT_LEADER, detail.getReason());
        assertEquals(target, detail.getLeader().getNodeId());
        assertEquals(cluster.addresses.get(target), detail.getLeader().getAddress());
    }

    @Test
    void deletingTheTopicEndsTheStreamWithNotFound() {
        String topic = "doomed";
        int leader = createTopic(topic);
        TestSubscriber subscriber = subscribedOn(leader, topic);
        cluster.admin(1).deleteTopic(DeleteTopicRequest.newBuilder().setName(topic).build());

        StatusRuntimeException end = subscriber.awaitEnd();
        assertEquals(Status.Code.NOT_FOUND, end.getStatus().getCode(), end.toString());
        ErrorDetail detail = LeaderRouter.detailOf(end);
        assertEquals(ErrorReason.ERROR_REASON_TOPIC_NOT_FOUND, detail.getReason());
        assertEquals(topic, detail.getTopic());
    }

    @Test
    void cancellingReleasesTheSubscription() {
        String topic = "cancelled";
        int leader = createTopic(topic);
        TestSubscriber subscriber = subscribedOn(leader, topic);
        subscriber.cancel();
        TestCluster.await(() -> stats(leader).open() == 0, 20, () -> "the cancelled stream released: " + stats(leader));
        assertEquals(Status.Code.CANCELLED, subscriber.awaitEnd().getStatus().getCode());
    }

    @Test
    void beyondTheLimitASubscriptionIsRefusedWithResourceExhausted() {
        String topic = "crowded";
        int leader = createTopic(topic);
        List<TestSubscriber> admitted = new ArrayList<>();
        for (int i = 0; i < LIMIT; i++) {
            admitted.add(subscribedOn(leader, topic));
        }
        StatusRuntimeException refused = TestSubscriber.start(cluster.channel(leader), request(topic, 0).build())
                .awaitEnd();
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode(), refused.toString());
        ErrorDetail detail = LeaderRouter.detailOf(refused);
        assertEquals(ErrorReason.ERROR_REASON_THROTTLED, detail.getReason());
        assertEquals(LIMIT, detail.getLimit());
        assertTrue(detail.getRetryAfterMs() > 0);
        assertTrue(detail.getMessage().contains(LIMIT + " subscriptions") && detail.getMessage().contains("cancel"),
                detail.getMessage());
        admitted.forEach(TestSubscriber::cancel);
        TestCluster.await(() -> stats(leader).open() == 0, 20, "every stream released");
        subscribedOn(leader, topic).cancel(); // and there is room again
    }

    @Test
    void aSubscriptionStartsWithTheErrorsOfAFetchOfTheSameOffset() {
        String topic = "refusals";
        int leader = createTopic(topic);
        int follower = leader % 3 + 1;
        assertSameRefusal(leader, FetchRequest.newBuilder().setTopic(topic).setOffset(-1),
                request(topic, -1), Status.Code.INVALID_ARGUMENT);
        assertSameRefusal(leader, FetchRequest.newBuilder().setTopic(topic).setOffset(500),
                request(topic, 500), Status.Code.OUT_OF_RANGE);
        assertSameRefusal(leader, FetchRequest.newBuilder().setTopic(topic).setMaxBytes(-1),
                request(topic, 0).setMaxBytes(-1), Status.Code.INVALID_ARGUMENT);
        assertSameRefusal(leader, FetchRequest.newBuilder().setTopic("no-such-topic"),
                request("no-such-topic", 0), Status.Code.NOT_FOUND);
        assertSameRefusal(follower, FetchRequest.newBuilder().setTopic(topic),
                request(topic, 0), Status.Code.FAILED_PRECONDITION);

        StatusRuntimeException badBeat = TestSubscriber.start(cluster.channel(leader), request(topic, 0)
                .setHeartbeatIntervalMs(99).build()).awaitEnd();
        assertEquals(Status.Code.INVALID_ARGUMENT, badBeat.getStatus().getCode());
        assertEquals("heartbeat_interval_ms", LeaderRouter.detailOf(badBeat).getField());
    }

    @Test
    void whenItsNodeStopsTheStreamEndsWithNodeNotReady() throws Exception {
        try (TestCluster single = new TestCluster(TestCluster.tempRoot(), 1).startAll()) {
            single.createTopic("alone", 1, 1);
            TestCluster.await(() -> !single.broker(1).produce(produceRequest("alone", 0, 1, 8)).getResults(0)
                    .hasError(), 20, "a record written");
            TestSubscriber subscriber = TestSubscriber.start(single.channel(1), request("alone", 0).build());
            subscriber.next();
            single.stop(1);
            StatusRuntimeException end = subscriber.awaitEnd();
            assertEquals(Status.Code.UNAVAILABLE, end.getStatus().getCode(), end.toString());
            ErrorDetail detail = LeaderRouter.detailOf(end);
            assertNotNull(detail, end.toString());
            assertEquals(ErrorReason.ERROR_REASON_NODE_NOT_READY, detail.getReason());
        }
    }

    // ------------------------------------------------------------------ helpers

    private static void assertSameRefusal(int node, FetchRequest.Builder fetch, SubscribeRequest.Builder subscribe,
                                          Status.Code code) {
        StatusRuntimeException fetchRefusal = assertThrows(StatusRuntimeException.class,
                () -> cluster.broker(node).fetch(fetch.build()));
        StatusRuntimeException subscribeRefusal = TestSubscriber.start(cluster.channel(node), subscribe.build())
                .awaitEnd();
        assertEquals(code, fetchRefusal.getStatus().getCode(), fetchRefusal.toString());
        assertEquals(code, subscribeRefusal.getStatus().getCode(), subscribeRefusal.toString());
        assertEquals(LeaderRouter.detailOf(fetchRefusal), LeaderRouter.detailOf(subscribeRefusal));
    }

    /** A subscription from the high watermark, once the leader serves it. */
    private static TestSubscriber subscribedOn(int leader, String topic) {
        int open = stats(leader).open();
        TestSubscriber s = TestSubscriber.start(cluster.channel(leader), request(topic, 0).build());
        TestCluster.await(() -> stats(leader).open() == open + 1, 20, () -> "the stream served: " + stats(leader));
        return s;
    }

    private static SubscribeRequest.Builder request(String topic, long offset) {
        return SubscribeRequest.newBuilder().setTopic(topic).setPartition(0).setOffset(offset);
    }

    /** Creates a one-partition topic of three replicas; returns its leader, once it has committed its first entry. */
    private static int createTopic(String topic) {
        cluster.createTopic(topic, 1, 3);
        int[] leader = new int[1];
        TestCluster.await(() -> {
            for (var e : cluster.nodes.entrySet()) {
                PartitionReplica r = replica(e.getValue(), topic);
                if (r != null && r.leadershipView().leaderNode() == e.getKey() && r.highWatermark() > 0) {
                    leader[0] = e.getKey();
                    return true;
                }
            }
            return false;
        }, 20, "a leader of " + topic);
        return leader[0];
    }

    private static PartitionReplica replica(BrokerNode node, String topic) {
        BrokerContext.TopicView view = node.context().topic(topic);
        return view == null ? null : node.context().replica(view.groupIds()[0]);
    }

    private static long groupOf(BrokerNode node, String topic) {
        return node.context().topic(topic).groupIds()[0];
    }

    private static Subscriptions.Stats stats(int node) {
        return cluster.nodes.get(node).context().subscriptions().stats();
    }

    /** Bytes the leader handed to gRPC for the stream that the client has not read. */
    private static long inFlight(int leader, Subscriptions.Stats before, TestSubscriber subscriber) {
        return stats(leader).bytesSent() - before.bytesSent() - subscriber.receivedBytes();
    }

    /** Writes {@code batches} batches of {@code perBatch} padded values numbered from 0; returns the offset after them. */
    private static long produce(int leader, String topic, int batches, int perBatch, int valueBytes) {
        long end = 0;
        for (int b = 0; b < batches; b++) {
            ProducePartitionResult r = cluster.broker(leader).produce(produceRequest(topic, b * perBatch, perBatch,
                    valueBytes)).getResults(0);
            assertFalse(r.hasError(), r.toString());
            end = r.getBaseOffset() + perBatch;
        }
        return end;
    }

    private static ProduceRequest produceRequest(String topic, int first, int count, int valueBytes) {
        RecordList.Builder records = RecordList.newBuilder();
        for (int i = first; i < first + count; i++) {
            records.addRecords(Record.newBuilder().setValue(ByteString.copyFrom(paddedValue(i, valueBytes),
                    StandardCharsets.UTF_8)));
        }
        return ProduceRequest.newBuilder().setNonIdempotent(true).addPartitions(ProducePartition.newBuilder()
                .setTopic(topic).setPartition(0).setRecords(records)).build();
    }

    private static String paddedValue(int i, int bytes) {
        String number = String.format("%08d", i);
        return number + "x".repeat(Math.max(0, bytes - number.length()));
    }

    private static String value(FetchedRecord r) {
        return r.getValue().toStringUtf8();
    }
}
