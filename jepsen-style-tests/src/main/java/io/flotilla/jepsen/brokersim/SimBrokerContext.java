package io.flotilla.jepsen.brokersim;

import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.GetMetadataRequest;
import io.flotilla.api.v1.GetMetadataResponse;
import io.flotilla.broker.api.ApiException;
import io.flotilla.broker.api.BrokerContext;
import io.flotilla.broker.partition.Appended;
import io.flotilla.broker.partition.FetchParking;
import io.flotilla.broker.partition.PartitionReplica;
import io.flotilla.broker.partition.ProduceBatch;
import io.flotilla.broker.partition.Subscriptions;
import io.flotilla.log.LogConfig;
import io.flotilla.raft.driver.RaftDriver;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One life of a simulated node as the broker's data-path services ({@code BrokerService},
 * {@code ReplicaReadService}) see it: the topic the simulation created, the node's replicas, and
 * appends through its stepped {@link RaftDriver}, exactly as the node's own context makes them.
 * The metadata is fixed (the controller is not simulated yet), so metadata calls and producer
 * ids are not offered here: clients get their ids from the simulation.
 */
final class SimBrokerContext implements BrokerContext {
    private final int nodeId;
    private final TopicView topic;
    private final List<PartitionReplica> replicas;
    private final RaftDriver driver;
    private final FetchParking parking;

    SimBrokerContext(int nodeId, TopicView topic, List<PartitionReplica> replicas, RaftDriver driver,
                     FetchParking parking) {
        this.nodeId = nodeId;
        this.topic = topic;
        this.replicas = List.copyOf(replicas);
        this.driver = driver;
        this.parking = parking;
    }

    @Override
    public int nodeId() {
        return nodeId;
    }

    @Override
    public void checkReady() {
        // a node that is down is not reached at all: the simulation's clients see no answer
    }

    @Override
    public String addressOf(int node) {
        return "sim-node-" + node;
    }

    @Override
    public TopicView topic(String name) {
        return topic.name().equals(name) ? topic : null;
    }

    @Override
    public PartitionReplica replica(long groupId) {
        for (PartitionReplica r : replicas) {
            if (r.groupId() == groupId) {
                return r;
            }
        }
        return null;
    }

    @Override
    public CompletableFuture<Appended> append(PartitionReplica on, ProduceBatch batch) {
        return driver.call(on.groupId(), node -> on.append(node, batch)).thenCompose(f -> f);
    }

    @Override
    public FetchParking parking() {
        return parking;
    }

    @Override
    public Subscriptions subscriptions() {
        throw unsupported("Subscribe");
    }

    @Override
    public long produceTimeoutMs() {
        return 30_000;
    }

    @Override
    public CompletableFuture<Long> newProducerId() {
        throw unsupported("InitProducer");
    }

    @Override
    public GetMetadataResponse metadata(GetMetadataRequest request) {
        throw unsupported("GetMetadata");
    }

    private static ApiException unsupported(String call) {
        return ApiException.of(ErrorReason.ERROR_REASON_INVALID_REQUEST, call
                + " is not simulated (the simulation has no controller yet)");
    }

    /** The simulation's one topic: its partitions' groups and logs. */
    static TopicView topic(String name, long[] groupIds) {
        int[] preferred = new int[groupIds.length];
        Arrays.fill(preferred, 1);
        return new TopicView(name, false, LogConfig.DEFAULTS.maxBatchBytes(), groupIds, preferred);
    }
}
