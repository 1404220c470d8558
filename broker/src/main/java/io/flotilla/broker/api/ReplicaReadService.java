package io.flotilla.broker.api;

import io.flotilla.api.internal.v1.ReadReplicaRequest;
import io.flotilla.api.internal.v1.ReadReplicaResponse;
import io.flotilla.api.internal.v1.ReplicaReadGrpc;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.broker.partition.PartitionReplica;
import io.flotilla.broker.partition.ReplicaLogReader;
import io.grpc.stub.StreamObserver;

/**
 * flotilla.internal.v1.ReplicaRead: this node's own replica of a partition, leader or follower.
 * Not for clients; a fault-injection harness reads every node's replica with it after healing.
 */
public final class ReplicaReadService extends ReplicaReadGrpc.ReplicaReadImplBase {
    private final BrokerContext node;

    public ReplicaReadService(BrokerContext node) {
        this.node = node;
    }

    @Override
    public void readReplica(ReadReplicaRequest request, StreamObserver<ReadReplicaResponse> out) {
        Calls.answer(out, () -> read(request));
    }

    private ReadReplicaResponse read(ReadReplicaRequest request) {
        node.checkReady();
        String topicName = request.getTopic();
        int partition = request.getPartition();
        if (request.getOffset() < 0 || request.getMaxBytes() < 0 || partition < 0) {
            throw ApiException.of(ErrorReason.ERROR_REASON_INVALID_REQUEST, "offset, max_bytes and partition must not"
                    + " be negative (got " + request.getOffset() + ", " + request.getMaxBytes() + ", " + partition + ")");
        }
        String nameProblem = node.topicNameProblem(topicName);
        if (nameProblem != null) {
            throw ApiException.of(ApiException.detail(ErrorReason.ERROR_REASON_INVALID_TOPIC_NAME, nameProblem)
                    .setTopic(topicName).setField("topic"));
        }
        BrokerContext.TopicView topic = node.topic(topicName);
        if (topic == null) {
            throw ApiException.of(ApiException.detail(ErrorReason.ERROR_REASON_TOPIC_NOT_FOUND, "topic '" + topicName
                    + "' does not exist").setTopic(topicName));
        }
        if (partition >= topic.partitionCount()) {
            throw ApiException.of(ApiException.detail(ErrorReason.ERROR_REASON_PARTITION_NOT_FOUND, "topic '"
                    + topicName + "' has " + topic.partitionCount() + " partitions; partition " + partition
                    + " does not exist").setTopic(topicName).setPartition(partition));
        }
        PartitionReplica replica = node.replica(topic.groupIds()[partition]);
        if (replica == null) {
            throw ApiException.of(ApiException.detail(ErrorReason.ERROR_REASON_NOT_A_REPLICA, "node " + node.nodeId()
                    + " hosts no replica of " + topicName + "-" + partition).setTopic(topicName).setPartition(partition));
        }
        int maxBytes = request.getMaxBytes() == 0 ? BrokerService.DEFAULT_MAX_BYTES
                : Math.min(request.getMaxBytes(), BrokerService.MAX_BYTES_CAP);
        PartitionReplica.Leadership leadership = replica.leadershipView();
        return ReadReplicaResponse.newBuilder()
                .setRead(ReplicaLogReader.read(replica, request.getOffset(), maxBytes))
                .setLogEndOffset(replica.log().endOffset())
                .setLeaderNodeId(leadership.leaderNode())
                .setLeaderTerm(leadership.term())
                .build();
    }
}
