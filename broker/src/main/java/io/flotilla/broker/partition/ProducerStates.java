package io.flotilla.broker.partition;

import io.flotilla.api.v1.ErrorReason;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Idempotence state of one partition: per producer id, its epoch and its last five batches
 * (broker.proto, InitProducer). Built from the partition's log in log order, so every replica
 * holds the same state for the same log prefix, and a new leader (or a restarted node, which
 * re-applies its log from its snapshot, {@link CommittedProducers}) answers retries exactly as
 * the old one would have.
 *
 * <p>Not thread-safe: one partition's loop thread owns it.
 */
final class ProducerStates {
    static final int WINDOW = 5;
    /** Encoded size of one {@link Written}. */
    private static final int WRITTEN_BYTES = 2 * Integer.BYTES + 2 * Long.BYTES;

    /** One batch an idempotent producer wrote: what a retry of it is answered with. */
    record Written(int baseSequence, int count, long baseOffset, long appendTimeMs) {
        int lastSequence() {
            return wrap(baseSequence, count - 1);
        }
    }

    /** The outcome of checking a batch against the state. */
    sealed interface Check {
    }

    /** Write it: its sequence is the next one expected. */
    record Accept() implements Check {
    }

    /** Written before, under the same epoch: answer with the original. */
    record Duplicate(Written original) implements Check {
    }

    /** Refused, and why; nothing is written. */
    record Refuse(ErrorReason reason, String message) implements Check {
    }

    private static final Accept ACCEPT = new Accept();

    private static final class Producer {
        short epoch;
        /** Ring of the last batches; {@code count} of them valid, the newest at {@code newest}. */
        final Written[] recent = new Written[WINDOW];
        int newest = -1;
        int count;

        Producer copy() {
            Producer p = new Producer();
            p.epoch = epoch;
            System.arraycopy(recent, 0, p.recent, 0, WINDOW);
            p.newest = newest;
            p.count = count;
            return p;
        }

        int nextSequence() {
            return count == 0 ? 0 : wrap(recent[newest].lastSequence(), 1);
        }
    }

    private final Map<Long, Producer> producers;

    ProducerStates() {
        this.producers = new HashMap<>();
    }

    private ProducerStates(Map<Long, Producer> producers) {
        this.producers = producers;
    }

    /** An independent copy: a leader's tentative state starts as the committed state. */
    ProducerStates copy() {
        Map<Long, Producer> copy = new HashMap<>(producers.size() * 2);
        producers.forEach((id, p) -> copy.put(id, p.copy()));
        return new ProducerStates(copy);
    }

    int size() {
        return producers.size();
    }

    /** Whether a batch of {@code count} records from this producer may be written now. */
    Check check(long producerId, short epoch, int baseSequence, int count) {
        Producer p = producers.get(producerId);
        if (p == null) {
            // Out of order, not "unknown": with calls in flight, this batch may simply have
            // overtaken the producer's first one, and a retry after it lands succeeds.
            return baseSequence == 0 ? ACCEPT : new Refuse(ErrorReason.ERROR_REASON_OUT_OF_ORDER_SEQUENCE,
                    "producer " + producerId + " has not written to this partition, so the next sequence is 0,"
                            + " not " + baseSequence
                            + ": retry once the producer's earlier batches here are answered; if none is"
                            + " outstanding, bump the epoch and start at 0");
        }
        if (epoch < p.epoch) {
            return new Refuse(ErrorReason.ERROR_REASON_PRODUCER_FENCED, "producer " + producerId + " epoch " + epoch
                    + " is fenced: this partition has seen epoch " + p.epoch);
        }
        if (epoch > p.epoch) {
            return baseSequence == 0 ? ACCEPT : new Refuse(ErrorReason.ERROR_REASON_OUT_OF_ORDER_SEQUENCE,
                    "producer " + producerId + " moves to epoch " + epoch + " with sequence " + baseSequence
                            + "; a new epoch starts at sequence 0");
        }
        for (int i = 0; i < p.count; i++) {
            Written w = p.recent[Math.floorMod(p.newest - i, WINDOW)];
            if (w.baseSequence == baseSequence && w.count == count) {
                return new Duplicate(w);
            }
        }
        int expected = p.nextSequence();
        if (baseSequence == expected) {
            return ACCEPT;
        }
        return new Refuse(ErrorReason.ERROR_REASON_OUT_OF_ORDER_SEQUENCE, "producer " + producerId + " epoch "
                + epoch + " sent sequence " + baseSequence + " but this partition expects " + expected
                + " next (or a retry of one of its last " + p.count + " batches)");
    }

    /**
     * Records a batch the log holds (in log order). Batches that {@link #check} would refuse are
     * never proposed; a log written by an older leader is still taken as it is: the log is the
     * truth, this only remembers it.
     */
    void record(long producerId, short epoch, int baseSequence, int count, long baseOffset, long appendTimeMs) {
        Producer p = producers.computeIfAbsent(producerId, id -> new Producer());
        if (epoch != p.epoch) {
            p.epoch = epoch;
            p.count = 0;
            p.newest = -1;
        }
        p.newest = (p.newest + 1) % WINDOW;
        p.recent[p.newest] = new Written(baseSequence, count, baseOffset, appendTimeMs);
        p.count = Math.min(p.count + 1, WINDOW);
    }

    /** Bytes {@link #encode} writes. */
    int encodedSize() {
        int size = Integer.BYTES;
        for (Producer p : producers.values()) {
            size += Long.BYTES + Short.BYTES + 1 + p.count * WRITTEN_BYTES;
        }
        return size;
    }

    /**
     * Writes the state, big-endian: int32 producer count, then per producer its int64 id, int16
     * epoch, int8 batch count and its batches oldest first, each int32 base sequence, int32
     * record count, int64 base offset, int64 append time.
     */
    void encode(ByteBuffer out) {
        out.putInt(producers.size());
        producers.forEach((id, p) -> {
            out.putLong(id).putShort(p.epoch).put((byte) p.count);
            for (int i = p.count - 1; i >= 0; i--) {
                Written w = p.recent[Math.floorMod(p.newest - i, WINDOW)];
                out.putInt(w.baseSequence).putInt(w.count).putLong(w.baseOffset).putLong(w.appendTimeMs);
            }
        });
    }

    /**
     * Reads what {@link #encode} wrote: the batches are recorded again in their order, which
     * rebuilds each producer's window as it was.
     *
     * @throws IllegalArgumentException if the bytes are not such a state
     */
    static ProducerStates decode(ByteBuffer in) {
        ProducerStates states = new ProducerStates();
        int producers = in.getInt();
        for (int i = 0; i < producers; i++) {
            long id = in.getLong();
            short epoch = in.getShort();
            int count = in.get();
            if (count < 1 || count > WINDOW) {
                throw new IllegalArgumentException("producer " + id + " has " + count + " batches; 1 .. " + WINDOW
                        + " are kept");
            }
            for (int b = 0; b < count; b++) {
                states.record(id, epoch, in.getInt(), in.getInt(), in.getLong(), in.getLong());
            }
        }
        return states;
    }

    /** {@code sequence + delta}, wrapping from {@link Integer#MAX_VALUE} to 0 as producers do. */
    static int wrap(int sequence, int delta) {
        long next = (long) sequence + delta;
        return (int) (next > Integer.MAX_VALUE ? next - Integer.MAX_VALUE - 1 : next);
    }
}
