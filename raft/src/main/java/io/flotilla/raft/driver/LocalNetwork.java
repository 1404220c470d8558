package io.flotilla.raft.driver;

import io.flotilla.raft.RaftMessage;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Drivers of one JVM joined in memory, for tests and benchmarks. Each batch is copied (the
 * sender reuses its list; one array per batch) and handed to the receiving driver on the
 * sending thread. Messages are shared, being immutable records, and so are their entries'
 * payload buffers: readers must use duplicates. {@link #isolate} cuts a node off both ways.
 * Thread-safe.
 */
public final class LocalNetwork {
    private final Map<Integer, RaftDriver> drivers = new ConcurrentHashMap<>();
    private final Set<Integer> isolated = ConcurrentHashMap.newKeySet();

    /** The transport for node {@code nodeId}'s driver. */
    public Transport endpoint(int nodeId) {
        return (toNode, batch) -> deliver(nodeId, toNode, batch);
    }

    /** Makes {@code driver} reachable at its node id. */
    public void attach(RaftDriver driver) {
        drivers.put(driver.self().nodeId(), driver);
    }

    /** Drops every batch to or from {@code nodeId} until {@link #heal}. */
    public void isolate(int nodeId) {
        isolated.add(nodeId);
    }

    public void heal(int nodeId) {
        isolated.remove(nodeId);
    }

    private void deliver(int fromNode, int toNode, List<RaftMessage> batch) {
        RaftDriver to = drivers.get(toNode);
        if (to != null && !isolated.contains(fromNode) && !isolated.contains(toNode)) {
            to.receive(fromNode, List.copyOf(batch));
        }
    }
}
