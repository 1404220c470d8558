package io.flotilla.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.ProducePartition;
import io.flotilla.api.v1.Record;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The idempotent producer against fake nodes that check sequence numbers as broker.proto describes. */
class ProducerTest {

    private static final ProducerConfig SMALL_BATCHES = ProducerConfig.DEFAULTS.withBatchBytes(1024);

    private FakeCluster cluster;
    private FlotillaClient client;
    private final Map<Long, String> failures = new ConcurrentSkipListMap<>();

    @BeforeEach
    void start() throws IOException {
        cluster = new FakeCluster(2, "orders", 3);
        client = new FlotillaClient(FlotillaClientTest.fastRetries(List.of(cluster.address(1))));
    }

    @AfterEach
    void stop() {
        client.close();
        cluster.close();
    }

    @Test
    void eachPartitionGetsConsecutiveSequenceNumbersAndEveryRecordInOrder() throws InterruptedException {
        Producer producer = Producer.start(client, "orders", SMALL_BATCHES, failures::put);
        Map<Integer, List<String>> expected = new HashMap<>();
        for (int i = 0; i < 600; i++) {
            String key = "key-" + (i % 17);
            producer.send(utf8(key), utf8("value-" + i));
            expected.computeIfAbsent(Murmur2.partition(utf8(key).asReadOnlyByteBuffer(), 3), p -> new ArrayList<>())
                    .add("value-" + i);
        }
        Producer.Summary summary = producer.finish();

        assertEquals(Map.of(), failures);
        assertEquals(new Producer.Summary(600, 600, 0), summary);
        assertEquals(Map.of(), failures);
        for (int p = 0; p < 3; p++) {
            assertEquals(expected.get(p), values(cluster.log(p)), "partition " + p);
            int next = 0;
            int batches = 0;
            for (FakeCluster.ReceivedBatch b : cluster.received) {
                if (b.partition() == p && b.appended()) {
                    assertEquals(next, b.baseSequence(), "partition " + p + " batch " + batches);
                    next += b.records().size();
                    batches++;
                }
            }
            assertTrue(batches > 3, "records were split into several batches: " + batches);
        }
    }

    @Test
    void recordsWithoutAKeyGoToTheNextPartitionWithEachBatchAndABatchHoldsRecordsSentInARow()
            throws InterruptedException {
        Producer producer = Producer.start(client, "orders", SMALL_BATCHES, failures::put);
        for (int i = 0; i < 300; i++) {
            producer.send(null, utf8("value-" + i));
        }
        assertEquals(new Producer.Summary(300, 300, 0), producer.finish());

        List<List<Integer>> batches = new ArrayList<>();
        List<Integer> partitions = new ArrayList<>();
        cluster.received.stream().filter(FakeCluster.ReceivedBatch::appended)
                .sorted(java.util.Comparator.comparingInt(b -> number(b.records().get(0))))
                .forEach(b -> {
                    batches.add(b.records().stream().map(ProducerTest::number).toList());
                    partitions.add(b.partition());
                });
        int next = 0;
        for (int k = 0; k < batches.size(); k++) {
            for (int n : batches.get(k)) {
                assertEquals(next++, n, "batch " + k + " continues where the one before ended: " + batches);
            }
            if (k > 0) {
                assertEquals((partitions.get(k - 1) + 1) % 3, partitions.get(k), "batch " + k + " moved on: "
                        + partitions);
            }
        }
        assertEquals(300, next);
    }

    @Test
    void recordsSentWithinTheLingerShareOneBatchThatGoesOutWhenTheLingerEndsWithoutAFlush() throws Exception {
        Producer producer = Producer.start(client, "orders", ProducerConfig.DEFAULTS.withLingerMs(2_000),
                failures::put);
        long start = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            producer.send(utf8("one-key"), utf8("value-" + i));
        }
        int partition = Murmur2.partition(utf8("one-key").asReadOnlyByteBuffer(), 3);
        long until = start + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (cluster.log(partition).size() < 20) {
            assertTrue(System.nanoTime() < until, "the linger ended and the batch went out without a flush");
            Thread.sleep(5); // polling an outcome with a bound
        }
        assertTrue(System.nanoTime() - start >= java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(2_000),
                "nothing went out before the linger ended");
        assertEquals(1, cluster.received.stream().filter(b -> b.partition() == partition).count(),
                "one batch for the 20 records: " + cluster.received);
        assertEquals(new Producer.Summary(20, 20, 0), producer.finish());
    }

    @Test
    void withoutALingerARecordIsSentAtOnceWhenNothingOfItsPartitionWaitsWithoutAFlush() throws Exception {
        Producer producer = Producer.start(client, "orders", ProducerConfig.DEFAULTS.withLingerMs(0),
                failures::put);
        producer.send(utf8("k"), utf8("alone"));

        int partition = Murmur2.partition(utf8("k").asReadOnlyByteBuffer(), 3);
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (cluster.log(partition).isEmpty()) {
            assertTrue(System.nanoTime() < until, "the record reached its leader without a flush or a full batch");
            Thread.sleep(5); // polling an outcome with a bound
        }
        assertEquals(List.of("alone"), values(cluster.log(partition)));
        assertEquals(new Producer.Summary(1, 1, 0), producer.finish());
    }

    @Test
    void recordsGatheredWhileCallsWereAtTheirLimitGoOutWhenTheyAnswerWithoutAnotherSendOrAFlush()
            throws Exception {
        java.util.concurrent.CountDownLatch answer = new java.util.concurrent.CountDownLatch(1);
        cluster.produceEntryFault = e -> {
            try {
                answer.await();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            return Optional.empty();
        };
        Producer producer = Producer.start(client, "orders", ProducerConfig.DEFAULTS, failures::put);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            producer.send(utf8("one-key"), utf8("value-" + i));
            sent.add("value-" + i);
        }
        answer.countDown(); // no send, flush or finish from here on until every record has arrived

        int partition = Murmur2.partition(utf8("one-key").asReadOnlyByteBuffer(), 3);
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (cluster.log(partition).size() < 50) {
            assertTrue(System.nanoTime() < until, "records still held by the producer: "
                    + (50 - cluster.log(partition).size()));
            Thread.sleep(5); // polling an outcome with a bound
        }
        assertEquals(sent, values(cluster.log(partition)));
        assertEquals(new Producer.Summary(50, 50, 0), producer.finish());
    }

    @Test
    void whileAPartitionsCallsAreAtTheirLimitItsRecordsGatherIntoFullBatches() throws Exception {
        java.util.concurrent.CountDownLatch answer = new java.util.concurrent.CountDownLatch(1);
        cluster.produceEntryFault = e -> {
            try {
                answer.await(); // every call waits here until the test has sent all its records
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            return Optional.empty();
        };
        Producer producer = Producer.start(client, "orders", SMALL_BATCHES, failures::put);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            producer.send(utf8("one-key"), utf8("value-" + i));
            sent.add("value-" + i);
        }
        answer.countDown();
        assertEquals(new Producer.Summary(200, 200, 0), producer.finish());

        int partition = Murmur2.partition(utf8("one-key").asReadOnlyByteBuffer(), 3);
        assertEquals(sent, values(cluster.log(partition)), "every record once, in order");
        long batches = cluster.received.stream().filter(b -> b.partition() == partition && b.appended()).count();
        // at most 5 calls in flight and one sealed batch waiting took records one by one; the others
        // (about 44 bytes each) filled batches of 1 KiB, about 22 records
        assertTrue(batches <= 5 + 1 + 200 / 20 + 1, "records gathered into full batches: " + batches + " batches");
    }

    @Test
    void aBatchSentToAFormerLeaderIsResentToTheLeaderItNames() throws InterruptedException {
        cluster.moveLeader(0, 2); // metadata keeps naming node 1 for partition 0 ...
        cluster.moveLeader(1, 1); // ... and node 2 for partition 1
        Producer producer = Producer.start(client, "orders", SMALL_BATCHES, failures::put);
        Map<Integer, List<String>> expected = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            producer.send(utf8("k" + i), utf8("v" + i));
            expected.computeIfAbsent(Murmur2.partition(utf8("k" + i).asReadOnlyByteBuffer(), 3),
                    p -> new ArrayList<>()).add("v" + i);
        }
        assertEquals(new Producer.Summary(200, 200, 0), producer.finish());

        for (int p = 0; p < 3; p++) {
            assertEquals(expected.get(p), values(cluster.log(p)), "partition " + p);
            int leader = p == 0 ? 2 : 1;
            for (FakeCluster.ReceivedBatch b : cluster.received) {
                if (b.partition() == p) {
                    assertEquals(leader, b.node(), "only the leader appends");
                }
            }
        }
    }

    @Test
    void aBatchThatFailedAfterValidationIsResentWithTheSameSequenceAndRecords() throws InterruptedException {
        int partition = Murmur2.partition(utf8("same key").asReadOnlyByteBuffer(), 3);
        AtomicReference<ProducePartition> faulted = new AtomicReference<>();
        cluster.produceEntryFault = entry -> entry.getPartition() == partition && entry.getBaseSequence() > 0
                && faulted.compareAndSet(null, entry)
                ? Optional.of(FakeCluster.detail(ErrorReason.ERROR_REASON_REPLICATION_TIMEOUT, "no quorum in time")
                        .setRetriable(true).setTopic("orders").setPartition(partition).build())
                : Optional.empty();
        Producer producer = Producer.start(client, "orders", SMALL_BATCHES, failures::put);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            sent.add("value-" + i);
            producer.send(utf8("same key"), utf8("value-" + i));
        }
        assertEquals(new Producer.Summary(200, 200, 0), producer.finish());

        assertEquals(sent, values(cluster.log(partition)), "every record once, in order");
        ProducePartition first = faulted.get();
        assertTrue(cluster.received.stream().anyMatch(b -> b.appended() && b.partition() == partition
                && b.baseSequence() == first.getBaseSequence()
                && b.records().equals(first.getRecords().getRecordsList())), "resent unchanged");
    }

    @Test
    void aRefusalRetryingCannotFixFailsEveryRecordOfThatPartitionOnly() throws InterruptedException {
        int doomed = Murmur2.partition(utf8("a").asReadOnlyByteBuffer(), 3);
        cluster.produceEntryFault = entry -> entry.getPartition() == doomed
                ? Optional.of(FakeCluster.detail(ErrorReason.ERROR_REASON_PRODUCER_FENCED,
                        "producer 42 epoch 0 is fenced").setTopic("orders").setPartition(doomed).build())
                : Optional.empty();
        Producer producer = Producer.start(client, "orders", SMALL_BATCHES, failures::put);
        String other = "b";
        for (int i = 0; i < 3 && Murmur2.partition(utf8(other).asReadOnlyByteBuffer(), 3) == doomed; i++) {
            other = other + "b";
        }
        List<Long> doomedRecords = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            boolean toDoomed = i % 2 == 0;
            producer.send(utf8(toDoomed ? "a" : other), utf8("v" + i));
            if (toDoomed) {
                doomedRecords.add((long) i);
            }
        }
        assertEquals(new Producer.Summary(100, 50, 50), producer.finish());

        assertEquals(doomedRecords, new ArrayList<>(failures.keySet()));
        assertTrue(failures.get(2L).startsWith("partition " + doomed + ": producer 42 epoch 0 is fenced"
                + " (FAILED_PRECONDITION PRODUCER_FENCED from "), failures.get(2L));
    }

    @Test
    void aRecordTooLargeForTheTopicIsReportedWithoutBeingSent() throws InterruptedException {
        cluster.maxBatchBytes = 1024;
        Producer producer = Producer.start(client, "orders", ProducerConfig.DEFAULTS, failures::put);
        producer.send(null, utf8("small"));
        producer.send(null, ByteString.copyFrom(new byte[1024]));
        producer.send(null, utf8("small too"));
        assertEquals(new Producer.Summary(3, 2, 1), producer.finish());

        assertEquals(List.of(2L), new ArrayList<>(failures.keySet()));
        assertTrue(failures.get(2L).contains("cannot fit in a batch of the topic's max_batch_bytes (1024)"),
                failures.get(2L));
        assertTrue(cluster.received.stream().allMatch(b -> b.records().stream()
                .allMatch(r -> r.getValue().size() < 100)));
    }

    private static ByteString utf8(String s) {
        return ByteString.copyFromUtf8(s);
    }

    private static int number(Record r) {
        return Integer.parseInt(r.getValue().toStringUtf8().substring("value-".length()));
    }

    private static List<String> values(List<Record> records) {
        return records.stream().map(r -> r.getValue().toStringUtf8()).toList();
    }
}
