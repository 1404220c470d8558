package io.flotilla.broker.node;

import io.flotilla.broker.coordinator.GroupCoordinator;
import io.flotilla.broker.metadata.ClusterMetadata;
import io.flotilla.broker.metadata.Partition;
import io.flotilla.broker.metadata.Topic;
import io.flotilla.broker.metadata.TopicConfig;
import io.flotilla.broker.metadata.TopicConfigKey;
import io.flotilla.broker.partition.FetchParking;
import io.flotilla.broker.partition.PartitionErrors;
import io.flotilla.broker.partition.PartitionReplica;
import io.flotilla.broker.storage.LogPersistence;
import io.flotilla.broker.storage.LogStorage;
import io.flotilla.broker.storage.NodeStorage;
import io.flotilla.broker.storage.StorageDamages;
import io.flotilla.log.CorruptLogException;
import io.flotilla.log.LogConfig;
import io.flotilla.log.PartitionLog;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.Membership;
import io.flotilla.raft.driver.Applier;
import io.flotilla.raft.driver.RaftDriver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import java.util.function.LongConsumer;

/**
 * The partition replicas this node hosts, kept in line with the metadata: a replica is opened
 * and its Raft group started when the metadata places one here (wanted or leaving), and stopped
 * and deleted when its topic goes or its group let it go for good. Reconciliation runs on one
 * thread of its own (opening a log reads the disk), always against the newest metadata, so a
 * burst of changes costs one pass.
 *
 * <p>A replica whose log read damaged bytes (a fetch, or its group reading entries to apply or
 * to send, which stops the group) is reopened on the same thread with every batch verified:
 * its storage salvages the log and the member recovers what it lost from its peers
 * ({@link io.flotilla.broker.storage.LogStorage#open}).
 */
final class PartitionHost implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PartitionHost.class);

    /** One hosted replica. */
    record Hosted(String topic, int partition, LogStorage storage, PartitionReplica replica) {
    }

    private final MemberId self;
    private final Path partitionsDir;
    private final NodeStorage storage;
    private final RaftDriver driver;
    private final FetchParking parking;
    private final IntFunction<String> addressOf;
    private final Runnable leadershipChanged;
    private final LongConsumer firstLeaderWanted;
    private final GroupCoordinator groups;
    private static final ByteBuffer NO_PRODUCER_STATE = ByteBuffer.allocate(0).asReadOnlyBuffer();
    private final Map<Long, Hosted> hosted = new ConcurrentHashMap<>();
    private final AtomicReference<ClusterMetadata> latest = new AtomicReference<>();
    /** The metadata reconciled last; reconciler thread. */
    private ClusterMetadata reconciled;
    /** Replicas whose logs read damaged bytes: reopened with every batch verified. */
    private final Set<Long> damaged = ConcurrentHashMap.newKeySet();
    private final ExecutorService reconciler = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "partition-reconciler");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param leadershipChanged told (on a loop thread; must hand off) when a replica's leadership view changes
     * @param firstLeaderWanted told the group id when this node, a new group's preferred leader, started its
     *                          replica before the group ever elected anyone
     * @param groups            runs the coordinator partitions' state machines, which the replicas of its topic get
     */
    PartitionHost(MemberId self, Path partitionsDir, NodeStorage storage, RaftDriver driver, FetchParking parking,
                  IntFunction<String> addressOf, Runnable leadershipChanged, LongConsumer firstLeaderWanted,
                  GroupCoordinator groups) {
        this.self = self;
        this.partitionsDir = partitionsDir;
        this.storage = storage;
        this.driver = driver;
        this.parking = parking;
        this.addressOf = addressOf;
        this.leadershipChanged = leadershipChanged;
        this.firstLeaderWanted = firstLeaderWanted;
        this.groups = groups;
    }

    PartitionReplica replica(long groupId) {
        Hosted h = hosted.get(groupId);
        return h == null ? null : h.replica();
    }

    /** The replicas hosted now, by group id (a live view). */
    Map<Long, Hosted> hosted() {
        return Collections.unmodifiableMap(hosted);
    }

    /** The replicas hosted now, by group id. */
    List<PartitionReplica> replicas() {
        return hosted.values().stream().map(Hosted::replica)
                .sorted(Comparator.comparingLong(PartitionReplica::groupId)).toList();
    }

    /** The metadata changed: reconcile soon (from any thread, never blocks). */
    void metadataChanged(ClusterMetadata metadata) {
        if (latest.getAndSet(metadata) == null) {
            reconciler.execute(this::reconcile);
        }
    }

    private void reconcile() {
        ClusterMetadata metadata = latest.getAndSet(null);
        if (metadata == null) {
            return;
        }
        reconciled = metadata;
        reconcile(metadata);
    }

    private void reconcile(ClusterMetadata metadata) {
        Map<Long, Placed> wanted = new HashMap<>();
        Set<Long> existing = new HashSet<>();
        for (Topic topic : metadata.topics().values()) {
            for (int p = 0; p < topic.partitions().size(); p++) {
                Partition partition = topic.partitions().get(p);
                existing.add(partition.groupId());
                if (partition.hosted().contains(self)) {
                    wanted.put(partition.groupId(), new Placed(topic, p, partition));
                }
            }
        }
        for (Map.Entry<Long, Placed> e : wanted.entrySet()) {
            Hosted running = hosted.get(e.getKey());
            try {
                if (running != null) {
                    reconfigure(running, e.getValue().topic());
                } else if (e.getValue().partition().replicas().contains(self) || Files.exists(groupDir(e.getKey()))) {
                    start(e.getKey(), e.getValue()); // (a replica that is only leaving never starts empty)
                }
            } catch (Exception ex) {
                log.error("cannot {} replica of {}-{} (group {})", running != null ? "reconfigure" : "start",
                        e.getValue().topic().name(), e.getValue().index(), e.getKey(), ex);
            }
        }
        for (Long groupId : hosted.keySet()) {
            if (!wanted.containsKey(groupId)) {
                try {
                    stop(groupId, existing.contains(groupId) ? Removal.LEFT_GROUP : Removal.TOPIC_DELETED);
                } catch (Exception ex) {
                    log.error("cannot delete replica of group {}", groupId, ex);
                }
            }
        }
    }

    /** Why a replica stops here: its data goes in the first two cases. */
    private enum Removal { TOPIC_DELETED, LEFT_GROUP, NODE_STOPPING, REOPENING }

    /**
     * A read of replica {@code groupId}'s log met damaged bytes: the replica is reopened (once
     * for all the reports until then) with every batch verified. Any thread; never blocks.
     */
    void damageFound(long groupId, CorruptLogException damage) {
        if (damaged.add(groupId)) {
            log.error("replica of group {} read damaged bytes; reopening it to cut its log before the damage and"
                    + " recover from its peers: {}", groupId, damage.getMessage());
            try {
                reconciler.execute(() -> reopen(groupId));
            } catch (RejectedExecutionException stopping) {
                // the node is stopping: after its next start the replica's reads find the damage again
            }
        }
    }

    private void reopen(long groupId) {
        try {
            stop(groupId, Removal.REOPENING);
        } catch (Exception e) {
            log.error("cannot stop replica of group {} to reopen it", groupId, e);
        }
        if (reconciled != null) {
            reconcile(reconciled); // starts it again, unless the metadata no longer places it here
        }
    }

    /**
     * The membership a replica starting with an empty directory takes until its leader's log or
     * snapshot tells it the group's: a group as created has its replicas as founding voters;
     * a replica joining a changed group is a learner, whatever the voters (it never campaigns
     * on its own word, and a member removed and added back on this node cannot vote with what
     * it forgot).
     */
    static Membership initialMembership(Partition partition, MemberId self) {
        if (partition.asCreated()) {
            return Membership.ofVoters(partition.replicas().toArray(MemberId[]::new));
        }
        TreeSet<MemberId> others = new TreeSet<>(partition.hosted());
        others.remove(self);
        if (others.isEmpty()) {
            throw new IllegalStateException("group " + partition.groupId() + " has no member but " + self
                    + " to learn from");
        }
        return new Membership(others, new TreeSet<>(Set.of(self)));
    }

    private record Placed(Topic topic, int index, Partition partition) {
    }

    /**
     * A topic's settings as its replicas' logs take them. The log accepts any batch the API
     * could ever accept: a topic's max_batch_bytes may be lowered later, and followers must
     * still store what the leader wrote before.
     */
    private static LogConfig logConfig(TopicConfig config) {
        return LogConfig.DEFAULTS.withSegmentBytes(config.segmentBytes()).withSegmentMs(config.segmentMs())
                .withRetention(config.retentionMs(), config.retentionBytes())
                .withMaxBatchBytes(Math.toIntExact(TopicConfigKey.MAX_BATCH_BYTES.max()));
    }

    /** A running replica takes its topic's current settings (AlterTopicConfig). */
    private static void reconfigure(Hosted running, Topic topic) {
        LogConfig next = logConfig(topic.effectiveConfig());
        PartitionLog log = running.storage().log();
        if (!next.equals(log.config())) {
            log.reconfigure(next);
        }
    }

    private void start(long groupId, Placed placed) throws Exception {
        LogConfig logConfig = logConfig(placed.topic().effectiveConfig());
        boolean verify = damaged.contains(groupId);
        if (verify) {
            logConfig = logConfig.withVerifyOnOpen(LogConfig.VerifyOnOpen.ALL);
        }
        // A coordinator partition's state lives in snapshots, as the controller's does; a data partition's in its log.
        boolean coordinator = GroupCoordinator.coordinates(placed.topic().name());
        LogStorage logStorage = LogStorage.open(groupId, groupDir(groupId), logConfig, storage,
                initialMembership(placed.partition(), self), !coordinator, System::currentTimeMillis);
        // A data partition's snapshot state is its producers' idempotence window; a coordinator
        // partition's is the group state machine's, which its applier restores itself.
        PartitionReplica replica = new PartitionReplica(groupId, self.nodeId(), logStorage.log(),
                new PartitionErrors(placed.topic().name(), placed.index(), addressOf), parking,
                coordinator ? () -> NO_PRODUCER_STATE : logStorage::snapshotState, e -> damageFound(groupId, e));
        hosted.put(groupId, new Hosted(placed.topic().name(), placed.index(), logStorage, replica));
        boolean neverElected = logStorage.hardState().term() == 0;
        try {
            Applier applier = coordinator ? groups.attach(groupId, placed.index(), logStorage, replica) : replica;
            driver.addGroup(groupId, logStorage, new LogPersistence(logStorage), new ReplicaWatch(applier,
                    leadershipChanged, cause -> StorageDamages.corruption(cause).ifPresent(e -> damageFound(groupId, e))))
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            hosted.remove(groupId);
            groups.detach(groupId);
            logStorage.close();
            throw e;
        }
        if (verify) {
            damaged.remove(groupId);
        }
        log.info("started replica of {}-{} (group {}, replicas {}{})", placed.topic().name(), placed.index(), groupId,
                placed.partition().replicas(), verify ? ", every batch verified" : "");
        if (neverElected && placed.partition().asCreated() && placed.partition().preferredLeader().equals(self)) {
            firstLeaderWanted.accept(groupId);
        }
    }

    private void stop(long groupId, Removal why) throws Exception {
        Hosted h = hosted.remove(groupId);
        if (h == null) {
            return;
        }
        try {
            driver.removeGroup(groupId).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException notHosted) {
            if (why != Removal.REOPENING) {
                throw notHosted;
            } // else the driver stopped the group already, and its storage is ours
        }
        groups.detach(groupId);
        PartitionReplica.Leadership last = h.replica().leadershipView();
        h.replica().removed(switch (why) {
            case TOPIC_DELETED -> h.replica().errors().topicDeleted();
            case LEFT_GROUP -> h.replica().errors().notLeader(self.nodeId(), last.leaderNode(), last.term());
            case NODE_STOPPING -> h.replica().errors().stopping();
            case REOPENING -> h.replica().errors().recovering();
        });
        if (why == Removal.NODE_STOPPING || why == Removal.REOPENING) {
            h.storage().close();
        } else {
            h.storage().delete();
            log.info("deleted replica of {}-{} (group {}): {}", h.topic(), h.partition(), groupId,
                    why == Removal.TOPIC_DELETED ? "its topic was deleted" : "it left the group");
        }
    }

    private Path groupDir(long groupId) {
        return partitionsDir.resolve("group-" + groupId);
    }

    /** Stops every replica, keeping its data; the driver must still run. */
    @Override
    public void close() {
        reconciler.shutdownNow();
        try {
            reconciler.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Long groupId : hosted.keySet()) {
            try {
                stop(groupId, Removal.NODE_STOPPING);
            } catch (Exception e) {
                log.warn("closing replica of group {} failed", groupId, e);
            }
        }
    }
}
