package io.flotilla.raft;

import java.util.List;

/**
 * What a group asks its driver to do. {@code sendNow} never depends on anything unpersisted
 * (while the member's current term is not durable, its appends wait in
 * {@code sendAfterPersist}). The log writes and the hard state may be made durable in either
 * order, but both before {@code sendAfterPersist} goes out: the hard state's commit end never
 * covers entries this Ready truncates. In this order:
 * <ol>
 *   <li>send {@link #sendNow} at once (a leader's append requests: it writes its own log in
 *   parallel with replicating it);</li>
 *   <li>persist: if {@link #truncateFrom} is not -1, remove every entry at or after that offset;
 *   append {@link #entries}; store {@link #hardState} if not null; fsync;</li>
 *   <li>send {@link #sendAfterPersist} (votes and acknowledgements: they promise what was just
 *   persisted);</li>
 *   <li>apply {@link #committed} to the state machine, in order;</li>
 *   <li>call {@link RaftNode#advance(Ready)}.</li>
 * </ol>
 */
public record Ready(List<RaftMessage> sendNow, long truncateFrom, List<Entry> entries, HardState hardState,
                    List<RaftMessage> sendAfterPersist, List<Entry> committed) {
    public Ready {
        sendNow = List.copyOf(sendNow);
        entries = List.copyOf(entries);
        sendAfterPersist = List.copyOf(sendAfterPersist);
        committed = List.copyOf(committed);
    }

    /** Whether there is anything to persist (and so an fsync to do). */
    public boolean mustPersist() {
        return truncateFrom >= 0 || !entries.isEmpty() || hardState != null;
    }
}
