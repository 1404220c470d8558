package io.flotilla.raft;

import java.util.List;

/**
 * The durable side of one group's log, as Raft reads it. Raft never writes through this
 * interface: it asks for writes in a {@link Ready}, which the driver performs. In production
 * the broker implements it over the partition log and the node store; {@link MemoryStorage}
 * serves tests and the simulation.
 *
 * <p>Offsets: the log holds entries covering {@code [startOffset, endOffset)}; entries below the
 * start were compacted into a snapshot whose last entry had term {@link #termBeforeStart()}.
 */
public interface RaftStorage {
    /** The hard state persisted last (or {@link HardState#INITIAL}). */
    HardState hardState();

    /** The membership in force at the end of the durable log: its last membership entry, else the snapshot's or the bootstrap one. */
    Membership membership();

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
     * Whole entries from {@code fromOffset} (an entry's base offset) up to but not past
     * {@code toOffset}, totalling at most {@code maxBytes} of payload, but always at least one.
     */
    List<Entry> entries(long fromOffset, long toOffset, long maxBytes);
}
