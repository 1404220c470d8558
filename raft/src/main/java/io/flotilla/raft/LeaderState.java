package io.flotilla.raft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * A leader's state (Kafka's LeaderState): a progress record per other member, the quorum
 * arithmetic over them, reads waiting for a quorum to confirm this leadership, and a leadership
 * transfer in progress. Sending is the node's job.
 *
 * <p>Read index: each read waits for a confirmation round. Every message the leader sends
 * carries its current round and every answer echoes it; a read registered while round r is
 * current is confirmed once a quorum answered a message of round r + 1 or later, i.e. one sent
 * after the read arrived, so no newer leader existed when it was registered.
 */
final class LeaderState implements RoleState {
    final Map<MemberId, Progress> progress = new TreeMap<>();
    /** Offset of this term's no-op entry: once committed, the leader may change membership (thesis §4.1 fix). */
    final long termStartOffset;
    MemberId transferTarget;
    int transferElapsedTicks;
    /** The confirmation round every message sent now carries. */
    long round;
    private final ArrayDeque<PendingRead> reads = new ArrayDeque<>();
    /** Reads that arrived before this leader committed an entry of its term: its commit end was not yet known to be current. */
    private final List<Long> readsBeforeTermCommit = new ArrayList<>();

    private record PendingRead(long requestId, long index, long round) {
    }

    LeaderState(long termStartOffset) {
        this.termStartOffset = termStartOffset;
    }

    @Override
    public Role role() {
        return Role.LEADER;
    }

    /** Follows a membership change: progress for each new member (starting at the log end), none for removed ones. */
    void trackMembers(Membership membership, MemberId self, long logEnd) {
        progress.keySet().removeIf(m -> !membership.isMember(m));
        for (MemberId member : membership.members()) {
            if (!member.equals(self)) {
                progress.computeIfAbsent(member, m -> {
                    Progress p = new Progress(logEnd);
                    p.setRecentActive(true); // a newcomer (or a fresh leader's follower) gets one check-quorum period
                    return p;
                });
            }
        }
    }

    /** The end a quorum of voters holds durably; the leader counts with {@code ownStableEnd}. */
    long majorityEnd(Membership membership, MemberId self, long ownStableEnd) {
        return quorumValue(membership, self, ownStableEnd, Progress::matchEnd);
    }

    /** The highest value a quorum of voters has reached, the leader counting with {@code own}. */
    private long quorumValue(Membership membership, MemberId self, long own, ToLongFunction<Progress> value) {
        long[] values = new long[membership.voters().size()];
        int i = 0;
        for (MemberId voter : membership.voters()) {
            values[i++] = voter.equals(self) ? own : value.applyAsLong(progress.get(voter));
        }
        Arrays.sort(values);
        return values[values.length - membership.quorum()];
    }

    /**
     * Registers a read: if an entry of this term is committed ({@code commitEnd} is current), it
     * waits for the next round, else until one is.
     */
    void addRead(long requestId, long commitEnd) {
        if (commitEnd > termStartOffset) {
            reads.add(new PendingRead(requestId, commitEnd, round + 1));
        } else {
            readsBeforeTermCommit.add(requestId);
        }
    }

    /** This leader committed an entry of its term: reads that waited for it now wait for a round. */
    void termCommitted(long commitEnd) {
        for (long requestId : readsBeforeTermCommit) {
            addRead(requestId, commitEnd);
        }
        readsBeforeTermCommit.clear();
    }

    /** Whether a read registered since the round last advanced waits for the next one to start. */
    boolean roundWanted() {
        return !reads.isEmpty() && reads.peekLast().round() > round;
    }

    /** Starts the next round if a read waits for it; returns whether it did (heartbeats must then carry it). */
    boolean startWantedRound() {
        if (!roundWanted()) {
            return false;
        }
        round++;
        return true;
    }

    /** Moves the reads a quorum has confirmed to {@code out}. */
    void confirmReads(Membership membership, MemberId self, List<ReadState> out) {
        if (reads.isEmpty()) {
            return; // the common case, on every answer: no quorum to compute
        }
        long confirmed = quorumValue(membership, self, round, Progress::confirmedRound);
        while (!reads.isEmpty() && reads.peek().round() <= confirmed) {
            PendingRead read = reads.poll();
            out.add(new ReadState(read.requestId(), read.index()));
        }
    }

    /** Whether a read waits for a confirmation round: a quiet leader would leave it waiting. */
    boolean readsWaiting() {
        return !reads.isEmpty();
    }

    /** Leadership is lost: every waiting read fails. */
    void failReads(List<ReadState> out) {
        for (PendingRead read : reads) {
            out.add(ReadState.failed(read.requestId()));
        }
        for (long requestId : readsBeforeTermCommit) {
            out.add(ReadState.failed(requestId));
        }
        reads.clear();
        readsBeforeTermCommit.clear();
    }

    /** Whether a quorum of voters was heard from since the last call (which starts a new period). */
    boolean quorumActive(Membership membership, MemberId self) {
        boolean active = quorumHeardFrom(membership, self);
        forgetActivity();
        return active;
    }

    /** Whether a quorum of voters (this leader included, if it votes) was heard from in this period. */
    boolean quorumHeardFrom(Membership membership, MemberId self) {
        int heard = membership.isVoter(self) ? 1 : 0;
        for (Map.Entry<MemberId, Progress> e : progress.entrySet()) {
            if (e.getValue().recentActive() && membership.isVoter(e.getKey())) {
                heard++;
            }
        }
        return heard >= membership.quorum();
    }

    /** Starts a check-quorum period with nobody heard from. */
    void forgetActivity() {
        for (Progress p : progress.values()) {
            p.setRecentActive(false);
        }
    }
}
