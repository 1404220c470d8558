package io.flotilla.broker.node;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.flotilla.api.v1.BrokerGrpc;
import io.flotilla.api.v1.ErrorDetail;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.GetMetadataRequest;
import io.flotilla.api.v1.GetMetadataResponse;
import io.flotilla.api.v1.LeaderHint;
import io.flotilla.api.v1.Node;
import io.flotilla.api.v1.PartitionMetadata;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Where each partition of one topic is led, as a client learns it: from GetMetadata (asked of
 * the nodes in turn, so a dead node is skipped), corrected by the leader hints of NOT_LEADER
 * answers. It also decides, for any failure, whether a client retries and after how long.
 * Thread-safe; metadata refreshes block the caller for at most a second per node tried.
 */
final class LeaderRouter implements AutoCloseable {
    private static final long METADATA_DEADLINE_MS = 1000;
    private static final long MIN_RETRY_DELAY_MS = 50;
    private static final long UNREACHABLE_RETRY_DELAY_MS = 100;

    /** After a failure: retry after {@code delayMs}, or give up (not retriable) because of {@code why}. */
    record Verdict(boolean retriable, long delayMs, String why) {
        static Verdict retry(long delayMs, String why) {
            return new Verdict(true, delayMs, why);
        }

        static Verdict giveUp(String why) {
            return new Verdict(false, 0, why);
        }
    }

    private final String topic;
    private final Map<Integer, String> addresses;
    private final Map<String, ManagedChannel> channels = new HashMap<>();
    private final int[] leaders;
    private int nextMetadataNode;

    LeaderRouter(String topic, int partitions, Map<Integer, String> bootstrap) {
        this.topic = topic;
        this.addresses = new TreeMap<>(bootstrap);
        this.leaders = new int[partitions];
    }

    String topic() {
        return topic;
    }

    int partitions() {
        return leaders.length;
    }

    /** The node believed to lead {@code partition}, asking for metadata if none is; 0 if no node knows one. */
    synchronized int leader(int partition) {
        if (leaders[partition] == 0) {
            refresh();
        }
        return leaders[partition];
    }

    /** Any node that answers, for calls that need no particular one; 0 if none does. */
    synchronized int anyNode() {
        return refresh();
    }

    synchronized BrokerGrpc.BrokerStub stub(int node) {
        return BrokerGrpc.newStub(channel(node));
    }

    synchronized BrokerGrpc.BrokerBlockingStub blockingStub(int node) {
        return BrokerGrpc.newBlockingStub(channel(node));
    }

    private ManagedChannel channel(int node) {
        String address = addresses.get(node);
        if (address == null) {
            throw new IllegalStateException("no address known for node " + node + " (known: " + addresses + ")");
        }
        return channels.computeIfAbsent(address, a -> NettyChannelBuilder.forTarget(a).usePlaintext().build());
    }

    /** Asks the nodes in turn for the topic's metadata; returns the node that answered, or 0. */
    private int refresh() {
        List<Integer> nodes = new ArrayList<>(addresses.keySet());
        for (int i = 0; i < nodes.size(); i++) {
            int node = nodes.get(Math.floorMod(nextMetadataNode + i, nodes.size()));
            try {
                GetMetadataResponse answer = BrokerGrpc.newBlockingStub(channel(node))
                        .withDeadlineAfter(METADATA_DEADLINE_MS, TimeUnit.MILLISECONDS)
                        .getMetadata(GetMetadataRequest.newBuilder().addTopics(topic).build());
                for (Node n : answer.getNodesList()) {
                    addresses.put(n.getNodeId(), n.getAddress());
                }
                for (PartitionMetadata p : answer.getTopics(0).getPartitionsList()) {
                    leaders[p.getPartition()] = p.getLeaderNodeId();
                }
                // The next refresh starts elsewhere: this node's view may be what was stale.
                nextMetadataNode = nodes.indexOf(node) + 1;
                return node;
            } catch (StatusRuntimeException e) {
                unreachable(node);
            }
        }
        return 0;
    }

    /** A call to {@code node} failed without an answer: reconnect at once next time rather than after backoff. */
    private void unreachable(int node) {
        ManagedChannel c = channels.get(addresses.get(node));
        if (c != null) {
            c.resetConnectBackoff();
        }
    }

    /** After a call about {@code partition} sent to {@code node} failed: follow a redirect, or wait and re-route. */
    synchronized Verdict afterFailure(int partition, int node, Throwable failure) {
        ErrorDetail detail = detailOf(failure);
        if (detail != null) {
            return afterFailure(partition, node, detail);
        }
        Status status = Status.fromThrowable(failure);
        if (status.getCode() == Status.Code.UNAVAILABLE || status.getCode() == Status.Code.DEADLINE_EXCEEDED
                || status.getCode() == Status.Code.CANCELLED) {
            // No answer from the node (down, restarting, or too slow): ask again where the leader is.
            forget(partition, node);
            unreachable(node);
            return Verdict.retry(UNREACHABLE_RETRY_DELAY_MS, "node " + node + ": " + status.getCode() + " "
                    + status.getDescription());
        }
        return Verdict.giveUp("node " + node + " failed the call with " + status.getCode() + " "
                + status.getDescription());
    }

    /** After {@code node} answered a call (or one Produce entry) about {@code partition} with {@code detail}. */
    synchronized Verdict afterFailure(int partition, int node, ErrorDetail detail) {
        String why = "node " + node + ": " + detail.getReason() + " " + detail.getMessage();
        ErrorReason reason = detail.getReason();
        if (reason == ErrorReason.ERROR_REASON_NOT_LEADER && detail.hasLeader()) {
            follow(partition, detail.getLeader());
            return Verdict.retry(0, why);
        }
        if (reason == ErrorReason.ERROR_REASON_NO_LEADER || reason == ErrorReason.ERROR_REASON_NODE_NOT_READY
                || reason == ErrorReason.ERROR_REASON_REPLICATION_TIMEOUT) {
            forget(partition, node);
            return Verdict.retry(Math.max(MIN_RETRY_DELAY_MS, detail.getRetryAfterMs()), why);
        }
        if (reason == ErrorReason.ERROR_REASON_THROTTLED) {
            return Verdict.retry(Math.max(MIN_RETRY_DELAY_MS, detail.getRetryAfterMs()), why);
        }
        return Verdict.giveUp(why);
    }

    private void follow(int partition, LeaderHint hint) {
        if (!hint.getAddress().isEmpty()) {
            addresses.put(hint.getNodeId(), hint.getAddress());
        }
        leaders[partition] = hint.getNodeId();
    }

    /** Drops {@code node} as the partition's leader (if it still is one here): the next use asks for metadata. */
    private void forget(int partition, int node) {
        if (leaders[partition] == node) {
            leaders[partition] = 0;
        }
    }

    /** The first ErrorDetail of a failed call's {@code grpc-status-details-bin}, or null without one. */
    static ErrorDetail detailOf(Throwable failure) {
        com.google.rpc.Status status = StatusProto.fromThrowable(failure);
        if (status == null) {
            return null;
        }
        for (Any any : status.getDetailsList()) {
            if (any.is(ErrorDetail.class)) {
                try {
                    return any.unpack(ErrorDetail.class);
                } catch (InvalidProtocolBufferException e) {
                    throw new AssertionError("the broker sent an ErrorDetail that does not parse: " + any, e);
                }
            }
        }
        return null;
    }

    @Override
    public synchronized void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        for (ManagedChannel c : channels.values()) {
            try {
                c.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
