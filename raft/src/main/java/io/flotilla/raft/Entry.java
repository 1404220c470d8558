package io.flotilla.raft;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A Raft log entry. Log positions are the partition's offsets: an entry occupies
 * {@code baseOffset .. baseOffset + count - 1} (a data entry is a record batch of {@code count}
 * records; a control entry occupies one offset). The payload is opaque to Raft except for
 * {@link Type#MEMBERSHIP} entries, whose payload is a {@link Membership} encoding.
 *
 * <p>Offsets and term are Raft's to assign: the application proposes a payload, the leader
 * gives it the next offsets and its term, and the storage adapter stamps them into the batch
 * bytes when it persists the entry.
 */
public record Entry(long baseOffset, int count, long term, Type type, ByteBuffer payload) {
    /** What an entry is to Raft. Data entries are all Raft replicates without looking inside. */
    public enum Type {
        DATA,
        /** The leader's first entry of its term: committing it commits everything before (Raft §5.4.2). */
        NOOP,
        /** A new membership; takes effect when appended, not when committed (Raft thesis §4.1). */
        MEMBERSHIP
    }

    public Entry {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(payload, "payload");
        if (baseOffset < 0 || count < 1 || term < 1) {
            throw new IllegalArgumentException("entry needs baseOffset >= 0, count >= 1, term >= 1; got "
                    + baseOffset + ", " + count + ", " + term);
        }
        if (type != Type.DATA && count != 1) {
            throw new IllegalArgumentException("a " + type + " entry occupies one offset, not " + count);
        }
    }

    public long lastOffset() {
        return baseOffset + count - 1;
    }

    /** The offset after this entry: where the next one starts. */
    public long nextOffset() {
        return baseOffset + count;
    }

    public int sizeInBytes() {
        return payload.remaining();
    }

    /**
     * Index of the entry holding {@code offset} in {@code entries} (contiguous, in offset
     * order), or -1 if none does.
     */
    public static int indexHolding(java.util.List<Entry> entries, long offset) {
        int lo = 0;
        int hi = entries.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Entry e = entries.get(mid);
            if (offset < e.baseOffset()) {
                hi = mid - 1;
            } else if (offset > e.lastOffset()) {
                lo = mid + 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return "Entry[" + baseOffset + ".." + lastOffset() + " t" + term + (type == Type.DATA ? "" : " " + type) + "]";
    }
}
