package io.flotilla.broker.storage;

import io.flotilla.log.CorruptLogException;
import io.flotilla.log.record.RecordBatch;
import io.flotilla.log.record.RecordBatchBuilder;
import io.flotilla.log.record.RecordCursor;
import io.flotilla.raft.Entry;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * How Raft entries are stored in a partition log: one entry, one record batch (format v1),
 * at the entry's offsets and with its term. An on-disk format:
 * <ul>
 *   <li>{@code DATA}: the payload is one record batch, stored as it is but for its base offset,
 *   term and CRC, which are stamped with the entry's ({@link RecordBatch#assignOffsetAndTerm});
 *   the entry's count is the batch's record count. It is never a control batch.</li>
 *   <li>{@code NOOP} and {@code MEMBERSHIP}: a control batch (attribute bit 4) of one record
 *   whose key names the kind, in ASCII, {@code raft.noop} or {@code raft.membership}, and whose
 *   value is the entry's payload: empty for a no-op, the membership's own encoding
 *   ({@link io.flotilla.raft.Membership#encode()}, which begins with its format byte) for a
 *   membership. The record has no headers; its timestamp is the storing replica's clock, and
 *   the producer fields are -1.</li>
 * </ul>
 * Fetch skips control batches, so consumers see only data. These two kinds are the only
 * control batches; reading one with another key is reported as corruption.
 */
final class EntryBatches {
    private static final ByteBuffer NOOP_KEY = ascii("raft.noop");
    private static final ByteBuffer MEMBERSHIP_KEY = ascii("raft.membership");
    /** A control record's varints and attribute byte take at most this much besides key and value. */
    private static final int CONTROL_RECORD_OVERHEAD = 32;

    private EntryBatches() {
    }

    /**
     * The batch to append for {@code entry}. A data entry's batch is copied and stamped unless
     * it already carries the entry's offset and term (entries from a leader); the payload is
     * never modified, since other members and threads may share its buffer.
     *
     * @throws IllegalArgumentException if a data entry's payload is not one batch of the entry's record count
     */
    static ByteBuffer toBatch(Entry entry, long nowMs) {
        return switch (entry.type()) {
            case DATA -> stamped(entry);
            case NOOP -> control(entry, NOOP_KEY, nowMs);
            case MEMBERSHIP -> control(entry, MEMBERSHIP_KEY, nowMs);
        };
    }

    private static ByteBuffer stamped(Entry entry) {
        ByteBuffer payload = entry.payload().duplicate(); // big-endian, whatever the sender's order
        RecordBatch view = new RecordBatch().wrap(payload, payload.position());
        if (payload.remaining() < RecordBatch.HEADER_BYTES || view.sizeInBytes() != payload.remaining()) {
            throw new IllegalArgumentException("the data entry at offset " + entry.baseOffset() + " holds "
                    + payload.remaining() + " bytes, which are not one record batch");
        }
        if (view.recordCount() != entry.count() || view.isControl()) {
            throw new IllegalArgumentException("the data entry at offset " + entry.baseOffset() + " occupies "
                    + entry.count() + " offsets but its batch holds " + view.recordCount()
                    + (view.isControl() ? " control record" : " records"));
        }
        if (view.baseOffset() == entry.baseOffset() && view.term() == entry.term()) {
            return payload;
        }
        ByteBuffer copy = ByteBuffer.allocate(payload.remaining()).put(payload).flip();
        new RecordBatch().wrap(copy, 0).assignOffsetAndTerm(entry.baseOffset(), entry.term());
        return copy;
    }

    private static ByteBuffer control(Entry entry, ByteBuffer key, long nowMs) {
        ByteBuffer value = entry.payload().duplicate();
        ByteBuffer buf = ByteBuffer.allocate(RecordBatch.HEADER_BYTES + CONTROL_RECORD_OVERHEAD + key.remaining()
                + value.remaining());
        RecordBatchBuilder builder = new RecordBatchBuilder().begin(buf, entry.baseOffset(), entry.term(), nowMs)
                .control();
        if (!builder.tryAppend(nowMs, key.duplicate(), value)) {
            throw new IllegalStateException("a control record of " + value.remaining() + " bytes did not fit in "
                    + buf.capacity());
        }
        builder.finish();
        return buf.flip();
    }

    /**
     * The entry stored as the batch {@code view} wraps: a data entry's payload is a view of the
     * batch's bytes in the view's buffer, a control entry's a view of its record's value.
     *
     * @param file     where the batch was read from, to name in a corruption report
     * @param position the batch's byte position in {@code file}
     */
    static Entry toEntry(RecordBatch view, Path file, long position) {
        if (!view.isControl()) {
            ByteBuffer batch = view.buffer().slice(view.start(), view.sizeInBytes()).asReadOnlyBuffer();
            return new Entry(view.baseOffset(), view.recordCount(), view.term(), Entry.Type.DATA, batch);
        }
        RecordCursor record = new RecordCursor().reset(view);
        record.next();
        ByteBuffer key = record.key();
        Entry.Type type = NOOP_KEY.equals(key) ? Entry.Type.NOOP
                : MEMBERSHIP_KEY.equals(key) ? Entry.Type.MEMBERSHIP
                : null;
        if (type == null || record.value() == null) {
            throw new CorruptLogException(file, position, "the control batch at offset " + view.baseOffset()
                    + " is neither a no-op nor a membership entry");
        }
        return new Entry(view.baseOffset(), 1, view.term(), type, record.value());
    }

    private static ByteBuffer ascii(String key) {
        return ByteBuffer.wrap(key.getBytes(StandardCharsets.US_ASCII)).asReadOnlyBuffer();
    }
}
