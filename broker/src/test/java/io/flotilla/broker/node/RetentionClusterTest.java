package io.flotilla.broker.node;

import io.flotilla.api.v1.AlterTopicConfigRequest;
import io.flotilla.api.v1.CreateTopicRequest;
import io.flotilla.api.v1.ErrorDetail;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.FetchRequest;
import io.flotilla.api.v1.FetchResponse;
import io.flotilla.api.v1.InitProducerRequest;
import io.flotilla.api.v1.ProducePartition;
import io.flotilla.api.v1.ProducePartitionResult;
import io.flotilla.api.v1.ProduceRequest;
import io.flotilla.api.v1.RecordList;
import io.flotilla.api.v1.TopicConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retention on three real nodes passing every 100 ms, with segments and the size limit at
 * their minimum (1 MiB): old segments go on every replica, fetches below the new start are
 * OUT_OF_RANGE, a follower that missed what the leader deleted catches up from the leader's
 * snapshot, and producers' idempotence outlives the batches that recorded it.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RetentionClusterTest {
    private static final int MIB = 1 << 20;
    private static final int FILLER_RECORD_BYTES = 100_000;
    /** About 4 MB: three sealed segments of 1 MiB and an active one. */
    private static final int FILLER_RECORDS = 40;
    private static final long HOUR_AGO = System.currentTimeMillis() - 3_600_000;

    private TestCluster cluster;
    private PartitionCalls calls;

    @BeforeEach
    void startCluster() throws Exception {
        cluster = new TestCluster(TestCluster.tempRoot(), 3, c -> c.withRetentionIntervalMs(100));
        cluster.startAll();
        calls = new PartitionCalls(cluster);
    }

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private void createTopic(String name, TopicConfig.Builder config) {
        calls.admin(1).createTopic(CreateTopicRequest.newBuilder().setName(name).setPartitionCount(1)
                .setReplicationFactor(3).setConfig(config.setSegmentBytes(MIB)).build());
    }

    /** About 4 MB of records stamped an hour ago, one record per batch, not idempotent. */
    private void fill(String topic) {
        for (int i = 0; i < FILLER_RECORDS; i++) {
            calls.produce(topic, 0, -1, 0, PartitionCalls.record(FILLER_RECORD_BYTES, HOUR_AGO));
        }
    }

    private FetchResponse fetch(String topic, long offset) {
        return calls.broker(calls.leaderOf(topic, 0)).fetch(FetchRequest.newBuilder().setTopic(topic).setPartition(0)
                .setOffset(offset).build());
    }

    @Test
    void oldSegmentsGoOnEveryReplicaBySizeThenByAgeAndAFetchBelowTheStartIsOutOfRange() {
        createTopic("logs", TopicConfig.newBuilder());
        fill("logs");
        assertEquals(0, calls.earliest("logs", 0), "no retention limit applies yet");

        long bySize = calls.admin(2).alterTopicConfig(AlterTopicConfigRequest.newBuilder().setName("logs")
                .setSet(TopicConfig.newBuilder().setRetentionBytes(MIB)).build()).getMetadataVersion();
        TestCluster.await(() -> calls.earliest("logs", 0) > 0, 10, "the leader's retention moved the log start");
        for (int node = 1; node <= 3; node++) {
            int n = node;
            calls.describe(n, "logs", bySize);
            TestCluster.await(() -> calls.replicaOn(n, "logs", 0).getLogStartOffset() > 0, 10,
                    "node " + n + "'s replica deleted its own old segments");
        }

        long start = calls.earliest("logs", 0);
        ErrorDetail below = PartitionCalls.refusal(Status.Code.OUT_OF_RANGE, () -> fetch("logs", 0));
        assertEquals(ErrorReason.ERROR_REASON_OFFSET_OUT_OF_RANGE, below.getReason());
        assertTrue(below.getValidOffsets().getLogStartOffset() >= start, below.toString());
        assertTrue(below.getMessage().contains("below the log start"), below.getMessage());
        long validStart = below.getValidOffsets().getLogStartOffset();
        assertEquals(validStart, fetch("logs", validStart).getRecords(0).getOffset(), "the start is readable");

        calls.admin(3).alterTopicConfig(AlterTopicConfigRequest.newBuilder().setName("logs")
                .setSet(TopicConfig.newBuilder().setRetentionMs(60_000)).addReset("retention_bytes").build());
        TestCluster.await(() -> calls.earliest("logs", 0) > validStart, 10,
                "the hour-old segments kept by the size limit expired by age");
    }

    @Test
    void aFollowerBehindTheLeadersNewLogStartCatchesUpFromItsSnapshot() throws Exception {
        createTopic("lagging", TopicConfig.newBuilder().setRetentionBytes(MIB));
        long first = calls.produce("lagging", 0, -1, 0, PartitionCalls.record(10, -1)).getBaseOffset();
        int leader = calls.leaderOf("lagging", 0);
        int follower = leader % 3 + 1;
        TestCluster.await(() -> calls.replicaOn(follower, "lagging", 0).getHighWatermark() > first, 10,
                "the follower holds the first record");
        long followerEnd = calls.replicaOn(follower, "lagging", 0).getHighWatermark();

        cluster.stop(follower);
        fill("lagging");
        TestCluster.await(() -> calls.earliest("lagging", 0) > followerEnd, 10,
                "the leader deleted entries the stopped follower never got");
        cluster.start(follower);
        cluster.awaitReady();

        long leaderEnd = calls.replicaOn(leader, "lagging", 0).getHighWatermark();
        TestCluster.await(() -> calls.replicaOn(follower, "lagging", 0).getHighWatermark() == leaderEnd, 20,
                () -> "the follower caught up to " + leaderEnd + ": " + calls.replicaOn(follower, "lagging", 0));
        assertTrue(calls.replicaOn(follower, "lagging", 0).getLogStartOffset() > followerEnd,
                "its log starts where the leader's snapshot did, past what it held before");

        long next = calls.produce("lagging", 0, -1, 0, PartitionCalls.record(10, -1)).getBaseOffset();
        TestCluster.await(() -> calls.replicaOn(follower, "lagging", 0).getHighWatermark() > next, 10,
                "and it replicates new records as before");
    }

    @Test
    void anIdempotentRetryIsADuplicateAfterRetentionDeletedItsBatchAndEveryNodeRestarted() throws Exception {
        createTopic("idempotent", TopicConfig.newBuilder().setRetentionBytes(MIB));
        long producerId = calls.broker(1).initProducer(InitProducerRequest.getDefaultInstance()).getProducerId();
        ProducePartitionResult[] written = new ProducePartitionResult[5];
        for (int seq = 0; seq < written.length; seq++) {
            written[seq] = calls.produce("idempotent", 0, producerId, seq, PartitionCalls.record(10, -1));
        }
        long lastOffset = written[4].getBaseOffset();
        fill("idempotent");
        for (int node = 1; node <= 3; node++) {
            int n = node;
            TestCluster.await(() -> calls.replicaOn(n, "idempotent", 0).getLogStartOffset() > lastOffset, 10,
                    "node " + n + " deleted the producer's batches");
        }

        List<Integer> nodes = List.copyOf(cluster.addresses.keySet());
        nodes.forEach(cluster::stop);
        for (int id : nodes) {
            cluster.start(id);
        }
        cluster.awaitReady();

        for (int seq : new int[] {4, 2}) {
            ProducePartitionResult retry = produceOnceLed(producerId, seq);
            assertTrue(retry.getDuplicate(), "sequence " + seq + " is answered as a duplicate: " + retry);
            assertEquals(written[seq].getBaseOffset(), retry.getBaseOffset(), "with its original offset");
            assertEquals(written[seq].getAppendTimeMs(), retry.getAppendTimeMs(), "and append time");
        }
        ProducePartitionResult next = produceOnceLed(producerId, 5);
        assertFalse(next.getDuplicate(), "the next sequence is written: " + next);
        assertTrue(next.getBaseOffset() > lastOffset);
        ErrorDetail gone = PartitionCalls.refusal(Status.Code.OUT_OF_RANGE, () -> fetch("idempotent", lastOffset));
        assertEquals(ErrorReason.ERROR_REASON_OFFSET_OUT_OF_RANGE, gone.getReason(), "the batch itself is gone");
    }

    /** Produces one small record as {@code sequence}, retrying while the restarted partition has no ready leader. */
    private ProducePartitionResult produceOnceLed(long producerId, int sequence) {
        ProduceRequest request = ProduceRequest.newBuilder().setProducerId(producerId).addPartitions(ProducePartition
                .newBuilder().setTopic("idempotent").setPartition(0).setBaseSequence(sequence)
                .setRecords(RecordList.newBuilder().addRecords(PartitionCalls.record(10, -1)))).build();
        ProducePartitionResult[] result = new ProducePartitionResult[1];
        TestCluster.await(() -> {
            try {
                result[0] = calls.broker(calls.leaderOf("idempotent", 0)).produce(request).getResults(0);
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() == Status.Code.UNAVAILABLE
                        || e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION) {
                    return false; // NO_LEADER or NOT_LEADER while the restarted nodes elect
                }
                throw e;
            }
            ErrorReason refused = result[0].getError().getReason();
            if (result[0].hasError() && refused != ErrorReason.ERROR_REASON_NO_LEADER
                    && refused != ErrorReason.ERROR_REASON_NOT_LEADER) {
                throw new AssertionError("sequence " + sequence + " was refused: " + result[0]);
            }
            return !result[0].hasError();
        }, 20, () -> "a leader answered sequence " + sequence + " (last answer: " + result[0] + ")");
        return result[0];
    }
}
