package io.flotilla.broker.coordinator;

import io.flotilla.broker.api.ApiException;
import io.flotilla.broker.groups.ConsumerGroup;
import io.flotilla.broker.groups.GroupApplier;
import io.flotilla.broker.groups.GroupCodec;
import io.flotilla.broker.groups.GroupCommand;
import io.flotilla.broker.groups.GroupCommand.CommitOffsets;
import io.flotilla.broker.groups.GroupCommand.DeleteGroup;
import io.flotilla.broker.groups.GroupCommand.ExpireMember;
import io.flotilla.broker.groups.GroupCommand.Heartbeat;
import io.flotilla.broker.groups.GroupCommand.OffsetCommit;
import io.flotilla.broker.groups.GroupCommand.ResetOffsets;
import io.flotilla.broker.groups.GroupCommand.TopicPartitionsChanged;
import io.flotilla.broker.groups.GroupMember;
import io.flotilla.broker.groups.GroupRejection;
import io.flotilla.broker.groups.GroupResult;
import io.flotilla.broker.groups.GroupStateMachine;
import io.flotilla.broker.metadata.ClusterMetadata;
import io.flotilla.broker.partition.CommitWaiters;
import io.flotilla.broker.partition.PartitionReplica;
import io.flotilla.broker.storage.CommandBatches;
import io.flotilla.broker.storage.LogStorage;
import io.flotilla.log.record.RecordCursor;
import io.flotilla.raft.Entry;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.RaftNode;
import io.flotilla.raft.ReadState;
import io.flotilla.raft.Snapshot;
import io.flotilla.raft.driver.Applier;
import io.flotilla.raft.driver.RaftDriver;
import io.flotilla.store.CommittedOffset;
import io.flotilla.store.StoreBatch;
import io.flotilla.store.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * This node's replica of one coordinator partition, as its Raft group's state machine: applies
 * the committed {@link GroupCommand}s to a {@link GroupStateMachine}, copies committed offsets
 * into the node store ({@link OffsetMaterializer}), snapshots the state into the node store and
 * drops the log before it (as the controller's storage does), and, while it leads, evaluates
 * calls before proposing them, answers those that change nothing from memory, evicts overdue
 * members and tells its groups of topic changes. The {@link PartitionReplica} it wraps serves
 * the partition's Fetch and publishes its high watermark and leadership as for any partition.
 *
 * <p>Threads: the Applier methods and the methods taking a {@link RaftNode} run on the group's
 * loop thread (the latter through {@link RaftDriver#call}); {@link #leaderNode} and
 * {@link #leaderTerm} are read from any thread.
 */
final class CoordinatorPartition implements Applier {
    private static final Logger log = LoggerFactory.getLogger(CoordinatorPartition.class);

    /** A read waiting for its read index to be confirmed. */
    private record PendingRead(Runnable serve, Consumer<RuntimeException> fail) {
    }

    /** A group as DescribeGroup shows it, with the coordinator's view of its members' liveness. */
    record Described(ConsumerGroup group, SortedMap<String, Integer> partitionCounts, Map<String, Long> lastHeardMs) {
    }

    private final long raftGroup;
    private final int index;
    private final int selfNode;
    private final LogStorage storage;
    private final PartitionReplica replica;
    private final OffsetMaterializer offsets;
    private final long snapshotOffsets;
    private final IntFunction<String> addressOf;
    private final LongSupplier clockMs;

    // Loop thread only.
    private final GroupStateMachine state = new GroupStateMachine();
    private final CommitWaiters<GroupResult> pending = new CommitWaiters<>();
    private final CommandBatches batches = new CommandBatches();
    private final Map<Long, PendingRead> reads = new HashMap<>();
    private long nextReadId;
    private long appliedTerm;
    private long appliedEnd;
    /** Where the log starts: the end of the last snapshot (0 before any). */
    private long snapshotEnd;
    /** Leader, first entry of its term applied: null otherwise. */
    private MemberLiveness liveness;
    /** Members with an ExpireMember proposed and not yet applied ("group\0member"). */
    private final Set<String> expiring = new HashSet<>();
    private boolean topicsProposed;

    private volatile int leaderNode;
    private volatile long leaderTerm;

    /**
     * Starts from the snapshot {@code storage} holds, if any (the log after it is applied again),
     * and makes the node store's copy of the offsets that snapshot's.
     *
     * @param storedGroups the groups of this partition that the node store has offsets of
     */
    CoordinatorPartition(long raftGroup, int index, int selfNode, LogStorage storage, PartitionReplica replica,
                         OffsetMaterializer offsets, CoordinatorConfig config,
                         IntFunction<String> addressOf, LongSupplier clockMs, Collection<String> storedGroups) {
        this.raftGroup = raftGroup;
        this.index = index;
        this.selfNode = selfNode;
        this.storage = storage;
        this.replica = replica;
        this.offsets = offsets;
        this.snapshotOffsets = config.snapshotOffsets();
        this.addressOf = addressOf;
        this.clockMs = clockMs;
        ByteBuffer snapshot = storage.snapshotState();
        if (snapshot.hasRemaining()) {
            state.restore(bytesOf(snapshot));
        }
        snapshotEnd = storage.startOffset();
        appliedEnd = snapshotEnd;
        rewriteCopy(storedGroups);
    }

    int index() {
        return index;
    }

    long raftGroup() {
        return raftGroup;
    }

    /** The partition's leader as this replica last heard; 0 when none is known. */
    int leaderNode() {
        return leaderNode;
    }

    long leaderTerm() {
        return leaderTerm;
    }

    private String name() {
        return CoordinatorTopic.NAME + "-" + index;
    }

    // ------------------------------------------------------------------ calls (loop thread)

    /**
     * Evaluates {@code command} against the applied state: a refusal, or a command that would
     * change nothing (a heartbeat: nothing but its time), is answered at once and logs nothing;
     * anything else is proposed and answered with what applying it did.
     */
    CompletableFuture<GroupResult> submit(RaftNode node, GroupCommand.OfGroup command) {
        checkLeads(node, CoordinatorErrors.group(command.groupId()), command.groupId());
        Optional<ConsumerGroup> before = state.group(command.groupId());
        GroupApplier.Outcome outcome = GroupApplier.apply(before, state.partitionCounts(), command);
        boolean refused = outcome.result() instanceof GroupRejection;
        if (command instanceof Heartbeat h && !refused) {
            liveness.heard(h.groupId(), h.memberId(), h.nowMs());
        }
        boolean unchanged = command instanceof Heartbeat h
                ? GroupApplier.onlyHeartbeatTimeChanged(before, outcome.group(), h.memberId())
                : before.equals(outcome.group());
        if (refused || unchanged) {
            return CompletableFuture.completedFuture(outcome.result());
        }
        return propose(node, command);
    }

    /** What {@code command} would do now, changing nothing (ResetOffsets' dry run and its checks). */
    GroupResult evaluate(RaftNode node, GroupCommand.OfGroup command) {
        checkLeads(node, CoordinatorErrors.group(command.groupId()), command.groupId());
        return GroupApplier.apply(state.group(command.groupId()), state.partitionCounts(), command).result();
    }

    /** The topics' partition counts this coordinator knows, as commits and resets are checked against. */
    SortedMap<String, Integer> partitionCounts(RaftNode node, String groupId) {
        checkLeads(node, CoordinatorErrors.group(groupId), groupId);
        return state.partitionCounts();
    }

    /** The group as of a linearizable read: every commit answered before the call is in it. */
    CompletableFuture<Optional<ConsumerGroup>> readGroup(RaftNode node, String groupId) {
        return read(node, CoordinatorErrors.group(groupId), groupId, () -> state.group(groupId));
    }

    /** As {@link #readGroup}, with what DescribeGroup shows besides. */
    CompletableFuture<Optional<Described>> describe(RaftNode node, String groupId) {
        return read(node, CoordinatorErrors.group(groupId), groupId, () -> state.group(groupId).map(g -> {
            Map<String, Long> heard = new HashMap<>();
            g.members().values().forEach(m -> heard.put(m.memberId(), lastHeard(g, m)));
            return new Described(g, state.partitionCounts(), heard);
        }));
    }

    /** Every group of this partition, as of a linearizable read. */
    CompletableFuture<List<ConsumerGroup>> readGroups(RaftNode node) {
        return read(node, "coordinator partition " + name(), "", () -> List.copyOf(state.groups().values()));
    }

    /** The member's last heartbeat as this leader knows it: logged, or fresher and answered from memory. */
    private long lastHeard(ConsumerGroup group, GroupMember member) {
        return liveness == null ? member.lastHeartbeatMs() : liveness.lastHeard(group.groupId(), member);
    }

    private <T> CompletableFuture<T> read(RaftNode node, String about, String groupId, Supplier<T> reader) {
        checkLeads(node, about, groupId);
        CompletableFuture<T> done = new CompletableFuture<>();
        long id = nextReadId++;
        node.readIndex(id);
        reads.put(id, new PendingRead(() -> done.complete(reader.get()), done::completeExceptionally));
        return done;
    }

    /**
     * The leader's periodic duty: tell the groups of topic changes in {@code metadata}, and evict
     * members overdue at {@code nowMs}. Does nothing unless this replica leads and is ready.
     */
    void check(RaftNode node, ClusterMetadata metadata, long nowMs) {
        MemberId leader = node.leader();
        if (liveness == null || leader == null || !leader.equals(node.self())) {
            return;
        }
        if (!topicsProposed) {
            SortedMap<String, Integer> changes = TopicChanges.between(state.partitionCounts(), metadata);
            if (!changes.isEmpty()) {
                CompletableFuture<GroupResult> applied = propose(node, new TopicPartitionsChanged(changes));
                topicsProposed = true;
                applied.whenComplete((r, e) -> topicsProposed = false);
            }
        }
        for (ExpireMember overdue : liveness.overdue(state.groups().values(), nowMs)) {
            String key = overdue.groupId() + '\u0000' + overdue.memberId();
            if (!expiring.contains(key)) {
                CompletableFuture<GroupResult> applied = propose(node, overdue);
                expiring.add(key);
                applied.whenComplete((r, e) -> expiring.remove(key));
            }
        }
    }

    private CompletableFuture<GroupResult> propose(RaftNode node, GroupCommand command) {
        Entry entry = node.propose(CommandBatches.encode(GroupCodec.encode(command)), 1);
        CompletableFuture<GroupResult> done = new CompletableFuture<>();
        pending.add(entry, done);
        return done;
    }

    /** Throws unless this replica leads and has applied everything its predecessors committed. */
    private void checkLeads(RaftNode node, String about, String groupId) {
        MemberId leader = node.leader();
        if (leader == null || !leader.equals(node.self())) {
            throw CoordinatorErrors.notCoordinator(about, groupId, selfNode, leader == null ? 0 : leader.nodeId(),
                    node.term(), addressOf);
        }
        if (liveness == null) {
            throw CoordinatorErrors.loading(about, groupId, selfNode);
        }
    }

    private ApiException lost() {
        return CoordinatorErrors.notCoordinator("coordinator partition " + name(), "", selfNode, leaderNode, leaderTerm,
                addressOf);
    }

    // ------------------------------------------------------------------ Applier (loop thread)

    @Override
    public void apply(List<Entry> committed) {
        replica.apply(committed);
        List<Consumer<StoreBatch>> writes = new ArrayList<>();
        for (Entry e : committed) {
            GroupResult result = null;
            if (e.type() == Entry.Type.DATA) {
                RecordCursor commands = batches.commands(e);
                while (commands.next()) {
                    GroupCommand command = GroupCodec.decodeCommand(commands.value());
                    result = state.apply(e.baseOffset(), command);
                    materialize(command, result, writes);
                }
            }
            pending.committed(e, result, this::lost);
            appliedTerm = e.term();
            appliedEnd = e.nextOffset();
        }
        if (!writes.isEmpty()) {
            offsets.write(batch -> writes.forEach(w -> w.accept(batch)));
        }
        if (liveness == null && leaderNode == selfNode && appliedTerm == leaderTerm) {
            becomeReady();
        }
        if (appliedEnd - snapshotEnd >= snapshotOffsets) {
            snapshot();
        }
    }

    /** The node-store writes that keep its copy of the offsets equal to the state's after {@code command}. */
    private void materialize(GroupCommand command, GroupResult result, List<Consumer<StoreBatch>> writes) {
        if (result instanceof GroupRejection) {
            return;
        }
        if (command instanceof DeleteGroup c) {
            writes.add(batch -> batch.deleteConsumerGroup(c.groupId()));
        } else if (command instanceof CommitOffsets c) {
            writes.add(offsetsOf(c.groupId(), c.offsets()));
        } else if (command instanceof ResetOffsets c) {
            writes.add(offsetsOf(c.groupId(), c.offsets()));
        }
    }

    private Consumer<StoreBatch> offsetsOf(String groupId, List<OffsetCommit> named) {
        ConsumerGroup group = state.group(groupId).orElseThrow();
        Map<TopicPartition, CommittedOffset> now = new HashMap<>();
        named.forEach(o -> now.put(o.partition(), group.offsets().get(o.partition()).orElseThrow()));
        return batch -> now.forEach((p, o) -> batch.putCommittedOffset(groupId, p.topic(), p.partition(), o));
    }

    private void becomeReady() {
        liveness = new MemberLiveness(state.groups().values(), clockMs.getAsLong());
        expiring.clear();
        topicsProposed = false;
    }

    /**
     * Snapshots the state as of everything applied: the storage keeps it in the node store and
     * drops the log before it. The offsets' copy needs no care here: whatever of it a crash
     * cuts short is rewritten from the snapshot at the next start ({@link #rewriteCopy}).
     */
    private void snapshot() {
        long end = appliedEnd;
        snapshotEnd = end;
        storage.compact(end, state.snapshot()).whenComplete((done, e) -> {
            if (e != null) {
                log.warn("storing the snapshot of {} at offset {} failed", name(), end, e);
            }
        });
    }

    @Override
    public void restore(Snapshot snapshot) {
        replica.restore(snapshot);
        Set<String> before = new HashSet<>(state.groups().keySet());
        state.restore(bytesOf(storage.snapshotState()));
        appliedEnd = snapshot.end();
        snapshotEnd = snapshot.end();
        rewriteCopy(before);
    }

    /**
     * Makes the node store's copy of the offsets the state's: {@code stale} groups it may hold
     * and every group of the state go, then the state's offsets are written. At start-up and
     * after a snapshot install, so the entries applied next find the copy where they left it.
     */
    private void rewriteCopy(Collection<String> stale) {
        if (stale.isEmpty() && state.groups().isEmpty()) {
            return;
        }
        List<ConsumerGroup> groups = List.copyOf(state.groups().values());
        offsets.write(batch -> {
            stale.forEach(batch::deleteConsumerGroup);
            for (ConsumerGroup g : groups) {
                batch.deleteConsumerGroup(g.groupId());
                g.offsets().byPartition().forEach((p, o) -> batch.putCommittedOffset(g.groupId(), p.topic(),
                        p.partition(), o));
            }
        });
    }

    @Override
    public void reads(List<ReadState> readStates) {
        for (ReadState r : readStates) {
            PendingRead read = reads.remove(r.requestId());
            if (read == null) {
                continue;
            }
            if (r.confirmed()) {
                read.serve().run();
            } else {
                read.fail().accept(lost());
            }
        }
    }

    @Override
    public void leadership(MemberId leader, long term) {
        replica.leadership(leader, term);
        leaderNode = leader == null ? 0 : leader.nodeId();
        leaderTerm = term;
        liveness = null;
        if (leaderNode != selfNode) {
            pending.failAll(lost());
        } else if (appliedTerm == term) {
            becomeReady();
        }
    }

    @Override
    public void stopped(Throwable cause) {
        replica.stopped(cause);
        failEverything(CoordinatorErrors.stopped(name() + " (its replica stopped: " + cause + ")", selfNode));
    }

    /** The group left the driver (the node stops, or the topic went): nothing waiting on it will be answered. */
    void removed() {
        failEverything(CoordinatorErrors.stopped(name(), selfNode));
    }

    private void failEverything(ApiException cause) {
        liveness = null;
        pending.failAll(cause);
        reads.values().forEach(r -> r.fail().accept(cause));
        reads.clear();
    }

    private static byte[] bytesOf(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
