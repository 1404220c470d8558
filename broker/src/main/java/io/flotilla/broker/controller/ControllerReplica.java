package io.flotilla.broker.controller;

import io.flotilla.api.v1.ErrorReason;
import io.flotilla.broker.api.ApiException;
import io.flotilla.broker.metadata.ClusterMetadata;
import io.flotilla.broker.metadata.CommandResult;
import io.flotilla.broker.metadata.MetadataCodec;
import io.flotilla.broker.metadata.MetadataCommand;
import io.flotilla.broker.metadata.MetadataStateMachine;
import io.flotilla.broker.partition.CommitWaiters;
import io.flotilla.broker.storage.CommandBatches;
import io.flotilla.log.record.RecordCursor;
import io.flotilla.raft.Entry;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.RaftNode;
import io.flotilla.raft.Snapshot;
import io.flotilla.raft.driver.Applier;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * This node's replica of the controller group (group 0): applies metadata commands in log order
 * and publishes each new {@link ClusterMetadata}. Every node holds one, so every node answers
 * metadata reads from its own copy; the group's leader is the controller, through which every
 * change goes.
 *
 * <p>A command is one record of one batch: the record's value is the command's encoding.
 *
 * <p>Threads: the Applier methods and {@link #propose} run on the group's loop thread; the
 * published metadata and leadership are read from any thread.
 */
public final class ControllerReplica implements Applier {
    public static final long GROUP_ID = 0;

    private final int selfNode;
    private final MetadataStateMachine state = new MetadataStateMachine();
    private final CommitWaiters<CommandResult> pending = new CommitWaiters<>();
    private final Consumer<ClusterMetadata> changed;
    private final CommandBatches batches = new CommandBatches();
    /** The state bytes of the snapshot the group's storage holds now (after an install, the new one). */
    private final Supplier<byte[]> snapshots;
    private long appliedTerm;
    private volatile ClusterMetadata metadata = ClusterMetadata.EMPTY;
    private volatile int leaderNode;
    private volatile long leaderTerm;
    /** This node leads and its first entry of the term has committed: its metadata is current. */
    private volatile boolean leaderReady;

    /** @param changed told (on the loop thread; must hand off) after each applied batch of commands */
    public ControllerReplica(int selfNode, Supplier<byte[]> snapshots, Consumer<ClusterMetadata> changed) {
        this.selfNode = selfNode;
        this.snapshots = snapshots;
        this.changed = changed;
    }

    public ClusterMetadata metadata() {
        return metadata;
    }

    /** The controller's node as this replica knows it; 0 when unknown. */
    public int leaderNode() {
        return leaderNode;
    }

    public boolean leadsAndReady() {
        return leaderReady && leaderNode == selfNode;
    }

    /** Proposes {@code command}; on the loop thread. The future gets its result once it commits. */
    public CompletableFuture<CommandResult> propose(RaftNode node, MetadataCommand command) {
        MemberId leader = node.leader();
        if (leader == null || !leader.equals(node.self()) || !leaderReady) {
            throw notController();
        }
        CompletableFuture<CommandResult> done = new CompletableFuture<>();
        Entry entry = node.propose(CommandBatches.encode(MetadataCodec.encode(command)), 1);
        pending.add(entry, done);
        return done;
    }

    private ApiException notController() {
        return ApiException.of(ErrorReason.ERROR_REASON_NO_LEADER, "the controller is changing leaders (node "
                + selfNode + " does not lead it now); retry shortly");
    }

    @Override
    public void apply(List<Entry> committed) {
        for (Entry e : committed) {
            CommandResult result = null;
            if (e.type() == Entry.Type.DATA) {
                RecordCursor cursor = batches.commands(e);
                while (cursor.next()) {
                    result = state.apply(e.baseOffset(), cursor.value());
                }
            }
            // Published before the proposer hears, so the metadata version it answers with is readable here.
            metadata = state.metadata();
            pending.committed(e, result, this::notController);
            appliedTerm = e.term();
        }
        if (leaderNode == selfNode && appliedTerm == leaderTerm) {
            leaderReady = true;
        }
        changed.accept(metadata);
    }

    @Override
    public void restore(Snapshot snapshot) {
        load(snapshots.get());
    }

    /** Replaces the state with a snapshot's: at start-up, before the group runs, or on install. */
    public void load(byte[] snapshotState) {
        state.restore(snapshotState);
        metadata = state.metadata();
        changed.accept(metadata);
    }

    @Override
    public void leadership(MemberId leader, long term) {
        leaderNode = leader == null ? 0 : leader.nodeId();
        leaderTerm = term;
        leaderReady = leaderNode == selfNode && appliedTerm == term;
        if (leaderNode != selfNode) {
            pending.failAll(notController());
        }
    }

    @Override
    public void stopped(Throwable cause) {
        pending.failAll(ApiException.of(ErrorReason.ERROR_REASON_NODE_NOT_READY, "this node's controller replica"
                + " stopped: " + cause));
    }
}
