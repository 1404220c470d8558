package io.flotilla.broker.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.flotilla.api.internal.v1.ReadReplicaRequest;
import io.flotilla.api.internal.v1.ReadReplicaResponse;
import io.flotilla.api.internal.v1.ReplicaReadGrpc;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.FetchedRecord;
import io.flotilla.api.v1.InitProducerRequest;
import io.flotilla.api.v1.PartitionStatus;
import io.flotilla.api.v1.ProducePartition;
import io.flotilla.api.v1.ProduceRequest;
import io.flotilla.api.v1.RecordList;
import io.flotilla.api.v1.ReplicaStatus;
import io.flotilla.api.v1.TopicDescription;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** flotilla.internal.v1.ReplicaRead: every node reads its own replica, leader or follower. */
class ReplicaReadTest {

    @Test
    void followersAndTheLeaderEachReadTheCommittedRecordsOfTheirOwnReplicaInPages() throws Exception {
        try (TestCluster c = new TestCluster(TestCluster.tempRoot(), 3).startAll()) {
            PartitionStatus p = c.createTopic("replicated", 1, 3).getPartitions(0);
            long producerId = c.broker(1).initProducer(InitProducerRequest.getDefaultInstance()).getProducerId();
            for (int batch = 0; batch < 3; batch++) {
                RecordList.Builder records = RecordList.newBuilder();
                for (int i = 0; i < 2; i++) {
                    records.addRecords(ClusterSmokeTest.record("v" + (batch * 2 + i)));
                }
                c.broker(p.getLeaderNodeId()).produce(ProduceRequest.newBuilder().setProducerId(producerId)
                        .addPartitions(ProducePartition.newBuilder().setTopic("replicated").setPartition(0)
                                .setBaseSequence(batch * 2).setRecords(records)).build());
            }
            for (int node = 1; node <= 3; node++) {
                int n = node;
                // a follower learns the commit end from the leader's next message
                TestCluster.await(() -> records(c, n).size() == 6, 10, "node " + n + " has committed all six records");
                List<FetchedRecord> records = records(c, n);
                assertEquals(List.of("v0", "v1", "v2", "v3", "v4", "v5"), records.stream()
                        .map(r -> r.getValue().toStringUtf8()).toList(), "node " + n);
                ReadReplicaResponse page = read(c, n, records.get(0).getOffset(), 1);
                assertEquals(2, page.getRead().getRecordsCount(), "one whole batch however small max_bytes is");
                assertEquals(p.getLeaderNodeId(), page.getLeaderNodeId(), "node " + n + " knows the leader");
                assertEquals(page.getRead().getHighWatermark(), page.getLogEndOffset(), "nothing uncommitted is left");
                assertEquals(0, read(c, n, page.getRead().getHighWatermark(), 0).getRead().getRecordsCount(),
                        "nothing committed at the high watermark: an empty answer, at once");
            }
        }
    }

    @Test
    void refusesWhatItCannotReadWithTheReason() throws Exception {
        try (TestCluster c = new TestCluster(TestCluster.tempRoot(), 3).startAll()) {
            TopicDescription single = c.createTopic("single", 1, 1);
            int host = single.getPartitions(0).getReplicas(0).getNodeId();
            int other = host % 3 + 1;
            assertEquals(List.of(host), single.getPartitions(0).getReplicasList().stream().map(ReplicaStatus::getNodeId)
                    .toList());
            assertRefused(Status.Code.FAILED_PRECONDITION, ErrorReason.ERROR_REASON_NOT_A_REPLICA,
                    () -> read(c, other, "single", 0, 0));
            assertRefused(Status.Code.NOT_FOUND, ErrorReason.ERROR_REASON_TOPIC_NOT_FOUND,
                    () -> read(c, host, "missing", 0, 0));
            assertRefused(Status.Code.NOT_FOUND, ErrorReason.ERROR_REASON_PARTITION_NOT_FOUND,
                    () -> read(c, host, "single", 1, 0));
            assertRefused(Status.Code.INVALID_ARGUMENT, ErrorReason.ERROR_REASON_INVALID_REQUEST,
                    () -> read(c, host, "single", 0, -1));
            assertRefused(Status.Code.OUT_OF_RANGE, ErrorReason.ERROR_REASON_OFFSET_OUT_OF_RANGE,
                    () -> read(c, host, "single", 0, 1_000));
        }
    }

    /** The whole committed log of the node's replica, read page by page (control entries take offsets too). */
    private static List<FetchedRecord> records(TestCluster c, int node) {
        List<FetchedRecord> records = new ArrayList<>();
        long offset = 0;
        while (true) {
            ReadReplicaResponse page = read(c, node, offset, 1);
            records.addAll(page.getRead().getRecordsList());
            if (page.getRead().getNextOffset() == offset) {
                return records;
            }
            offset = page.getRead().getNextOffset();
        }
    }

    private static ReadReplicaResponse read(TestCluster c, int node, long offset, int maxBytes) {
        return stub(c, node).readReplica(ReadReplicaRequest.newBuilder().setTopic("replicated").setPartition(0)
                .setOffset(offset).setMaxBytes(maxBytes).build());
    }

    private static ReadReplicaResponse read(TestCluster c, int node, String topic, int partition, long offset) {
        return stub(c, node).readReplica(ReadReplicaRequest.newBuilder().setTopic(topic).setPartition(partition)
                .setOffset(offset).build());
    }

    private static ReplicaReadGrpc.ReplicaReadBlockingStub stub(TestCluster c, int node) {
        return ReplicaReadGrpc.newBlockingStub(c.channel(node)).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static void assertRefused(Status.Code code, ErrorReason reason, Runnable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, e.getStatus().getCode(), e.toString());
        assertEquals(reason, LeaderRouter.detailOf(e).getReason(), e.toString());
    }
}
