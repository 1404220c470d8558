package io.flotilla.raft;

import java.util.List;

/**
 * What a group asks its driver to do. {@code sendNow} never depends on anything unpersisted
 * (while the member's current term is not durable, its appends wait in
 * {@code sendAfterPersist}). The log writes (snapshot install included) and the hard state may
 * be made durable in either order, but both before {@code sendAfterPersist} goes out: the hard
 * state's commit end never covers entries this Ready truncates or the snapshot it installs. In
 * this order:
 * <ol>
 *   <li>send {@link #sendNow} at once (a leader's append requests: it writes its own log in
 *   parallel with replicating it);</li>
 *   <li>persist: if {@link #snapshotChunk} is not null, write its bytes at its position of
 *   the incoming snapshot (position 0 starts a new one), and if it is the last chunk, install the snapshot: the log becomes empty,
 *   starting at the snapshot's end, with the snapshot's term before it and its membership as
 *   the base; then, if {@link #truncateFrom} is not -1, remove every entry at or after that
 *   offset; append {@link #entries}; store {@link #hardState} if not null; fsync;</li>
 *   <li>send {@link #sendAfterPersist} (votes and acknowledgements: they promise what was just
 *   persisted);</li>
 *   <li>if a snapshot was installed, restore the state machine from it; then apply
 *   {@link #committed} to the state machine, in order;</li>
 *   <li>answer the reads of {@link #readStates} once the state machine has applied everything
 *   below their index (or refuse those not confirmed);</li>
 *   <li>call {@link RaftNode#advance(Ready)}.</li>
 * </ol>
 */
public record Ready(List<RaftMessage> sendNow, SnapshotChunk snapshotChunk, long truncateFrom, List<Entry> entries,
                    HardState hardState, List<RaftMessage> sendAfterPersist, List<Entry> committed,
                    List<ReadState> readStates) {
    public Ready {
        sendNow = List.copyOf(sendNow);
        entries = List.copyOf(entries);
        sendAfterPersist = List.copyOf(sendAfterPersist);
        committed = List.copyOf(committed);
        readStates = List.copyOf(readStates);
    }

    /** A Ready of log and hard-state work only: what simulations and tests persist piecemeal. */
    public Ready(List<RaftMessage> sendNow, long truncateFrom, List<Entry> entries, HardState hardState,
                 List<RaftMessage> sendAfterPersist, List<Entry> committed) {
        this(sendNow, null, truncateFrom, entries, hardState, sendAfterPersist, committed, List.of());
    }

    /** Whether there is anything to persist (and so an fsync to do). */
    public boolean mustPersist() {
        return snapshotChunk != null || truncateFrom >= 0 || !entries.isEmpty() || hardState != null;
    }

    /** Whether persisting this Ready installs a snapshot (its last chunk). */
    public boolean installsSnapshot() {
        return snapshotChunk != null && snapshotChunk.last();
    }
}
