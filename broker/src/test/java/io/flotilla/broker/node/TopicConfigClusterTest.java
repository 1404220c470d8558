package io.flotilla.broker.node;

import io.flotilla.api.v1.AlterTopicConfigRequest;
import io.flotilla.api.v1.AlterTopicConfigResponse;
import io.flotilla.api.v1.CreatePartitionsRequest;
import io.flotilla.api.v1.CreatePartitionsResponse;
import io.flotilla.api.v1.CreateTopicRequest;
import io.flotilla.api.v1.ErrorDetail;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.FetchRequest;
import io.flotilla.api.v1.FetchResponse;
import io.flotilla.api.v1.PartitionStatus;
import io.flotilla.api.v1.ProducePartition;
import io.flotilla.api.v1.ProduceRequest;
import io.flotilla.api.v1.RecordList;
import io.flotilla.api.v1.TopicConfig;
import io.flotilla.api.v1.TopicDescription;
import io.grpc.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AlterTopicConfig and CreatePartitions on three real nodes, each call made through a node
 * that may not lead the controller (it forwards).
 */
class TopicConfigClusterTest {
    private static final long DEFAULT_RETENTION_MS = 604_800_000L;

    private static TestCluster cluster;
    private static PartitionCalls calls;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new TestCluster(TestCluster.tempRoot(), 3);
        cluster.startAll();
        calls = new PartitionCalls(cluster);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static void createTopic(String name, int partitions) {
        calls.admin(1).createTopic(CreateTopicRequest.newBuilder().setName(name).setPartitionCount(partitions)
                .setReplicationFactor(3).build());
    }

    private static AlterTopicConfigResponse alter(int node, AlterTopicConfigRequest.Builder request) {
        return calls.admin(node).alterTopicConfig(request.build());
    }

    @Test
    void aChangeIsDescribedByEveryNodeAndAResetRestoresTheDefault() {
        createTopic("altered", 1);
        AlterTopicConfigResponse set = alter(2, AlterTopicConfigRequest.newBuilder().setName("altered")
                .setSet(TopicConfig.newBuilder().setRetentionMs(3_600_000).setSegmentBytes(2 << 20)));
        assertEquals(3_600_000, set.getConfig().getRetentionMs());
        assertEquals(2 << 20, set.getConfig().getSegmentBytes());
        assertEquals(1 << 20, set.getConfig().getMaxBatchBytes(), "what was not set keeps its value");
        assertEquals(TopicConfig.newBuilder().setRetentionMs(3_600_000).setSegmentBytes(2 << 20).build(),
                set.getOverrides());
        for (int node = 1; node <= 3; node++) {
            TopicDescription d = calls.describe(node, "altered", set.getMetadataVersion());
            assertEquals(set.getConfig(), d.getConfig(), "node " + node);
            assertEquals(set.getOverrides(), d.getOverrides(), "node " + node);
        }

        AlterTopicConfigResponse reset = alter(3, AlterTopicConfigRequest.newBuilder().setName("altered")
                .addReset("retention_ms"));
        assertEquals(DEFAULT_RETENTION_MS, reset.getConfig().getRetentionMs());
        assertEquals(TopicConfig.newBuilder().setSegmentBytes(2 << 20).build(), reset.getOverrides());
        assertEquals(reset.getConfig(), calls.describe(1, "altered", reset.getMetadataVersion()).getConfig());
    }

    @Test
    void aBadChangeIsRefusedNamingItsFieldAndChangesNothing() {
        createTopic("guarded", 1);
        TopicDescription before = calls.describe(1, "guarded", 0);

        ErrorDetail outOfRange = PartitionCalls.refusal(Status.Code.INVALID_ARGUMENT, () -> alter(2,
                AlterTopicConfigRequest.newBuilder().setName("guarded")
                        .setSet(TopicConfig.newBuilder().setSegmentBytes(1 << 20).setRetentionMs(5))));
        assertEquals(ErrorReason.ERROR_REASON_INVALID_CONFIG, outOfRange.getReason());
        assertEquals("set.retention_ms", outOfRange.getField());
        assertTrue(outOfRange.getMessage().contains("retention_ms is 5"), outOfRange.getMessage());

        ErrorDetail unknown = PartitionCalls.refusal(Status.Code.INVALID_ARGUMENT, () -> alter(3,
                AlterTopicConfigRequest.newBuilder().setName("guarded").addReset("segment_bytes").addReset("colour")));
        assertEquals(ErrorReason.ERROR_REASON_INVALID_CONFIG, unknown.getReason());
        assertEquals("reset[1]", unknown.getField());
        assertTrue(unknown.getMessage().contains("'colour'"), unknown.getMessage());

        ErrorDetail both = PartitionCalls.refusal(Status.Code.INVALID_ARGUMENT, () -> alter(1,
                AlterTopicConfigRequest.newBuilder().setName("guarded")
                        .setSet(TopicConfig.newBuilder().setSegmentBytes(1 << 20)).addReset("segment_bytes")));
        assertEquals("set.segment_bytes", both.getField());

        ErrorDetail missing = PartitionCalls.refusal(Status.Code.NOT_FOUND, () -> alter(1,
                AlterTopicConfigRequest.newBuilder().setName("no-such-topic").addReset("segment_bytes")));
        assertEquals(ErrorReason.ERROR_REASON_TOPIC_NOT_FOUND, missing.getReason());

        AlterTopicConfigResponse dryRun = alter(2, AlterTopicConfigRequest.newBuilder().setName("guarded")
                .setSet(TopicConfig.newBuilder().setRetentionMs(60_000)).setValidateOnly(true));
        assertEquals(60_000, dryRun.getConfig().getRetentionMs(), "validate_only answers as if applied");

        TopicDescription after = calls.describe(1, "guarded", dryRun.getMetadataVersion());
        assertEquals(before.getConfig(), after.getConfig(), "nothing changed");
        assertEquals(before.getOverrides(), after.getOverrides());
    }

    @Test
    void maxBatchBytesAppliesToTheNextProduceRaisedAboveTheDefaultAndLowered() {
        createTopic("batches", 1);
        int leader = calls.leaderOf("batches", 0);
        ProduceRequest large = ProduceRequest.newBuilder().setNonIdempotent(true).addPartitions(ProducePartition
                .newBuilder().setTopic("batches").setPartition(0).setRecords(RecordList.newBuilder()
                        .addRecords(PartitionCalls.record(1_500_000, -1)))).build();
        ErrorDetail tooLarge = PartitionCalls.refusal(Status.Code.INVALID_ARGUMENT,
                () -> calls.broker(leader).produce(large));
        assertEquals(ErrorReason.ERROR_REASON_RECORD_TOO_LARGE, tooLarge.getReason(), "over the default 1 MiB");

        long raised = alter(1, AlterTopicConfigRequest.newBuilder().setName("batches")
                .setSet(TopicConfig.newBuilder().setMaxBatchBytes(2 << 20))).getMetadataVersion();
        calls.describe(leader, "batches", raised);
        assertFalse(calls.broker(leader).produce(large).getResults(0).hasError(),
                "a 1.5 MB record fits the raised limit, and every replica's log stores it");
        TestCluster.await(() -> calls.replicaOn(1, "batches", 0).getHighWatermark() > 1
                        && calls.replicaOn(2, "batches", 0).getHighWatermark() > 1
                        && calls.replicaOn(3, "batches", 0).getHighWatermark() > 1, 10,
                "every replica applied the large batch");

        long lowered = alter(2, AlterTopicConfigRequest.newBuilder().setName("batches")
                .setSet(TopicConfig.newBuilder().setMaxBatchBytes(1024))).getMetadataVersion();
        calls.describe(leader, "batches", lowered);
        ProduceRequest small = ProduceRequest.newBuilder().setNonIdempotent(true).addPartitions(ProducePartition
                .newBuilder().setTopic("batches").setPartition(0).setRecords(RecordList.newBuilder()
                        .addRecords(PartitionCalls.record(2048, -1)))).build();
        ErrorDetail overLowered = PartitionCalls.refusal(Status.Code.INVALID_ARGUMENT,
                () -> calls.broker(leader).produce(small));
        assertEquals(ErrorReason.ERROR_REASON_RECORD_TOO_LARGE, overLowered.getReason());
        assertEquals(1024, overLowered.getLimit());
    }

    @Test
    void newPartitionsGetLeadersAndTakeRecords() {
        createTopic("grown", 2);
        CreatePartitionsResponse grown = calls.admin(3).createPartitions(CreatePartitionsRequest.newBuilder()
                .setName("grown").setPartitionCount(4).build());
        assertEquals(4, grown.getTopic().getPartitionsCount());
        for (PartitionStatus p : grown.getTopic().getPartitionsList().subList(2, 4)) {
            assertNotEquals(0, p.getLeaderNodeId(), "partition " + p.getPartition() + " has a leader on return");
            assertEquals(3, p.getReplicasCount());
        }
        for (int p = 2; p < 4; p++) {
            long offset = calls.produce("grown", p, -1, 0, PartitionCalls.record(10, -1)).getBaseOffset();
            FetchResponse read = calls.broker(calls.leaderOf("grown", p)).fetch(FetchRequest.newBuilder()
                    .setTopic("grown").setPartition(p).setOffset(offset).build());
            assertEquals(1, read.getRecordsCount(), "partition " + p + " holds the record: " + read);
        }
        for (int node = 1; node <= 3; node++) {
            assertEquals(4, calls.describe(node, "grown", grown.getMetadataVersion()).getPartitionCount());
        }
    }

    @Test
    void aCountNotAboveTheCurrentOneOrAboveTheLimitIsRefusedAndValidateOnlyChangesNothing() {
        createTopic("fixed", 3);
        for (int count : new int[] {3, 2, 4097}) {
            ErrorDetail refused = PartitionCalls.refusal(Status.Code.INVALID_ARGUMENT, () -> calls.admin(2)
                    .createPartitions(CreatePartitionsRequest.newBuilder().setName("fixed").setPartitionCount(count)
                            .build()));
            assertEquals(ErrorReason.ERROR_REASON_INVALID_PARTITION_COUNT, refused.getReason(), "count " + count);
        }
        ErrorDetail missing = PartitionCalls.refusal(Status.Code.NOT_FOUND, () -> calls.admin(1)
                .createPartitions(CreatePartitionsRequest.newBuilder().setName("no-such-topic").setPartitionCount(5)
                        .build()));
        assertEquals(ErrorReason.ERROR_REASON_TOPIC_NOT_FOUND, missing.getReason());

        CreatePartitionsResponse dryRun = calls.admin(1).createPartitions(CreatePartitionsRequest.newBuilder()
                .setName("fixed").setPartitionCount(5).setValidateOnly(true).build());
        assertEquals(5, dryRun.getTopic().getPartitionsCount(), "answered as if done");
        assertEquals(0, dryRun.getTopic().getPartitions(4).getLeaderNodeId(), "a partition not created has no leader");
        assertEquals(3, calls.describe(3, "fixed", dryRun.getMetadataVersion()).getPartitionCount());
    }
}
