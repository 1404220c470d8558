package io.flotilla.broker.api;

import io.flotilla.api.v1.GetMetadataRequest;
import io.flotilla.api.v1.GetMetadataResponse;
import io.flotilla.broker.metadata.Rejection;
import io.flotilla.broker.metadata.TopicRules;
import io.flotilla.broker.partition.Appended;
import io.flotilla.broker.partition.FetchParking;
import io.flotilla.broker.partition.PartitionReplica;
import io.flotilla.broker.partition.ProduceBatch;
import io.flotilla.broker.partition.Subscriptions;

import java.util.concurrent.CompletableFuture;

/** What the data-path services need from the node they run on. */
public interface BrokerContext {
    int nodeId();

    /** Throws NODE_NOT_READY while the node is starting (no metadata yet) or stopping. */
    void checkReady();

    /** A node's client address, or null if this node does not know it. */
    String addressOf(int nodeId);

    /** Why {@code name} is not a valid topic name (common.proto, "Limits"), or null if it is. */
    default String topicNameProblem(String name) {
        return TopicRules.DEFAULTS.checkName(name).map(Rejection::message).orElse(null);
    }

    /** Why a client may not produce to {@code name}: a bad name or an internal topic's; null if it may. */
    default String produceTopicProblem(String name) {
        return TopicRules.DEFAULTS.checkProduceTopicName(name).map(Rejection::message).orElse(null);
    }

    /** The topic as the metadata this node applied knows it, or null. */
    TopicView topic(String name);

    /** This node's replica of the partition's group, or null if it hosts none. */
    PartitionReplica replica(long groupId);

    /** Appends on the replica's loop; fails with an {@link ApiException} (possibly wrapped). */
    CompletableFuture<Appended> append(PartitionReplica replica, ProduceBatch batch);

    FetchParking parking();

    Subscriptions subscriptions();

    /** How long a produce without a deadline waits for its quorum. */
    long produceTimeoutMs();

    /** A new producer id, from this node's block or a new block from the controller. */
    CompletableFuture<Long> newProducerId();

    /** GetMetadata's answer from this node's metadata (validation included). */
    GetMetadataResponse metadata(GetMetadataRequest request);

    /**
     * One topic, as the data path sees it.
     *
     * @param groupIds        Raft group id of each partition, by index
     * @param preferredLeader first replica's node of each partition, by index
     */
    record TopicView(String name, boolean internal, int maxBatchBytes, long[] groupIds, int[] preferredLeader) {
        public int partitionCount() {
            return groupIds.length;
        }
    }
}
