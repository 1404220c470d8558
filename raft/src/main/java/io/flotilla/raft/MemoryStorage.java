package io.flotilla.raft;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;

/**
 * {@link RaftStorage} in memory, for tests and the simulation: what it holds counts as
 * durable, so a simulated crash loses exactly what was never handed to {@link #persist}.
 * Not thread-safe.
 */
public final class MemoryStorage implements RaftStorage {
    private final List<Entry> entries = new ArrayList<>();
    private HardState hardState = HardState.INITIAL;
    private Membership baseMembership;
    private long startOffset;
    private long termBeforeStart;
    private byte[] snapshot = new byte[0];
    /** Every snapshot taken or installed, by end: a test storage can afford to keep replaced ones readable. */
    private final Map<Long, byte[]> snapshotsByEnd = new HashMap<>();
    /** The snapshot being received, as a {@link Ready} persists its chunks. */
    private Snapshot incoming;
    private byte[] incomingBytes;

    public MemoryStorage(Membership bootstrap) {
        this.baseMembership = bootstrap;
        snapshotsByEnd.put(0L, snapshot);
    }

    /** Performs the persistence step of a {@link Ready}, as its javadoc lists it. */
    public void persist(Ready ready) {
        if (ready.snapshotChunk() != null) {
            receive(ready.snapshotChunk());
        }
        if (ready.truncateFrom() >= 0) {
            truncateFrom(ready.truncateFrom());
        }
        append(ready.entries());
        if (ready.hardState() != null) {
            hardState = ready.hardState();
        }
    }

    public void append(List<Entry> newEntries) {
        for (Entry entry : newEntries) {
            if (entry.baseOffset() != endOffset()) {
                throw new IllegalStateException("entry " + entry + " does not follow the log, which ends at "
                        + endOffset());
            }
            entries.add(entry);
        }
    }

    /** Removes every entry at or after {@code offset}, which must be an entry boundary at or after the start. */
    public void truncateFrom(long offset) {
        if (offset < startOffset) {
            throw new IllegalStateException("cannot truncate from " + offset + ": the log starts at " + startOffset);
        }
        int i = indexOfBase(offset);
        if (i < 0 && offset != endOffset()) {
            throw new IllegalStateException("offset " + offset + " is not an entry boundary");
        }
        if (i >= 0) {
            entries.subList(i, entries.size()).clear();
        }
    }

    /**
     * What a storage does on finding its log damaged from {@code offset} on (a flipped bit, a
     * file cut short): the log is cut there, and the hard state records that the member must
     * hold its old end again before it votes ({@link HardState#recoveringTo()}).
     */
    public void loseEntriesFrom(long offset) {
        long end = endOffset();
        truncateFrom(offset);
        hardState = hardState.withRecoveringTo(end);
    }

    private void receive(SnapshotChunk chunk) {
        if (chunk.position() == 0 || !chunk.snapshot().sameAs(incoming)) {
            incoming = chunk.snapshot();
            incomingBytes = new byte[Math.toIntExact(incoming.sizeBytes())];
        }
        chunk.data().duplicate().get(incomingBytes, Math.toIntExact(chunk.position()), chunk.data().remaining());
        if (chunk.last()) {
            entries.clear();
            startOffset = incoming.end();
            termBeforeStart = incoming.term();
            baseMembership = incoming.membership();
            snapshot = incomingBytes;
            snapshotsByEnd.put(startOffset, snapshot);
            incoming = null;
            incomingBytes = null;
        }
    }

    /**
     * Drops the entries below {@code newStart} (an entry boundary), as after the application
     * took a snapshot covering them: {@code state} is that snapshot (empty when the log is the state).
     */
    public void compact(long newStart, byte[] state) {
        if (newStart <= startOffset) {
            return;
        }
        int i = newStart == endOffset() ? entries.size() : indexOfBase(newStart);
        if (i < 0) {
            throw new IllegalStateException("offset " + newStart + " is not an entry boundary");
        }
        for (Entry dropped : entries.subList(0, i)) {
            if (dropped.type() == Entry.Type.MEMBERSHIP) {
                baseMembership = Membership.decode(dropped.payload());
            }
        }
        termBeforeStart = entries.get(i - 1).term();
        entries.subList(0, i).clear();
        startOffset = newStart;
        snapshot = state.clone();
        snapshotsByEnd.put(newStart, snapshot);
    }

    /** The application state compacted into the entries below the start. */
    public byte[] snapshot() {
        return snapshot.clone();
    }

    @Override
    public HardState hardState() {
        return hardState;
    }

    @Override
    public List<MembershipEntry> membershipHistory() {
        List<MembershipEntry> history = new ArrayList<>();
        history.add(new MembershipEntry(-1, baseMembership));
        for (Entry e : entries) {
            if (e.type() == Entry.Type.MEMBERSHIP) {
                history.add(new MembershipEntry(e.baseOffset(), Membership.decode(e.payload())));
            }
        }
        return history;
    }

    @Override
    public long startOffset() {
        return startOffset;
    }

    @Override
    public long endOffset() {
        return entries.isEmpty() ? startOffset : entries.get(entries.size() - 1).nextOffset();
    }

    @Override
    public long termBeforeStart() {
        return termBeforeStart;
    }

    @Override
    public long termAt(long offset) {
        if (offset == startOffset - 1) {
            return termBeforeStart;
        }
        return entries.get(indexHolding(offset)).term();
    }

    @Override
    public long snapshotSize() {
        return snapshot.length;
    }

    @Override
    public Membership snapshotMembership() {
        return baseMembership;
    }

    @Override
    public ByteBuffer readSnapshot(Snapshot wanted, long position, int maxBytes) {
        byte[] bytes = snapshotsByEnd.get(wanted.end());
        if (bytes == null) {
            return null;
        }
        int from = Math.toIntExact(position);
        return ByteBuffer.wrap(bytes, from, Math.min(maxBytes, bytes.length - from)).slice().asReadOnlyBuffer();
    }

    @Override
    public long entryBase(long offset) {
        return entries.get(indexHolding(offset)).baseOffset();
    }

    @Override
    public List<Entry> entries(long fromOffset, long toOffset, long maxBytes) {
        int i = indexOfBase(fromOffset);
        if (i < 0) {
            throw new IllegalArgumentException("no entry starts at offset " + fromOffset + " (log holds ["
                    + startOffset + ", " + endOffset() + "))");
        }
        List<Entry> out = new ArrayList<>();
        long bytes = 0;
        for (; i < entries.size(); i++) {
            Entry e = entries.get(i);
            if (e.nextOffset() > toOffset || (!out.isEmpty() && bytes + e.sizeInBytes() > maxBytes)) {
                break;
            }
            out.add(e);
            bytes += e.sizeInBytes();
        }
        return out;
    }

    /** All entries, for checkers. */
    public List<Entry> allEntries() {
        return List.copyOf(entries);
    }

    private int indexHolding(long offset) {
        int i = Entry.indexHolding(entries, offset);
        if (i >= 0) {
            return i;
        }
        throw new IllegalArgumentException("offset " + offset + " is not in the log [" + startOffset + ", "
                + endOffset() + ")");
    }

    private int indexOfBase(long offset) {
        if (offset < startOffset || offset >= endOffset()) {
            return -1;
        }
        int i = indexHolding(offset);
        return entries.get(i).baseOffset() == offset ? i : -1;
    }
}
