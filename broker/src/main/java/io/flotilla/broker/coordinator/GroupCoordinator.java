package io.flotilla.broker.coordinator;

import io.flotilla.broker.api.Calls;
import io.flotilla.broker.groups.ConsumerGroup;
import io.flotilla.broker.metadata.ClusterMetadata;
import io.flotilla.broker.metadata.Partition;
import io.flotilla.broker.metadata.Topic;
import io.flotilla.broker.partition.PartitionReplica;
import io.flotilla.broker.storage.LogStorage;
import io.flotilla.raft.NotLeaderException;
import io.flotilla.raft.RaftNode;
import io.flotilla.raft.driver.Applier;
import io.flotilla.raft.driver.RaftDriver;
import io.flotilla.store.NodeStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The node's part in coordinating consumer groups: it runs the state machine of each
 * coordinator partition placed here ({@link CoordinatorPartition}, started by the node's
 * partition host in place of a plain replica's), routes a group's calls to its partition's loop
 * when this node leads it, and says who does otherwise. One task on the node's shared timer
 * has every partition led here check for overdue members and topic changes; there is no thread
 * or timer per group or partition.
 */
public final class GroupCoordinator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupCoordinator.class);

    /** Where a group's calls go: who leads its coordinator partition, and this node's replica of it if any. */
    record Route(String groupId, int leaderNode, long leaderTerm, CoordinatorPartition local) {
    }

    private final CoordinatorConfig config;
    private final int selfNode;
    private final RaftDriver driver;
    private final Supplier<ClusterMetadata> metadata;
    private final IntFunction<String> addressOf;
    private final LongSupplier clockMs;
    private final NodeStore store;
    private final OffsetMaterializer offsets;
    private final Map<Integer, CoordinatorPartition> byIndex = new ConcurrentHashMap<>();
    private final ScheduledFuture<?> checks;

    public GroupCoordinator(CoordinatorConfig config, int selfNode, RaftDriver driver, NodeStore store,
                            Supplier<ClusterMetadata> metadata, IntFunction<String> addressOf,
                            ScheduledExecutorService timer) {
        this.config = config;
        this.selfNode = selfNode;
        this.driver = driver;
        this.metadata = metadata;
        this.addressOf = addressOf;
        this.clockMs = System::currentTimeMillis;
        this.store = store;
        this.offsets = new OffsetMaterializer(store);
        this.checks = timer.scheduleWithFixedDelay(() -> checkAll(metadata.get()), config.checkIntervalMs(),
                config.checkIntervalMs(), TimeUnit.MILLISECONDS);
    }

    /** Whether {@code topic}'s partitions are coordinator partitions (their state lives in snapshots, not in the log alone). */
    public static boolean coordinates(String topic) {
        return CoordinatorTopic.NAME.equals(topic);
    }

    /**
     * The state machine of coordinator partition {@code index}, to run as its Raft group's
     * applier in place of {@code replica}, which it wraps. Call before the group is added.
     */
    public Applier attach(long raftGroup, int index, LogStorage storage, PartitionReplica replica) {
        int count = CoordinatorTopic.in(metadata.get()).orElseThrow().partitionCount();
        List<String> stored = store.consumerGroups().stream()
                .filter(g -> CoordinatorTopic.partitionOf(g, count) == index).toList();
        CoordinatorPartition partition = new CoordinatorPartition(raftGroup, index, selfNode, storage, replica, offsets,
                config, addressOf, clockMs, stored);
        byIndex.put(index, partition);
        return partition;
    }

    /** The partition's group left the driver (or never joined it): fails whatever waits on it. */
    public void detach(long raftGroup) {
        byIndex.values().removeIf(p -> {
            if (p.raftGroup() != raftGroup) {
                return false;
            }
            p.removed();
            return true;
        });
    }

    /** The metadata changed: topic changes reach the groups at once rather than at the next check. */
    public void metadataChanged(ClusterMetadata changed) {
        checkAll(changed);
    }

    private void checkAll(ClusterMetadata current) {
        long now = clockMs.getAsLong();
        for (CoordinatorPartition p : byIndex.values()) {
            if (p.leaderNode() == selfNode) {
                driver.call(p.raftGroup(), node -> {
                    p.check(node, current, now);
                    return null;
                }).exceptionally(e -> {
                    log.debug("the check of coordinator partition {} failed; the next one tries again", p.index(), e);
                    return null;
                });
            }
        }
    }

    /** The route of {@code groupId}'s calls, from this node's metadata and replicas. */
    Route route(String groupId) {
        Optional<Topic> topic = CoordinatorTopic.in(metadata.get());
        if (topic.isEmpty()) {
            throw CoordinatorErrors.noLeader(CoordinatorErrors.group(groupId), groupId);
        }
        int index = CoordinatorTopic.partitionOf(groupId, topic.get().partitionCount());
        CoordinatorPartition local = byIndex.get(index);
        if (local != null) {
            return new Route(groupId, local.leaderNode(), local.leaderTerm(), local);
        }
        Partition partition = topic.get().partitions().get(index);
        return new Route(groupId, partition.preferredLeader().nodeId(), 0, null);
    }

    /**
     * Runs {@code action} on the loop of {@code groupId}'s coordinator partition when this node
     * leads it; fails with NOT_COORDINATOR (or NO_LEADER) otherwise.
     */
    <T> CompletableFuture<T> atCoordinator(String groupId, BiFunction<CoordinatorPartition, RaftNode, T> action) {
        Route route = route(groupId);
        if (route.local() == null || route.leaderNode() != selfNode) {
            throw CoordinatorErrors.notCoordinator(CoordinatorErrors.group(groupId), groupId, selfNode,
                    route.leaderNode(), route.leaderTerm(), addressOf);
        }
        CoordinatorPartition p = route.local();
        return driver.call(p.raftGroup(), node -> action.apply(p, node)).exceptionally(e -> {
            throw new CompletionException(translate(Calls.unwrap(e), route, p));
        });
    }

    /** As {@link #atCoordinator} for an action whose own answer comes later. */
    <T> CompletableFuture<T> atCoordinatorLater(String groupId,
            BiFunction<CoordinatorPartition, RaftNode, CompletableFuture<T>> action) {
        return atCoordinator(groupId, action).thenCompose(f -> f);
    }

    /** What the driver's failures mean to a client: a leadership hand-over in progress is a redirect. */
    private Throwable translate(Throwable e, Route route, CoordinatorPartition p) {
        if (e instanceof NotLeaderException notLeader) {
            int hint = notLeader.leaderHint() == null ? 0 : notLeader.leaderHint().nodeId();
            return CoordinatorErrors.notCoordinator(CoordinatorErrors.group(route.groupId()), route.groupId(), selfNode,
                    hint, 0, addressOf);
        }
        if (byIndex.get(p.index()) != p) { // the group left the driver: the node stops, or the replica moved
            return CoordinatorErrors.stopped(CoordinatorErrors.group(route.groupId()), selfNode);
        }
        return e;
    }

    /** The groups of coordinator partition {@code index}, if this node leads it; else a failed future. */
    CompletableFuture<List<ConsumerGroup>> groupsOf(int index) {
        CoordinatorPartition p = byIndex.get(index);
        if (p == null || p.leaderNode() != selfNode) {
            return CompletableFuture.failedFuture(CoordinatorErrors.notCoordinator("coordinator partition "
                    + CoordinatorTopic.NAME + "-" + index, "", selfNode, p == null ? 0 : p.leaderNode(),
                    p == null ? 0 : p.leaderTerm(), addressOf));
        }
        return driver.call(p.raftGroup(), p::readGroups).thenCompose(f -> f);
    }

    /** Who leads each coordinator partition as this node knows (its replica's view, else the preferred leader; 0: unknown); empty before the topic exists. */
    int[] leaders() {
        Optional<Topic> topic = CoordinatorTopic.in(metadata.get());
        if (topic.isEmpty()) {
            return new int[0];
        }
        int[] out = new int[topic.get().partitionCount()];
        for (int i = 0; i < out.length; i++) {
            CoordinatorPartition local = byIndex.get(i);
            out[i] = local != null ? local.leaderNode() : topic.get().partitions().get(i).preferredLeader().nodeId();
        }
        return out;
    }

    /** Stops the periodic checks and finishes the offset copies; call once the partitions are detached. */
    @Override
    public void close() {
        checks.cancel(false);
        offsets.close();
    }
}
