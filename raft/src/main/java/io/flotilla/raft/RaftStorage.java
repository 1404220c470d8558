package io.flotilla.raft;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The durable side of one group's log, as Raft reads it. Raft never writes through this
 * interface: it asks for writes in a {@link Ready}, which the driver performs. In production
 * the broker implements it over the partition log and the node store; {@link MemoryStorage}
 * serves tests and the simulation.
 *
 * <p>Offsets: the log holds entries covering {@code [startOffset, endOffset)}; entries below the
 * start were compacted into a snapshot whose last entry had term {@link #termBeforeStart()}.
 *
 * <p>A read that fails (an I/O error) throws an unchecked exception, such as
 * {@link java.io.UncheckedIOException}, out of whichever {@link RaftNode} call made it; the
 * driver then stops that group alone.
 */
public interface RaftStorage {
    /** The hard state persisted last (or {@link HardState#INITIAL}). */
    HardState hardState();

    /**
     * The base membership (bootstrap, or the snapshot's) at offset -1, followed by every
     * membership entry of the durable log in offset order: a restarted member needs the ones
     * before the newest, because a truncation of an uncommitted change must restore the previous
     * membership.
     */
    List<MembershipEntry> membershipHistory();

    /** The membership in force at the end of the durable log. */
    default Membership membership() {
        List<MembershipEntry> history = membershipHistory();
        return history.get(history.size() - 1).membership();
    }

    long startOffset();

    long endOffset();

    /** Term of the entry before {@link #startOffset()}; 0 if there is none. */
    long termBeforeStart();

    /**
     * Term of the entry holding {@code offset}, for {@code startOffset <= offset < endOffset};
     * for {@code offset == startOffset - 1}, {@link #termBeforeStart()}.
     */
    long termAt(long offset);

    /** Base offset of the entry holding {@code offset}, for {@code startOffset <= offset < endOffset}. */
    long entryBase(long offset);

    /**
     * Size in bytes of the application state compacted into the entries below
     * {@link #startOffset()}; 0 when there is none, or when the log itself is the state (a data
     * partition: a follower then starts its log at the leader's start and needs no bytes).
     */
    long snapshotSize();

    /**
     * The membership in force at {@link #startOffset()}: the snapshot's, or the bootstrap one.
     */
    Membership snapshotMembership();

    /**
     * Up to {@code maxBytes} of {@code snapshot}'s bytes from {@code position}, for a follower
     * that needs them; null if that snapshot is gone (a newer one replaced it). The current
     * snapshot is always readable; keeping a replaced one readable for a while lets a transfer
     * in progress finish instead of starting over with the newer one.
     */
    ByteBuffer readSnapshot(Snapshot snapshot, long position, int maxBytes);

    /**
     * Whole entries from {@code fromOffset} (an entry's base offset) up to but not past
     * {@code toOffset}, totalling at most {@code maxBytes} of payload, but always at least one.
     */
    List<Entry> entries(long fromOffset, long toOffset, long maxBytes);
}
