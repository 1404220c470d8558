package io.flotilla.broker.partition;

import io.flotilla.api.v1.FetchFormat;
import io.flotilla.api.v1.FetchResponse;
import io.flotilla.broker.api.ApiException;
import io.flotilla.log.PartitionLog;
import io.flotilla.log.record.RecordBatch;
import io.flotilla.raft.Entry;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.NotLeaderException;
import io.flotilla.raft.RaftNode;
import io.flotilla.raft.driver.Applier;

import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * This node's replica of one partition, as its Raft group's state machine: it publishes the
 * high watermark (the commit end) and the leadership, keeps the idempotence state, answers the
 * produces waiting for commit, and wakes the fetches parked for new records.
 *
 * <p>Threads: {@link #apply}, {@link #leadership}, {@link #stopped} and {@link #append} run on
 * the group's loop thread and own the producer state and the pending produces; fetches run on
 * gRPC threads and read only the log and the volatile published fields.
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
    private final RecordBatch view = new RecordBatch();

    // Loop thread only.
    private final ProducerStates committedProducers = new ProducerStates();
    /** The committed state plus this leader's uncommitted batches; null unless leading and ready. */
    private ProducerStates leaderProducers;
    private final CommitWaiters<Void> pending = new CommitWaiters<>();
    private long appliedTerm;
    private long appliedEnd;

    // Published to gRPC threads.
    private volatile Leadership leadership = Leadership.NONE;
    private volatile long highWatermark;
    private volatile Throwable stoppedBy;
    private final ConcurrentLinkedQueue<FetchParking.Parked> parked = new ConcurrentLinkedQueue<>();

    public PartitionReplica(long groupId, int selfNode, PartitionLog log, PartitionErrors errors, FetchParking parking) {
        this.groupId = groupId;
        this.selfNode = selfNode;
        this.log = log;
        this.errors = errors;
        this.parking = parking;
        this.highWatermark = log.startOffset();
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
        Throwable stopped = stoppedBy;
        if (stopped != null) {
            throw errors.stopped(stopped);
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
            if (e.type() == Entry.Type.DATA) {
                ByteBuffer bytes = e.payload().duplicate().order(ByteOrder.BIG_ENDIAN);
                view.wrap(bytes, bytes.position());
                if (view.producerId() >= 0) {
                    committedProducers.record(view.producerId(), view.producerEpoch(), view.baseSequence(),
                            e.count(), e.baseOffset(), view.maxTimestamp());
                }
            }
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
        if (!parked.isEmpty()) {
            parking.wake(this);
        }
    }

    @Override
    public void leadership(MemberId leader, long term) {
        Leadership next = new Leadership(leader == null ? 0 : leader.nodeId(), term);
        leadership = next;
        if (next.leaderNode() != selfNode) {
            leaderProducers = null;
            pending.failAll(errors.notLeader(selfNode, next.leaderNode(), term));
            if (!parked.isEmpty()) {
                parking.wake(this);
            }
        } else if (appliedTerm == term) {
            leaderProducers = committedProducers.copy();
        }
    }

    @Override
    public void stopped(Throwable cause) {
        stoppedBy = cause;
        pending.failAll(errors.stopped(cause));
        parking.wake(this);
    }

    private ApiException overwritten() {
        Leadership l = leadership;
        return errors.notLeader(selfNode, l.leaderNode(), l.term());
    }

    // ------------------------------------------------------------------ fetch (any thread)

    /**
     * Committed batches from {@code offset}: the batch holding it whole, then more while they
     * fit in {@code maxBytes}; control batches skipped (decoded) or left for the client (raw).
     *
     * @return null when nothing is committed at {@code offset} yet (the caller may park)
     */
    public FetchResponse read(long offset, int maxBytes, FetchFormat format) {
        checkLeader();
        long hw = highWatermark;
        long start = log.startOffset();
        if (offset < start) {
            throw errors.offsetOutOfRange(offset, start, hw, "below the log start");
        }
        if (offset >= hw) {
            if (offset > log.endOffset()) {
                throw errors.offsetOutOfRange(offset, start, hw, "beyond the end");
            }
            return null;
        }
        return FetchEncoder.encode(log, offset, maxBytes, hw, format, errors);
    }

    /** Parks a fetch until records commit past its offset, leadership moves, or it expires. */
    void park(FetchParking.Parked fetch) {
        parked.add(fetch);
        if (highWatermark > fetch.offset() || leadership.leaderNode() != selfNode || stoppedBy != null) {
            parking.wake(this); // raced with a commit or a change: look again now
        }
    }

    void unpark(FetchParking.Parked fetch) {
        parked.remove(fetch);
    }

    /** Answers every parked fetch that can be answered now; called off the loop thread. */
    void serveParked() {
        for (FetchParking.Parked p : parked) {
            if (p.isDone()) {
                parked.remove(p);
                continue;
            }
            try {
                FetchResponse answer = read(p.offset(), p.maxBytes(), p.format());
                if (answer != null && p.answer(answer)) {
                    parked.remove(p);
                }
            } catch (ApiException e) {
                p.fail(e);
                parked.remove(p);
            } catch (UncheckedIOException e) {
                p.fail(e);
                parked.remove(p);
            }
        }
    }

    /** The answer for a fetch with nothing to return (yet). */
    FetchResponse empty(long offset) {
        return FetchResponse.newBuilder().setNextOffset(offset).setHighWatermark(highWatermark)
                .setLogStartOffset(log.startOffset()).build();
    }
}
