package io.flotilla.broker.partition;

import io.flotilla.api.v1.FetchFormat;
import io.flotilla.api.v1.FetchResponse;
import io.flotilla.broker.api.ApiException;
import io.flotilla.log.CorruptLogException;
import io.flotilla.log.PartitionLog;
import io.flotilla.raft.Entry;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.NotLeaderException;
import io.flotilla.raft.RaftNode;
import io.flotilla.raft.Snapshot;
import io.flotilla.raft.driver.Applier;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * This node's replica of one partition, as its Raft group's state machine: it publishes the
 * high watermark (the commit end) and the leadership, keeps the idempotence state, answers the
 * produces waiting for commit, and wakes the readers waiting for new records (parked fetches
 * and subscriptions, both {@link Waiter}s).
 *
 * <p>Threads: {@link #apply}, {@link #leadership}, {@link #stopped} and {@link #append} run on
 * the group's loop thread and own the producer state and the pending produces; fetches and
 * subscriptions run on gRPC and reader threads and read only the log and the volatile published
 * fields.
 */
public final class PartitionReplica implements Applier {
    /** Who leads, as this replica last heard; node 0 when nobody is known to. */
    public record Leadership(int leaderNode, long term) {
        static final Leadership NONE = new Leadership(0, 0);
    }

    private final long groupId;
    private final int selfNode;
    private final PartitionLog log;
    private final PartitionErrors errors;
    private final FetchParking parking;
    private final Supplier<ByteBuffer> snapshotState;
    private final Consumer<CorruptLogException> damageFound;

    // Loop thread only.
    private final CommittedProducers committedProducers = new CommittedProducers();
    /** The committed state plus this leader's uncommitted batches; null unless leading and ready. */
    private ProducerStates leaderProducers;
    private final CommitWaiters<Void> pending = new CommitWaiters<>();
    private long appliedTerm;
    private long appliedEnd;

    // Published to gRPC threads.
    private volatile Leadership leadership = Leadership.NONE;
    private volatile long highWatermark;
    /** Why this replica serves no more reads (its group stopped, its topic was deleted...); null while it may. */
    private volatile ApiException ended;
    private final ConcurrentLinkedQueue<Waiter> waiting = new ConcurrentLinkedQueue<>();

    /**
     * @param snapshotState the group's snapshot state ({@code LogStorage.snapshotState}): the
     *                      producer state standing for the records below the log start, read
     *                      now and after a snapshot install
     * @param damageFound   told when a read of the log met damaged bytes (from the reading thread:
     *                      must only hand off); the node reopens the replica to recover
     */
    public PartitionReplica(long groupId, int selfNode, PartitionLog log, PartitionErrors errors, FetchParking parking,
                            Supplier<ByteBuffer> snapshotState, Consumer<CorruptLogException> damageFound) {
        this.groupId = groupId;
        this.selfNode = selfNode;
        this.log = log;
        this.errors = errors;
        this.parking = parking;
        this.snapshotState = snapshotState;
        this.damageFound = damageFound;
        this.highWatermark = log.startOffset();
        committedProducers.restore(snapshotState.get());
    }

    public long groupId() {
        return groupId;
    }

    public PartitionErrors errors() {
        return errors;
    }

    public Leadership leadershipView() {
        return leadership;
    }

    public long highWatermark() {
        return highWatermark;
    }

    public long logStartOffset() {
        return log.startOffset();
    }

    public PartitionLog log() {
        return log;
    }

    /** Throws unless this node leads the partition now (as far as it knows). */
    public void checkLeader() {
        ApiException end = ended;
        if (end != null) {
            throw end;
        }
        Leadership l = leadership;
        if (l.leaderNode() != selfNode) {
            throw errors.notLeader(selfNode, l.leaderNode(), l.term());
        }
    }

    // ------------------------------------------------------------------ produce (loop thread)

    /**
     * Appends {@code batch} through Raft, or answers a retry from the idempotence state. Runs on
     * the loop thread (through the driver's {@code call}); the future completes when the batch
     * commits (or at once for ACKS_LEADER), or fails with an {@link ApiException}.
     */
    public CompletableFuture<Appended> append(RaftNode node, ProduceBatch batch) {
        MemberId leader = node.leader();
        if (leader == null || !leader.equals(node.self())) {
            throw errors.notLeader(selfNode, leader == null ? 0 : leader.nodeId(), node.term());
        }
        if (leaderProducers == null) {
            throw errors.leaderNotReady(node.term());
        }
        CompletableFuture<Appended> done = new CompletableFuture<>();
        if (batch.idempotent()) {
            ProducerStates.Check check = leaderProducers.check(batch.producerId(), batch.producerEpoch(),
                    batch.baseSequence(), batch.recordCount());
            if (check instanceof ProducerStates.Refuse refuse) {
                throw errors.refused(refuse.reason(), refuse.message());
            }
            if (check instanceof ProducerStates.Duplicate duplicate) {
                answerDuplicate(duplicate.original(), done);
                return done;
            }
        }
        Entry entry;
        try {
            entry = node.propose(batch.batch(), batch.recordCount());
        } catch (NotLeaderException handingOver) { // a leadership transfer is under way: name its target
            MemberId target = handingOver.leaderHint();
            throw errors.notLeader(selfNode, target == null ? 0 : target.nodeId(), node.term());
        }
        if (batch.idempotent()) {
            leaderProducers.record(batch.producerId(), batch.producerEpoch(), batch.baseSequence(),
                    batch.recordCount(), entry.baseOffset(), batch.appendTimeMs());
        }
        Appended appended = new Appended(entry.baseOffset(), batch.appendTimeMs(), false);
        if (batch.leaderAcks()) {
            done.complete(appended);
            pending.add(entry, null); // a retry of it waits for its commit
            return done;
        }
        CompletableFuture<Void> committed = new CompletableFuture<>();
        pending.add(entry, committed);
        return committed.thenApply(v -> appended);
    }

    private void answerDuplicate(ProducerStates.Written original, CompletableFuture<Appended> done) {
        if (original.baseOffset() < appliedEnd) {
            done.complete(new Appended(original.baseOffset(), original.appendTimeMs(), true));
            return;
        }
        // The original is still on its way to commit: answer the retry when it gets there.
        CompletableFuture<Void> committed = new CompletableFuture<>();
        if (pending.join(original.baseOffset(), committed)) {
            committed.whenComplete((v, e) -> {
                if (e != null) {
                    done.completeExceptionally(e);
                } else {
                    done.complete(new Appended(original.baseOffset(), original.appendTimeMs(), true));
                }
            });
            return;
        }
        // The leader's state holds the committed batches and its own pending ones, nothing else.
        throw new IllegalStateException("batch at offset " + original.baseOffset() + " of " + errors.name()
                + " is remembered but neither committed (below " + appliedEnd + ") nor pending");
    }

    // ------------------------------------------------------------------ Applier (loop thread)

    @Override
    public void apply(List<Entry> committed) {
        for (Entry e : committed) {
            pending.committed(e, null, this::overwritten);
            committedProducers.apply(e);
            appliedTerm = e.term();
            appliedEnd = e.nextOffset();
        }
        highWatermark = appliedEnd;
        Leadership l = leadership;
        if (leaderProducers == null && l.leaderNode() == selfNode && appliedTerm == l.term()) {
            // This leader's first entry committed, so everything before it did: the committed
            // state is complete, and only this leader's own proposals can follow.
            leaderProducers = committedProducers.copy();
        }
        if (!waiting.isEmpty()) {
            parking.wake(this);
        }
    }

    /** A follower installed the leader's snapshot: its log starts there, and the producer state is the snapshot's. */
    @Override
    public void restore(Snapshot snapshot) {
        committedProducers.restore(snapshotState.get());
        appliedTerm = snapshot.term();
        appliedEnd = snapshot.end();
        highWatermark = snapshot.end();
    }

    // ------------------------------------------------------------------ retention (loop thread)

    /** Retention may delete entries below this: what this replica applied, which is committed. */
    public long retentionBound() {
        return appliedEnd;
    }

    /**
     * The snapshot state for a move of the log start: the producer state, standing for every
     * entry below {@link #retentionBound()}.
     */
    public byte[] snapshotState() {
        return committedProducers.snapshot();
    }

    @Override
    public void leadership(MemberId leader, long term) {
        Leadership next = new Leadership(leader == null ? 0 : leader.nodeId(), term);
        leadership = next;
        if (next.leaderNode() != selfNode) {
            leaderProducers = null;
            pending.failAll(errors.notLeader(selfNode, next.leaderNode(), term));
            if (!waiting.isEmpty()) {
                parking.wake(this);
            }
        } else if (appliedTerm == term) {
            leaderProducers = committedProducers.copy();
        }
    }

    @Override
    public void stopped(Throwable cause) {
        ended = errors.stopped(cause);
        pending.failAll(ended);
        parking.wake(this);
    }

    /**
     * This node no longer hosts the replica, for the reason {@code why} tells its waiters: its
     * topic was deleted, it left the partition's group, or the node is stopping. Called once the
     * group has left the driver, so no loop thread touches the replica any more. Everything
     * waiting on it fails now, on the calling thread, so that the answers leave before the
     * server stops.
     */
    public void removed(ApiException why) {
        ended = why;
        pending.failAll(ended);
        serveWaiting();
    }

    private ApiException overwritten() {
        Leadership l = leadership;
        return errors.notLeader(selfNode, l.leaderNode(), l.term());
    }

    // ------------------------------------------------------------------ fetch (any thread)

    /**
     * Throws what a read from {@code offset} gets before any record is read: this node does not
     * lead, the replica serves no more, or the offset lies below the log start or beyond the log
     * end. Fetch and Subscribe start with it.
     */
    public void checkReadable(long offset) {
        checkReadable(offset, highWatermark);
    }

    private void checkReadable(long offset, long hw) {
        checkLeader();
        long start = log.startOffset();
        if (offset < start) {
            throw errors.offsetOutOfRange(offset, start, hw, "below the log start");
        }
        if (offset >= hw && offset > log.endOffset()) {
            throw errors.offsetOutOfRange(offset, start, hw, "beyond the end");
        }
    }

    /**
     * Committed batches from {@code offset}: the batch holding it whole, then more while they
     * fit in {@code maxBytes}; control batches skipped (decoded) or left for the client (raw).
     *
     * @return null when nothing is committed at {@code offset} yet (the caller may wait)
     */
    public FetchResponse read(long offset, int maxBytes, FetchFormat format) {
        long hw = highWatermark;
        checkReadable(offset, hw);
        if (offset >= hw) {
            return null;
        }
        try {
            return FetchEncoder.encode(log, offset, maxBytes, hw, format, errors);
        } catch (CorruptLogException e) {
            throw damaged(e);
        }
    }

    /**
     * A read of this replica's log met damaged bytes: the node is told (it reopens the replica,
     * which recovers from its peers), and the reader gets CORRUPT_DATA. Any thread.
     */
    public ApiException damaged(CorruptLogException e) {
        damageFound.accept(e);
        return errors.corrupt(e);
    }

    /** Whether this node leads the partition and the replica still serves reads. */
    boolean serving() {
        return ended == null && leadership.leaderNode() == selfNode;
    }

    /** Whether a reader waiting at {@code offset} has something to learn: records, or that its wait is over. */
    boolean answerable(long offset) {
        return highWatermark > offset || !serving();
    }

    /** {@code waiter}, reading at {@code offset}, waits until records commit there or leadership moves. */
    void park(Waiter waiter, long offset) {
        waiting.add(waiter);
        if (answerable(offset)) {
            parking.wake(this); // raced with a commit or a change: look again now
        }
    }

    void unpark(Waiter waiter) {
        waiting.remove(waiter);
    }

    /** Lets every waiter look at the replica again; called off the loop thread. */
    void serveWaiting() {
        for (Waiter w : waiting) {
            if (w.serve(this)) {
                waiting.remove(w);
            }
        }
    }

    /** The answer for a read with nothing to return (yet): a fetch that waited in vain, or a heartbeat. */
    FetchResponse empty(long offset) {
        return FetchResponse.newBuilder().setNextOffset(offset).setHighWatermark(highWatermark)
                .setLogStartOffset(log.startOffset()).build();
    }
}
