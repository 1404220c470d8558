package io.flotilla.broker.partition;

import io.flotilla.log.record.RecordBatch;
import io.flotilla.raft.Entry;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The idempotence state of a partition's committed log and how far it reaches: every batch
 * below {@link #end} is recorded. This is what stands in for the records retention deletes, so
 * it is the data partition's Raft snapshot state: {@link #snapshot} is stored with every move
 * of the log start, and restored at start-up and when a follower installs the leader's
 * snapshot. The snapshot may reach past the log start (it is taken at the applied end, and
 * retention deletes whole segments below it), so entries applied again below {@link #end},
 * as after a restart, are skipped.
 *
 * <p>Snapshot format, big-endian: int8 format version 1, int64 end, then {@link ProducerStates#encode}.
 * Empty bytes stand for a log with nothing deleted yet: no producers, end 0.
 *
 * <p>Not thread-safe: the partition's loop thread owns it.
 */
final class CommittedProducers {
    private static final byte FORMAT = 1;

    private final RecordBatch view = new RecordBatch();
    private ProducerStates states = new ProducerStates();
    private long end;

    /** Records a committed entry, in log order; one below {@link #end} is already recorded. */
    void apply(Entry e) {
        if (e.baseOffset() < end) {
            return;
        }
        if (e.type() == Entry.Type.DATA) {
            ByteBuffer bytes = e.payload().duplicate().order(ByteOrder.BIG_ENDIAN);
            view.wrap(bytes, bytes.position());
            if (view.producerId() >= 0) {
                states.record(view.producerId(), view.producerEpoch(), view.baseSequence(), e.count(), e.baseOffset(),
                        view.maxTimestamp());
            }
        }
        end = e.nextOffset();
    }

    /** An independent copy of the state: a leader's tentative state starts as the committed one. */
    ProducerStates copy() {
        return states.copy();
    }

    /** The state as snapshot bytes, standing for every entry below {@link #end}. */
    byte[] snapshot() {
        ByteBuffer out = ByteBuffer.allocate(1 + Long.BYTES + states.encodedSize());
        out.put(FORMAT).putLong(end);
        states.encode(out);
        return out.array();
    }

    /**
     * Replaces the state with a snapshot's.
     *
     * @throws IllegalStateException if the bytes are not a snapshot of this format
     */
    void restore(ByteBuffer snapshot) {
        ByteBuffer in = snapshot.duplicate().order(ByteOrder.BIG_ENDIAN);
        if (!in.hasRemaining()) {
            states = new ProducerStates();
            end = 0;
            return;
        }
        try {
            byte format = in.get();
            if (format != FORMAT) {
                throw new IllegalArgumentException("format " + format + " is not supported (expected " + FORMAT + ")");
            }
            long restoredEnd = in.getLong();
            ProducerStates restored = ProducerStates.decode(in);
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " bytes follow the producers");
            }
            states = restored;
            end = restoredEnd;
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new IllegalStateException("malformed producer state snapshot: " + e.getMessage(), e);
        }
    }

    /** Every batch below this offset is recorded. */
    long end() {
        return end;
    }
}
