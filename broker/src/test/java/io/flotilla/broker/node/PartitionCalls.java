package io.flotilla.broker.node;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.flotilla.api.v1.AdminGrpc;
import io.flotilla.api.v1.BrokerGrpc;
import io.flotilla.api.v1.DescribeTopicsRequest;
import io.flotilla.api.v1.ErrorDetail;
import io.flotilla.api.v1.GetMetadataRequest;
import io.flotilla.api.v1.ListOffsetsRequest;
import io.flotilla.api.v1.OffsetSpec;
import io.flotilla.api.v1.PartitionStatus;
import io.flotilla.broker.api.BrokerContext;
import io.flotilla.broker.partition.PartitionReplica;
import io.flotilla.api.v1.ProducePartition;
import io.flotilla.api.v1.ProducePartitionResult;
import io.flotilla.api.v1.ProduceRequest;
import io.flotilla.api.v1.Record;
import io.flotilla.api.v1.RecordList;
import io.flotilla.api.v1.TopicDescription;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import org.junit.jupiter.api.function.Executable;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Calls on the partitions of a {@link TestCluster}, as the tests of topic settings and
 * retention make them, over one channel per node (a restarted node is reconnected to).
 */
final class PartitionCalls {
    private final TestCluster cluster;
    private final Map<Integer, ManagedChannel> channels = new ConcurrentHashMap<>();

    PartitionCalls(TestCluster cluster) {
        this.cluster = cluster;
    }

    /** A fresh deadline per call: a stub's deadline is fixed when the stub is made. */
    BrokerGrpc.BrokerBlockingStub broker(int node) {
        return BrokerGrpc.newBlockingStub(channels.computeIfAbsent(node, cluster::channel))
                .withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    AdminGrpc.AdminBlockingStub admin(int node) {
        return AdminGrpc.newBlockingStub(channels.computeIfAbsent(node, cluster::channel))
                .withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    /** The partition's leader, once the running node of the lowest id knows one. */
    int leaderOf(String topic, int partition) {
        int asked = cluster.nodes.keySet().stream().min(Integer::compare).orElseThrow();
        int[] leader = new int[1];
        TestCluster.await(() -> {
            leader[0] = broker(asked).getMetadata(GetMetadataRequest.newBuilder().addTopics(topic).build())
                    .getTopics(0).getPartitions(partition).getLeaderNodeId();
            return leader[0] != 0;
        }, 10, topic + "-" + partition + " has a leader, as node " + asked + " knows");
        return leader[0];
    }

    /** The topic as {@code node} describes it, once it has applied metadata version {@code version}. */
    TopicDescription describe(int node, String topic, long version) {
        TestCluster.await(() -> broker(node).getMetadata(GetMetadataRequest.newBuilder().addTopics(topic).build())
                .getMetadataVersion() >= version, 10, "node " + node + " applied metadata version " + version);
        return admin(node).describeTopics(DescribeTopicsRequest.newBuilder().addNames(topic).build())
                .getTopics(0);
    }

    /**
     * The partition as {@code node}'s own replica sees it: its log start and high watermark, read
     * from the replica in this JVM (DescribeTopics answers with the leader's figures, as the
     * controller has them).
     */
    PartitionStatus replicaOn(int node, String topic, int partition) {
        PartitionReplica[] replica = new PartitionReplica[1];
        TestCluster.await(() -> {
            BrokerContext.TopicView view = cluster.nodes.get(node).context().topic(topic);
            replica[0] = view == null ? null : cluster.nodes.get(node).context().replica(view.groupIds()[partition]);
            return replica[0] != null;
        }, 10, "node " + node + " hosts " + topic + "-" + partition);
        return PartitionStatus.newBuilder().setTopic(topic).setPartition(partition)
                .setHighWatermark(replica[0].highWatermark()).setLogStartOffset(replica[0].logStartOffset()).build();
    }

    /** {@code records} in one batch, to the leader; fails the test on any error. */
    ProducePartitionResult produce(String topic, int partition, long producerId, int baseSequence, Record... records) {
        ProduceRequest.Builder request = ProduceRequest.newBuilder();
        if (producerId < 0) {
            request.setNonIdempotent(true);
        } else {
            request.setProducerId(producerId);
        }
        request.addPartitions(ProducePartition.newBuilder().setTopic(topic).setPartition(partition)
                .setBaseSequence(baseSequence).setRecords(RecordList.newBuilder().addAllRecords(List.of(records))));
        ProducePartitionResult result = broker(leaderOf(topic, partition)).produce(request.build())
                .getResults(0);
        assertFalse(result.hasError(), result.toString());
        return result;
    }

    /** One record of {@code bytes} bytes, stamped {@code timestampMs} (-1: by the leader). */
    static Record record(int bytes, long timestampMs) {
        Record.Builder r = Record.newBuilder().setValue(ByteString.copyFrom(new byte[bytes]));
        return timestampMs < 0 ? r.build() : r.setTimestampMs(timestampMs).build();
    }

    /** The partition's log start offset, as its leader answers ListOffsets. */
    long earliest(String topic, int partition) {
        return broker(leaderOf(topic, partition)).listOffsets(ListOffsetsRequest.newBuilder().setTopic(topic)
                .setPartition(partition).setSpec(OffsetSpec.newBuilder().setEarliest(true)).build()).getOffset();
    }

    /** The call's failure: its status code and its one ErrorDetail. */
    static ErrorDetail refusal(io.grpc.Status.Code code, Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        assertNotNull(status, "the status carries google.rpc.Status details: " + e.getStatus());
        assertEquals(1, status.getDetailsCount(), status.toString());
        Any any = status.getDetails(0);
        try {
            return any.unpack(ErrorDetail.class);
        } catch (InvalidProtocolBufferException bad) {
            throw new AssertionError(bad);
        }
    }
}
