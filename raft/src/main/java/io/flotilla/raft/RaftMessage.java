package io.flotilla.raft;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Messages between members of one group. Every message carries the sender's term; a member
 * that sees a higher term steps down to follower of it (except for pre-votes, which never
 * change terms). Offsets are the partition's offsets; "end" means one past the last offset.
 */
public sealed interface RaftMessage {
    long groupId();

    MemberId from();

    MemberId to();

    long term();

    /**
     * Replicates entries (or, with none, is a heartbeat). The follower's log must hold an entry
     * ending at {@code prevEnd} with term {@code prevTerm} (or {@code prevEnd} is its start and
     * {@code prevTerm} the term before it) for the entries to be accepted. {@code round} is the
     * leader's confirmation round when it sent this; the answer echoes it, so the leader learns
     * which of its rounds a quorum has seen it lead (read index).
     */
    record AppendRequest(long groupId, MemberId from, MemberId to, long term, long prevEnd, long prevTerm,
                         List<Entry> entries, long commitEnd, long round) implements RaftMessage {
        public AppendRequest {
            entries = List.copyOf(entries);
        }
    }

    /**
     * The answer to an {@link AppendRequest}. On success, the follower's log matches the
     * leader's up to {@code matchEnd}, durably. On rejection, {@code matchEnd} repeats the
     * rejected {@code prevEnd} (so the leader can ignore stale rejections), and {@code hintEnd}
     * and {@code hintTerm} let it skip a whole divergent term at once: the follower's log ends
     * at {@code hintEnd} (if it is shorter than {@code prevEnd}; then {@code hintTerm} is 0), or
     * holds term {@code hintTerm} at {@code prevEnd - 1} and that term's run begins at {@code hintEnd}.
     * {@code round} echoes the request's. {@code recovering} says the follower's log lost
     * entries it may have acknowledged (see {@link HardState#recoveringTo()}): its rejection is
     * then news even at or below what the leader counted it as holding, and the hint tells
     * where its log really ends.
     */
    record AppendResponse(long groupId, MemberId from, MemberId to, long term, boolean success, long matchEnd,
                          long hintEnd, long hintTerm, long round, boolean recovering) implements RaftMessage {
        /** An answer from a follower that is not recovering. */
        public AppendResponse(long groupId, MemberId from, MemberId to, long term, boolean success, long matchEnd,
                              long hintEnd, long hintTerm, long round) {
            this(groupId, from, to, term, success, matchEnd, hintEnd, hintTerm, round, false);
        }
    }

    /**
     * Part of the leader's snapshot, for a follower that needs entries the leader compacted
     * away: {@code data} belongs at {@code position} of the snapshot's bytes. Chunks go one at a
     * time; the last one installs the snapshot. A transfer belongs to one leader: a chunk at
     * position 0 starts it. {@code round} as in {@link AppendRequest}.
     */
    record InstallSnapshot(long groupId, MemberId from, MemberId to, long term, Snapshot snapshot, long position,
                           ByteBuffer data, long round) implements RaftMessage {
        public InstallSnapshot {
            data = data.asReadOnlyBuffer();
        }
    }

    /**
     * The answer to the {@link InstallSnapshot} chunk at {@code position}: the follower durably
     * holds the first {@code received} bytes of this leader's transfer of the snapshot ending at
     * {@code end}, and the leader sends from there. When {@code received} is the snapshot's size,
     * the snapshot is installed. (A follower that turns out not to need the snapshot answers
     * with an {@link AppendResponse}.) {@code position} lets the leader ignore duplicated and
     * late answers; {@code round} echoes the chunk's.
     */
    record SnapshotResponse(long groupId, MemberId from, MemberId to, long term, long end, long position,
                            long received, long round) implements RaftMessage {
    }

    /**
     * Asks for a vote. A pre-vote ({@code preVote}) asks "would you vote for me at
     * {@code term}?" without anyone changing term, so a member that was cut off cannot depose a
     * healthy leader when it returns. {@code transfer} marks a campaign the leader asked for
     * (leadership transfer): members then vote even if they heard from that leader recently.
     */
    record VoteRequest(long groupId, MemberId from, MemberId to, long term, long lastEnd, long lastTerm,
                       boolean preVote, boolean transfer) implements RaftMessage {
    }

    record VoteResponse(long groupId, MemberId from, MemberId to, long term, boolean granted, boolean preVote)
            implements RaftMessage {
    }

    /** The leader tells a caught-up transfer target to campaign now, skipping pre-vote. */
    record TimeoutNow(long groupId, MemberId from, MemberId to, long term) implements RaftMessage {
    }

    /**
     * The leader has nothing to replicate and stops needing ticks: its log ends at {@code end}
     * (an entry of {@code term}), everything up to there is committed, and every live member
     * acknowledged it. A follower whose log also ends at {@code end} with an entry of this term
     * holds the same log (log matching), so it may take {@code end} as its commit end and go
     * quiet too ({@link RaftNode#tryQuiesce}). Quiescence affects liveness, never safety.
     */
    record Quiesce(long groupId, MemberId from, MemberId to, long term, long end) implements RaftMessage {
    }
}
