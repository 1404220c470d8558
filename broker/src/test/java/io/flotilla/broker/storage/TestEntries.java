package io.flotilla.broker.storage;

import io.flotilla.log.record.RecordBatch;
import io.flotilla.log.record.RecordBatchBuilder;
import io.flotilla.raft.Entry;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.Membership;
import io.flotilla.raft.Ready;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Entries, batches and Readies for storage tests. */
final class TestEntries {
    private TestEntries() {
    }

    static MemberId member(int nodeId) {
        return new MemberId(nodeId, 7);
    }

    /** A record batch of {@code values}, at base offset {@code baseOffset} and term {@code term} (a proposal's are arbitrary). */
    static ByteBuffer batch(long baseOffset, long term, List<String> values) {
        int size = RecordBatch.HEADER_BYTES;
        for (String v : values) {
            size += 32 + v.length() * 3;
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        RecordBatchBuilder builder = new RecordBatchBuilder().begin(buf, baseOffset, term, 1_700_000_000_000L);
        for (String v : values) {
            if (!builder.tryAppend(1_700_000_000_000L, null, ByteBuffer.wrap(v.getBytes(StandardCharsets.UTF_8)))) {
                throw new IllegalStateException("test buffer too small");
            }
        }
        builder.finish();
        return buf.flip();
    }

    static Entry data(long baseOffset, long term, List<String> values) {
        return new Entry(baseOffset, values.size(), term, Entry.Type.DATA, batch(0, 0, values));
    }

    static Entry noop(long offset, long term) {
        return new Entry(offset, 1, term, Entry.Type.NOOP, ByteBuffer.allocate(0));
    }

    static Entry membership(long offset, long term, Membership membership) {
        return new Entry(offset, 1, term, Entry.Type.MEMBERSHIP, membership.encode());
    }

    /** A Ready that appends {@code entries} after truncating from {@code truncateFrom} (-1: none). */
    static Ready appending(long truncateFrom, List<Entry> entries, io.flotilla.raft.HardState hardState) {
        return new Ready(List.of(), truncateFrom, entries, hardState, List.of(), List.of());
    }

    /** What a stored data entry looks like: its batch stamped with the entry's offset and term. */
    static Entry stamped(Entry entry) {
        if (entry.type() != Entry.Type.DATA) {
            return entry;
        }
        ByteBuffer copy = ByteBuffer.allocate(entry.sizeInBytes()).put(entry.payload().duplicate()).flip();
        new RecordBatch().wrap(copy, 0).assignOffsetAndTerm(entry.baseOffset(), entry.term());
        return new Entry(entry.baseOffset(), entry.count(), entry.term(), entry.type(), copy);
    }
}
