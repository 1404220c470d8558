package io.flotilla.jepsen.process;

import io.flotilla.api.v1.BrokerGrpc;
import io.flotilla.api.v1.ErrorDetail;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.GetMetadataRequest;
import io.flotilla.api.v1.PartitionMetadata;
import io.flotilla.cli.client.ChannelPool;
import io.flotilla.cli.client.HostPort;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * What the workload's clients know of the cluster: a channel to every node, and which node
 * leads each partition of the topic, learnt from GetMetadata (asked of the nodes in turn, so a
 * dead or cut-off node is passed over) and corrected by NOT_LEADER hints. Thread-safe.
 */
final class Routes implements AutoCloseable {
    private static final long METADATA_DEADLINE_MS = 1000;
    /** The deadline of any call that sets none: nothing the workload does may hang on a paused node. */
    private static final long DEFAULT_DEADLINE_MS = 5000;

    private final String topic;
    private final Map<Integer, HostPort> nodes = new TreeMap<>();
    private final ChannelPool channels = new ChannelPool(DEFAULT_DEADLINE_MS);
    private final int[] leaders;
    private int nextAsked;

    Routes(String topic, int partitions, Map<Integer, String> addresses) {
        this.topic = topic;
        this.leaders = new int[partitions];
        addresses.forEach((id, address) -> nodes.put(id, HostPort.parse(address)));
    }

    String topic() {
        return topic;
    }

    int partitions() {
        return leaders.length;
    }

    List<Integer> nodes() {
        return new ArrayList<>(nodes.keySet());
    }

    HostPort address(int node) {
        return nodes.get(node);
    }

    Channel channel(int node) {
        return channels.get(nodes.get(node));
    }

    /** The node believed to lead {@code partition}, asking for metadata if none is; 0 if no node names one. */
    synchronized int leader(int partition) {
        if (leaders[partition] == 0) {
            refresh();
        }
        return leaders[partition];
    }

    /** After {@code node} refused a call about {@code partition}: follow its leader hint, or ask again next time. */
    synchronized void refused(int partition, int node, ErrorDetail detail) {
        if (detail.getReason() == ErrorReason.ERROR_REASON_NOT_LEADER && detail.hasLeader()) {
            leaders[partition] = detail.getLeader().getNodeId();
        } else {
            forget(partition, node);
        }
    }

    /** After a call to {@code node} got no answer: ask for the leader again, and reconnect at once next time. */
    synchronized void unanswered(int partition, int node) {
        forget(partition, node);
        channels.reconnect(nodes.get(node));
    }

    private void forget(int partition, int node) {
        if (leaders[partition] == node) {
            leaders[partition] = 0;
        }
    }

    private void refresh() {
        List<Integer> ids = nodes();
        for (int i = 0; i < ids.size(); i++) {
            int node = ids.get((nextAsked + i) % ids.size());
            try {
                var answer = BrokerGrpc.newBlockingStub(channel(node))
                        .withDeadlineAfter(METADATA_DEADLINE_MS, TimeUnit.MILLISECONDS)
                        .getMetadata(GetMetadataRequest.newBuilder().addTopics(topic).build());
                for (PartitionMetadata p : answer.getTopics(0).getPartitionsList()) {
                    leaders[p.getPartition()] = p.getLeaderNodeId();
                }
                nextAsked = (nextAsked + i + 1) % ids.size(); // its view may be the stale one: start elsewhere next time
                return;
            } catch (StatusRuntimeException e) {
                channels.reconnect(nodes.get(node));
            }
        }
    }

    @Override
    public void close() {
        channels.close();
    }
}
