package io.flotilla.raft;

import io.flotilla.raft.RaftMessage.AppendRequest;
import io.flotilla.raft.RaftMessage.AppendResponse;
import io.flotilla.raft.RaftMessage.InstallSnapshot;
import io.flotilla.raft.RaftMessage.SnapshotResponse;
import io.flotilla.raft.RaftMessage.TimeoutNow;
import io.flotilla.raft.RaftMessage.VoteRequest;
import io.flotilla.raft.RaftMessage.VoteResponse;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * One member of one Raft group, as a deterministic state machine (the etcd-io/raft model):
 * inputs are {@link #tick()}, {@link #step(RaftMessage)}, {@link #propose} and
 * {@link #advance(Ready)}; the output is a {@link Ready} describing what to persist, send and
 * apply. No threads, clocks, sockets or files: the same code runs under the real driver and
 * under the seeded simulation. Not thread-safe: one driver thread owns a node.
 *
 * <p>Implemented: elections with randomized timeouts, pre-vote, refusal of votes while a live
 * leader is known (so a rejoining member cannot depose it), check-quorum, a no-op entry per
 * term and commitment only by counting entries of the current term (§5.4.2); replication with
 * probing, pipelined appends under in-flight limits, and conflict backtracking one term at a time;
 * proposals batched into append requests; single-voter membership changes with learners;
 * leadership transfer; snapshots sent in chunks to followers that need compacted entries (or,
 * with an empty snapshot, a follower's log restarted at the leader's log start); read index;
 * recovery of entries the storage lost.
 *
 * <p><b>Recovering lost entries</b> (the reasoning of Protocol-Aware Recovery, Alagappan et al.,
 * FAST 2018). When the storage finds damage no crash explains (a flipped bit, a file cut short),
 * it cuts the log before the first bad entry and records in the hard state
 * ({@link HardState#recoveringTo()}) an end at least as far as anything this member may have
 * acknowledged. The member lost entries that may be committed because it acknowledged them: if
 * it voted as before, a candidate lacking them could win with its vote and they would be lost.
 * So while recovering it grants no vote or pre-vote and never campaigns (a leader's
 * {@code TimeoutNow} included); at its election timeout it only asks for pre-votes, which
 * changes nobody's term but wakes quiet members, so a group whose leader vanished elects another
 * and a quiet leader catches this member up. It still takes appends and snapshots from a leader
 * and acknowledges what it truly holds, and its rejections say it is recovering, so a leader
 * that counted it as holding more forgets that and sends the entries again. Recovery ends once
 * the log is known to match a leader's up to the recorded end (an append or a snapshot reaching
 * it), or to hold a leader's whole log (a {@code Quiesce} from it), and that much of it is
 * durable. Every entry committed with this member's acknowledgement lies below the recorded end
 * and is in every leader's log (leader completeness holds without this member's vote), so the
 * member then holds them all again and votes as any member. A group that needs this member's
 * vote for a majority waits for a leader that can catch it up: unavailable rather than wrong.
 */
public final class RaftNode {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private final long groupId;
    private final MemberId self;
    private final RaftConfig config;
    private final RandomGenerator random;
    private final RaftLog log;
    private final MembershipHistory memberships;

    private RoleState state = new RoleState.Follower();
    private long term;
    private MemberId votedFor;
    private MemberId leader;
    private long commitEnd;
    private long appliedEnd;
    private int electionElapsed;
    private int randomizedElectionTimeout;
    private int heartbeatElapsed;
    private boolean broadcastPending;

    private final List<RaftMessage> sendNow = new ArrayList<>();
    private final List<RaftMessage> sendAfterPersist = new ArrayList<>();
    private final List<ReadState> readStates = new ArrayList<>();
    /** A received snapshot chunk the next Ready persists (and, if it is the last, installs). */
    private SnapshotChunk incomingChunk;
    /** The transfer this follower is receiving (a snapshot from the leader of a term), and how many of its bytes it holds. */
    private Snapshot receiving;
    private long receivingTerm;
    private long received;
    private HardState persistedHardState;
    private Ready outstanding;
    /** {@link HardState#NOT_RECOVERING}, or the end this member must hold again before it votes (see the class comment). */
    private long recoveringTo;
    /**
     * While recovering: the end this member's log was seen to match a leader's up to (capped at
     * {@code recoveringTo}, or a leader's whole log); recovery ends once it is durable. -1 until seen.
     */
    private long recoveryTarget = -1;

    /** Starts (or restarts) a member from what its storage holds, as a follower. */
    public RaftNode(long groupId, MemberId self, RaftConfig config, RaftStorage storage, RandomGenerator random) {
        this.groupId = groupId;
        this.self = self;
        this.config = config;
        this.random = random;
        this.log = new RaftLog(storage);
        this.memberships = new MembershipHistory(storage.membershipHistory());
        HardState hs = storage.hardState();
        this.persistedHardState = hs;
        this.term = hs.term();
        this.votedFor = hs.votedFor();
        this.recoveringTo = hs.recoveringTo();
        // Entries below the start were compacted into a snapshot, which holds only committed ones.
        this.commitEnd = Math.max(storage.startOffset(), Math.min(hs.commitEnd(), storage.endOffset()));
        // The application rebuilds from its snapshot, so committed entries are handed over again from the start.
        this.appliedEnd = storage.startOffset();
        resetElectionTimer();
    }

    // ---------------------------------------------------------------- inputs

    /** Advances logical time by one tick; a quiet member's clock stands still ({@link #tryQuiesce}). */
    public void tick() {
        if (quiet) {
            return;
        }
        if (state instanceof LeaderState leaderState) {
            tickLeader(leaderState);
        } else {
            electionElapsed++;
            if (electionElapsed >= randomizedElectionTimeout && mayCampaign()) {
                campaign(config.preVote() || recovering(), false); // a recovering member only asks, to wake the others
            }
        }
    }

    private void tickLeader(LeaderState leaderState) {
        heartbeatElapsed++;
        electionElapsed++;
        if (electionElapsed >= config.electionTimeoutTicks()) {
            electionElapsed = 0;
            if (config.checkQuorum() && !leaderState.quorumActive(memberships.current(), self)) {
                becomeFollower(term, null);
                return;
            }
        }
        if (leaderState.transferTarget != null && ++leaderState.transferElapsedTicks >= config.electionTimeoutTicks()) {
            leaderState.transferTarget = null; // the target did not take over in time: carry on leading
        }
        if (heartbeatElapsed >= config.heartbeatTicks()) {
            heartbeatElapsed = 0;
            sendHeartbeats(leaderState, true);
        }
    }

    /**
     * A heartbeat to every member, carrying a new confirmation round first if reads wait for
     * one (so a tick and a flush never send two heartbeats for one round).
     */
    private void sendHeartbeats(LeaderState leaderState, boolean intervalPassed) {
        boolean newRound = leaderState.startWantedRound();
        for (Map.Entry<MemberId, Progress> e : leaderState.progress.entrySet()) {
            if (intervalPassed) {
                e.getValue().onHeartbeatInterval(config);
            }
            sendHeartbeat(e.getKey(), e.getValue());
        }
        if (newRound) {
            leaderState.confirmReads(memberships.current(), self, readStates); // a single voter confirms at once
        }
    }

    /**
     * Delivers a message addressed to this member of this group.
     *
     * @throws IllegalArgumentException for a message of another group or member
     */
    public void step(RaftMessage m) {
        if (m.groupId() != groupId || !m.to().equals(self)) {
            throw new IllegalArgumentException("message for group " + m.groupId() + " member " + m.to()
                    + " delivered to group " + groupId + " member " + self);
        }
        if (quiet && wakesQuietMember(m)) {
            wake();
        }
        if (m.term() > term && !acceptHigherTerm(m)) {
            return;
        }
        if (m.term() < term) {
            answerStaleTerm(m);
            return;
        }
        if (m instanceof AppendRequest r) {
            handleAppend(r);
        } else if (m instanceof AppendResponse r) {
            if (state instanceof LeaderState leaderState) {
                handleAppendResponse(leaderState, r);
            }
        } else if (m instanceof VoteRequest r) {
            handleVoteRequest(r);
        } else if (m instanceof VoteResponse r) {
            handleVoteResponse(r);
        } else if (m instanceof InstallSnapshot r) {
            handleInstallSnapshot(r);
        } else if (m instanceof SnapshotResponse r) {
            if (state instanceof LeaderState leaderState) {
                handleSnapshotResponse(leaderState, r);
            }
        } else if (m instanceof TimeoutNow) {
            if (memberships.current().isVoter(self) && !(state instanceof LeaderState) && !recovering()) {
                campaign(false, true);
            }
        } else if (m instanceof RaftMessage.Quiesce q) {
            handleQuiesce(q);
        }
    }

    /**
     * A message from a higher term: step down to follower of it, unless it is a vote request
     * while a live leader is known (refused, so a member that was cut off cannot disrupt) or a
     * pre-vote exchange (which never changes terms).
     *
     * @return whether to go on processing the message
     */
    private boolean acceptHigherTerm(RaftMessage m) {
        if (m instanceof VoteRequest r) {
            if (!r.transfer() && inLease()) {
                reply(new VoteResponse(groupId, self, r.from(), term, false, r.preVote()));
                return false;
            }
            if (r.preVote()) {
                return true;
            }
            becomeFollower(m.term(), null);
            return true;
        }
        if (m instanceof VoteResponse r && r.preVote() && r.granted()) {
            return true; // granted pre-votes carry the term asked about, not the voter's
        }
        boolean fromLeader = m instanceof AppendRequest || m instanceof InstallSnapshot || m instanceof TimeoutNow;
        becomeFollower(m.term(), fromLeader ? m.from() : null);
        return true;
    }

    /**
     * Whether a live leader is known: heard from within the election timeout, or this member
     * leads. Only with check-quorum: otherwise a leader cut off from a majority never steps down,
     * and a lease on it would block elections for good.
     */
    private boolean inLease() {
        if (!config.checkQuorum()) {
            return false;
        }
        if (state instanceof LeaderState) {
            return true;
        }
        return leader != null && electionElapsed < config.electionTimeoutTicks();
    }

    private void answerStaleTerm(RaftMessage m) {
        if (m instanceof AppendRequest r) {
            // Tells a deposed leader (still sending, e.g. after a partition) that a newer term exists.
            reply(new AppendResponse(groupId, self, r.from(), term, false, r.prevEnd(), 0, 0, r.round()));
        } else if (m instanceof InstallSnapshot r) {
            reply(new SnapshotResponse(groupId, self, r.from(), term, r.snapshot().end(), r.position(), 0, r.round()));
        } else if (m instanceof VoteRequest r) {
            reply(new VoteResponse(groupId, self, r.from(), term, false, r.preVote()));
        } else if (m instanceof RaftMessage.Quiesce q) {
            // A deposed leader that went quiet would otherwise go on believing it leads. (A
            // Quiesce carries no round: a leader with reads waiting does not quiesce.)
            reply(new AppendResponse(groupId, self, q.from(), term, false, q.end(), 0, 0, 0));
        }
    }

    /**
     * Proposes a data entry of {@code recordCount} records; the leader gives it the next offsets
     * and its term. It is committed once a majority holds it durably.
     *
     * @return the entry as it will appear in the log
     * @throws NotLeaderException if this member is not the leader, or is handing leadership over
     */
    public Entry propose(ByteBuffer payload, int recordCount) {
        requireLeader();
        Entry entry = new Entry(log.endOffset(), recordCount, term, Entry.Type.DATA, payload);
        log.append(entry);
        broadcastPending = true;
        return entry;
    }

    /**
     * Proposes a membership change: one voter added (promoted from learner) or removed, or a
     * learner added or removed. It takes effect on each member as soon as it is appended.
     *
     * @throws IllegalStateException if another change is not committed yet, or this leader has
     *                               not committed an entry of its term yet
     * @throws IllegalArgumentException if more than one voter would change
     */
    public Entry proposeMembership(Membership next) {
        LeaderState leaderState = requireLeader();
        if (commitEnd <= leaderState.termStartOffset) {
            throw new IllegalStateException("this leader has not committed an entry of term " + term
                    + " yet; a membership change must wait for it");
        }
        if (memberships.latestOffset() >= commitEnd) {
            throw new IllegalStateException("the membership change at offset " + memberships.latestOffset()
                    + " is not committed yet (commit end " + commitEnd + ")");
        }
        Membership current = memberships.current();
        long changedVoters = current.voters().stream().filter(v -> !next.isVoter(v)).count()
                + next.voters().stream().filter(v -> !current.isVoter(v)).count();
        if (changedVoters > 1) {
            throw new IllegalArgumentException("a membership change may add or remove one voter at a time; " + current
                    + " -> " + next + " changes " + changedVoters);
        }
        Entry entry = new Entry(log.endOffset(), 1, term, Entry.Type.MEMBERSHIP, next.encode());
        appendEntry(entry);
        broadcastPending = true;
        return entry;
    }

    /**
     * Hands leadership to {@code target}: once its log is caught up, it is told to campaign at
     * once. Proposals are refused meanwhile; after an election timeout without a new leader,
     * this one carries on.
     */
    public void transferLeadership(MemberId target) {
        LeaderState leaderState = requireLeader();
        if (target.equals(self)) {
            return;
        }
        if (!memberships.current().isVoter(target)) {
            throw new IllegalArgumentException(target + " is not a voter of group " + groupId);
        }
        leaderState.transferTarget = target;
        leaderState.transferElapsedTicks = 0;
        Progress p = leaderState.progress.get(target);
        if (!timeoutNowIfCaughtUp(target, p)) {
            sendAppend(target, p, true); // catch it up now; its acknowledgement triggers the hand-over
        }
    }

    /**
     * Campaigns now instead of when the election timer runs out (with pre-vote when configured,
     * so votes go as after a timeout): for an application that knows which member should lead a
     * new group first. Does nothing on a leader, on a member that knows a leader of its term, on
     * one already campaigning (a second campaign would abandon the first's votes for a higher
     * term), or on one that may not campaign or is recovering lost entries.
     */
    public void campaignNow() {
        if (state instanceof LeaderState || state instanceof RoleState.PreCandidate
                || state instanceof RoleState.Candidate || leader != null || !mayCampaign() || recovering()) {
            return;
        }
        wake();
        campaign(config.preVote(), false);
    }

    /**
     * Asks for a linearizable read point (read index, Raft thesis §6.4): once a quorum has
     * confirmed this member still leads, a {@link ReadState} with the commit end as of now comes
     * out in a {@link Ready}. A new leader first commits an entry of its term. If leadership is
     * lost first, the ReadState comes out unconfirmed.
     *
     * <p>Without check-quorum, a leader cut off from the quorum never steps down, so its reads
     * wait until it hears of a newer term.
     *
     * @param requestId the caller's identifier, returned in the ReadState
     * @throws NotLeaderException if this member is not the leader, or is handing leadership over
     */
    public void readIndex(long requestId) {
        requireLeader().addRead(requestId, commitEnd);
    }

    private LeaderState requireLeader() {
        if (state instanceof LeaderState leaderState) {
            if (leaderState.transferTarget != null) {
                throw new NotLeaderException(self, leaderState.transferTarget, "leadership transfer in progress");
            }
            wake(); // every leader-only operation gives the followers something to hear
            return leaderState;
        }
        throw new NotLeaderException(self, leader, null);
    }

    // ---------------------------------------------------------------- Ready / advance

    /**
     * Whether {@link #ready()} has work. A leader's append requests are built here, lazily, so
     * that proposals made since the last Ready travel together.
     */
    public boolean hasReady() {
        if (outstanding != null) {
            return false;
        }
        flushBroadcast();
        return hasWork();
    }

    /** Something to send, persist, apply or answer (after the leader's pending broadcast was built). */
    private boolean hasWork() {
        return !sendNow.isEmpty() || !sendAfterPersist.isEmpty() || log.hasUnpersisted() || hardStateChanged()
                || appliedEnd < applicableEnd() || incomingChunk != null || !readStates.isEmpty();
    }

    /**
     * Takes what the driver must do now; call only when {@link #hasReady()}, and call
     * {@link #advance(Ready)} before the next one.
     */
    public Ready ready() {
        if (!hasReady()) {
            throw new IllegalStateException(outstanding != null ? "the previous Ready was not advanced yet"
                    : "nothing is ready; check hasReady() first");
        }
        if (incomingChunk != null && incomingChunk.last()) {
            installSnapshot(incomingChunk.snapshot());
        }
        long applicable = applicableEnd();
        List<Entry> committed = appliedEnd < applicable
                ? log.entries(appliedEnd, applicable, config.maxCommittedBytesPerReady()) : List.of();
        // The stored commit end stays within the durable, matching prefix: whatever order the
        // driver makes the log and the hard state durable in, it never covers a truncated tail.
        // While a snapshot install is not durable, the stored commit end stays where it was: it
        // must not cover the old log's tail if the hard state is durable first and we crash.
        long durableCommitEnd = log.installing() ? persistedHardState.commitEnd() : Math.min(commitEnd, log.stableEnd());
        HardState hs = hardStateChanged() ? new HardState(term, votedFor, durableCommitEnd, recoveringTo) : null;
        if (persistedHardState.term() != term) {
            // Appends carry the current term: they must not reach anyone before it is durable here.
            sendAfterPersist.addAll(0, sendNow);
            sendNow.clear();
        }
        outstanding = new Ready(sendNow, incomingChunk, log.pendingTruncation(), log.unstableEntries(), hs,
                sendAfterPersist, committed, readStates);
        sendNow.clear();
        sendAfterPersist.clear();
        readStates.clear();
        incomingChunk = null;
        return outstanding;
    }

    /** The driver persisted, sent and applied {@code ready}. */
    public void advance(Ready ready) {
        if (ready != outstanding) {
            throw new IllegalArgumentException("advance() must be given the Ready last returned by ready()");
        }
        outstanding = null;
        if (ready.installsSnapshot()) {
            log.snapshotPersisted(ready.snapshotChunk().snapshot());
        }
        log.stableTo(ready.truncateFrom(), ready.entries());
        if (ready.hardState() != null) {
            persistedHardState = ready.hardState();
        }
        maybeEndRecovery();
        if (!ready.committed().isEmpty()) {
            appliedEnd = ready.committed().get(ready.committed().size() - 1).nextOffset();
        }
        if (state instanceof LeaderState leaderState) {
            maybeCommit(leaderState); // the leader's own log counts once durable
        }
    }

    /** Committed entries are applied only once durable here too. */
    private long applicableEnd() {
        return Math.min(commitEnd, log.stableEnd());
    }

    /**
     * Term and vote must be durable before they are acted on; the commit end rides along (a lower
     * bound is enough). The end of a recovery is written too, though it may be lost: a member
     * that restarts still recovering only waits longer.
     */
    private boolean hardStateChanged() {
        return persistedHardState.term() != term || !Objects.equals(persistedHardState.votedFor(), votedFor)
                || persistedHardState.recoveringTo() != recoveringTo;
    }

    private void flushBroadcast() {
        if (!(state instanceof LeaderState leaderState)) {
            return;
        }
        if (broadcastPending) {
            broadcastPending = false;
            for (Map.Entry<MemberId, Progress> e : leaderState.progress.entrySet()) {
                sendAppend(e.getKey(), e.getValue(), false);
            }
        }
        if (leaderState.roundWanted()) {
            sendHeartbeats(leaderState, false); // one round for every read registered since the last
        }
    }

    // ---------------------------------------------------------------- elections

    private void campaign(boolean preVote, boolean transfer) {
        VoteTally votes = new VoteTally();
        long electionTerm;
        if (preVote) {
            state = new RoleState.PreCandidate(votes);
            electionTerm = term + 1;
        } else {
            term++;
            votedFor = self;
            state = new RoleState.Candidate(votes);
            electionTerm = term;
        }
        leader = null;
        resetElectionTimer();
        votes.record(self, true);
        if (votes.outcome(memberships.current()) == VoteTally.Outcome.WON) {
            electionWon(preVote);
            return;
        }
        for (MemberId voter : memberships.current().voters()) {
            if (!voter.equals(self)) {
                // After the term and vote are durable: a vote asked for must not be forgotten by a crash.
                sendAfterPersist.add(new VoteRequest(groupId, self, voter, electionTerm, log.endOffset(), log.lastTerm(),
                        preVote, transfer));
            }
        }
    }

    /**
     * A voter of the latest membership may campaign; so may a member whose latest membership is
     * its own removal while that is not known to be committed: its log may be the only one
     * holding the change, so the remaining voters may need it to lead (Raft thesis §4.2.2). It
     * counts votes by its latest membership like any candidate, so election safety is the usual.
     */
    private boolean mayCampaign() {
        return memberships.current().isVoter(self)
                || (memberships.latestOffset() >= commitEnd && memberships.previous().isVoter(self));
    }

    private void electionWon(boolean preVote) {
        if (recovering()) {
            becomeFollower(term, null); // its pre-vote only woke the others
        } else if (preVote) {
            campaign(false, false);
        } else {
            becomeLeader();
        }
    }

    private void handleVoteRequest(VoteRequest r) {
        boolean canVote = r.preVote() ? r.term() > term
                : r.from().equals(votedFor) || (votedFor == null && leader == null);
        boolean upToDate = r.lastTerm() > log.lastTerm()
                || (r.lastTerm() == log.lastTerm() && r.lastEnd() >= log.endOffset());
        // Whatever this member's own membership says: a learner promoted by an entry it has not
        // received yet must vote, or a group that needs it stays leaderless (etcd-io/etcd#10998).
        // Only the candidate's membership decides whose votes count. A recovering member's log may
        // lack entries it acknowledged, so it cannot judge who is up to date: it grants nothing.
        boolean grant = canVote && upToDate && !recovering();
        if (grant && !r.preVote()) {
            votedFor = r.from();
            electionElapsed = 0;
        }
        reply(new VoteResponse(groupId, self, r.from(), grant && r.preVote() ? r.term() : term, grant, r.preVote()));
    }

    private void handleVoteResponse(VoteResponse r) {
        VoteTally votes;
        if (state instanceof RoleState.PreCandidate pre && r.preVote()) {
            votes = pre.votes();
        } else if (state instanceof RoleState.Candidate candidate && !r.preVote()) {
            votes = candidate.votes();
        } else {
            return;
        }
        votes.record(r.from(), r.granted());
        switch (votes.outcome(memberships.current())) {
            case WON -> electionWon(r.preVote());
            case LOST -> becomeFollower(term, null);
            case PENDING -> { }
        }
    }

    private void becomeFollower(long newTerm, MemberId newLeader) {
        if (state instanceof LeaderState leaderState) {
            leaderState.failReads(readStates);
        }
        if (newTerm > term) {
            term = newTerm;
            votedFor = null;
        }
        state = new RoleState.Follower();
        leader = newLeader;
        resetElectionTimer();
    }

    private void becomeLeader() {
        LeaderState leaderState = new LeaderState(log.endOffset());
        state = leaderState;
        leader = self;
        heartbeatElapsed = 0;
        electionElapsed = 0;
        leaderState.trackMembers(memberships.current(), self, log.endOffset());
        // Committing this entry of the new term commits every earlier entry with it (§5.4.2).
        appendEntry(new Entry(log.endOffset(), 1, term, Entry.Type.NOOP, EMPTY));
        broadcastPending = true;
    }

    private void resetElectionTimer() {
        electionElapsed = 0;
        randomizedElectionTimeout = config.electionTimeoutTicks() + random.nextInt(config.electionTimeoutTicks());
    }

    // ---------------------------------------------------------------- replication: follower side

    /** A message from this term's leader: follow it, and its liveness restarts the election timer. */
    private void followLeader(MemberId from) {
        if (!(state instanceof RoleState.Follower)) {
            if (state instanceof LeaderState) {
                throw new IllegalStateException("two leaders in term " + term + ": " + self + " and " + from);
            }
            becomeFollower(term, from);
        }
        leader = from;
        electionElapsed = 0;
    }

    private void handleAppend(AppendRequest r) {
        followLeader(r.from());
        if (incomingChunk != null && incomingChunk.last()) {
            return; // judged against a log the next Ready replaces; the leader sends again
        }
        if (r.prevEnd() < commitEnd) {
            // Everything below the commit end already matches every leader's log.
            matchedLeaderThrough(commitEnd, false);
            reply(new AppendResponse(groupId, self, r.from(), term, true, commitEnd, 0, 0, r.round()));
            return;
        }
        if (!log.matches(r.prevEnd(), r.prevTerm())) {
            rejectAppend(r);
            return;
        }
        long end = r.prevEnd();
        for (Entry e : r.entries()) {
            if (e.baseOffset() < log.endOffset()) {
                if (log.termAt(e.baseOffset()) == e.term()) {
                    end = e.nextOffset(); // already held: same offset and term means the same entry
                    continue;
                }
                if (e.baseOffset() < commitEnd) {
                    throw new IllegalStateException("leader " + r.from() + " would overwrite committed offset "
                            + e.baseOffset() + " (commit end " + commitEnd + ")");
                }
                log.truncateFrom(e.baseOffset());
                memberships.truncateFrom(e.baseOffset());
                if (e.baseOffset() < recoveryTarget) {
                    recoveryTarget = -1; // what was seen to match is gone
                }
            }
            appendEntry(e);
            end = e.nextOffset();
        }
        matchedLeaderThrough(end, false);
        commitEnd = Math.max(commitEnd, Math.min(r.commitEnd(), end));
        reply(new AppendResponse(groupId, self, r.from(), term, true, end, 0, 0, r.round()));
    }

    /** Rejects with a hint that lets the leader skip this member's whole divergent term at once. */
    private void rejectAppend(AppendRequest r) {
        RaftLog.ConflictHint hint = log.conflictHint(r.prevEnd());
        reply(new AppendResponse(groupId, self, r.from(), term, false, r.prevEnd(), hint.end(), hint.term(),
                r.round(), recovering()));
    }

    /**
     * Takes a chunk of the leader's snapshot if it is the next one of this leader's transfer
     * (position 0 starts one); the next Ready persists it, and if it is the last, installs the
     * snapshot. One chunk is taken at a time: others that arrive meanwhile are dropped, and the
     * leader sends again after a heartbeat interval.
     */
    private void handleInstallSnapshot(InstallSnapshot r) {
        followLeader(r.from());
        Snapshot snapshot = r.snapshot();
        if (snapshot.end() <= commitEnd || log.matches(snapshot.end(), snapshot.term())) {
            // This log already holds what the snapshot covers, and it is committed on the leader.
            commitEnd = Math.max(commitEnd, snapshot.end());
            matchedLeaderThrough(commitEnd, false);
            reply(new AppendResponse(groupId, self, r.from(), term, true, commitEnd, 0, 0, r.round()));
            return;
        }
        if (incomingChunk != null) {
            return;
        }
        if (r.position() == 0) {
            // Another leader's bytes for the same snapshot may differ (a RocksDB checkpoint is not
            // byte-identical across nodes): a transfer is never resumed across leaders.
            receiving = snapshot;
            receivingTerm = term;
            received = 0;
        }
        boolean sameTransfer = snapshot.sameAs(receiving) && receivingTerm == term;
        if (!sameTransfer || r.position() != received) {
            reply(new SnapshotResponse(groupId, self, r.from(), term, snapshot.end(), r.position(),
                    sameTransfer ? received : 0, r.round()));
            return;
        }
        incomingChunk = new SnapshotChunk(snapshot, r.position(), r.data());
        received += r.data().remaining();
        reply(new SnapshotResponse(groupId, self, r.from(), term, snapshot.end(), r.position(), received, r.round()));
    }

    /** The whole log is replaced; everything the snapshot covers is committed and, once restored, applied. */
    private void installSnapshot(Snapshot snapshot) {
        log.installSnapshot(snapshot);
        memberships.reset(snapshot.membership());
        commitEnd = Math.max(commitEnd, snapshot.end());
        appliedEnd = Math.max(appliedEnd, snapshot.end());
        receiving = null;
        received = 0;
        recoveryTarget = -1; // the log is replaced: only the snapshot's end is known to match
        matchedLeaderThrough(snapshot.end(), false);
    }

    /**
     * While recovering: this member's log is known to match the current leader's up to
     * {@code end} ({@code wholeLog}: it holds that leader's whole log). Once that covers the end
     * to recover to, or the leader's whole log, recovery ends as soon as it is durable.
     */
    private void matchedLeaderThrough(long end, boolean wholeLog) {
        if (!recovering() || (end < recoveringTo && !wholeLog)) {
            return;
        }
        recoveryTarget = Math.max(recoveryTarget, Math.min(end, recoveringTo));
        maybeEndRecovery();
    }

    private void maybeEndRecovery() {
        if (recovering() && recoveryTarget >= 0 && !log.installing() && log.stableEnd() >= recoveryTarget) {
            recoveringTo = HardState.NOT_RECOVERING;
            recoveryTarget = -1;
        }
    }

    private void appendEntry(Entry e) {
        log.append(e);
        if (e.type() == Entry.Type.MEMBERSHIP) {
            memberships.add(e.baseOffset(), Membership.decode(e.payload()));
            if (state instanceof LeaderState leaderState) {
                leaderState.trackMembers(memberships.current(), self, log.endOffset());
            }
        }
    }

    // ---------------------------------------------------------------- replication: leader side

    /** Sends entries from the follower's next offset, if flow control allows; with none, only if {@code force} or the commit moved. */
    private void sendAppend(MemberId to, Progress p, boolean force) {
        if (p.state() != Progress.State.SNAPSHOT && p.nextOffset() < log.startOffset()) {
            p.becomeSnapshot(log.snapshot()); // it needs entries compacted away
        }
        if (p.isPaused(config)) {
            return;
        }
        if (p.state() == Progress.State.SNAPSHOT) {
            sendSnapshotChunk(to, p);
            return;
        }
        long prevEnd = p.nextOffset();
        List<Entry> entries = prevEnd < log.endOffset()
                ? log.entries(prevEnd, log.endOffset(), config.maxAppendBytes()) : List.of();
        if (entries.isEmpty() && !force && p.sentCommitEnd() >= commitEnd) {
            return;
        }
        long bytes = 0;
        for (Entry e : entries) {
            bytes += e.sizeInBytes();
        }
        long end = entries.isEmpty() ? prevEnd : entries.get(entries.size() - 1).nextOffset();
        sendNow.add(new AppendRequest(groupId, self, to, term, prevEnd, log.termAt(prevEnd - 1), entries, commitEnd,
                currentRound()));
        p.sent(end, bytes, commitEnd);
    }

    /**
     * Sends the next chunk of the snapshot the follower is getting; only if storage no longer
     * has it does the transfer start over with the current one.
     */
    private void sendSnapshotChunk(MemberId to, Progress p) {
        Snapshot snapshot = p.snapshot();
        long position = p.snapshotReceived();
        int length = (int) Math.min(config.maxAppendBytes(), snapshot.sizeBytes() - position);
        ByteBuffer data = length == 0 ? EMPTY : log.readSnapshot(snapshot, position, length);
        if (data == null) {
            p.becomeSnapshot(log.snapshot()); // the current snapshot is always readable: this recurses once
            sendSnapshotChunk(to, p);
            return;
        }
        sendNow.add(new InstallSnapshot(groupId, self, to, term, snapshot, position, data, currentRound()));
        p.snapshotChunkSent();
    }

    private long currentRound() {
        return state instanceof LeaderState leaderState ? leaderState.round : 0;
    }

    private void sendHeartbeat(MemberId to, Progress p) {
        long prevEnd = p.matchEnd();
        if (p.state() == Progress.State.SNAPSHOT) {
            // Resend a lost chunk if the interval freed it; the empty append at our log start
            // keeps the follower's election timer quiet and carries the round while a chunk is in flight.
            sendAppend(to, p, false);
            prevEnd = log.startOffset();
        } else if (log.termAt(prevEnd - 1) < 0) {
            sendAppend(to, p, true); // no known match yet: probe instead
            return;
        }
        sendNow.add(new AppendRequest(groupId, self, to, term, prevEnd, log.termAt(prevEnd - 1), List.of(),
                Math.min(commitEnd, prevEnd), currentRound()));
    }

    private void handleAppendResponse(LeaderState leaderState, AppendResponse r) {
        Progress p = leaderState.progress.get(r.from());
        if (p == null) {
            return; // no longer a member
        }
        p.setRecentActive(true);
        p.roundConfirmed(r.round());
        leaderState.confirmReads(memberships.current(), self, readStates);
        if (r.success()) {
            if (p.acknowledged(r.matchEnd())) {
                maybeCommit(leaderState);
                if (state != leaderState) {
                    return; // the commit removed this leader
                }
                if (r.from().equals(leaderState.transferTarget)) {
                    timeoutNowIfCaughtUp(r.from(), p);
                }
            } else if (r.matchEnd() == p.matchEnd() && p.matchEnd() < log.endOffset()
                    && p.shouldForceAppendAfterHeartbeat()) {
                // A heartbeat answer from a follower still behind: appends we count as in flight may
                // have been lost. An append from where we think it is makes it reject, and probing starts.
                sendAppend(r.from(), p, true);
            }
            broadcastPending = true;
            return;
        }
        long rejected = r.matchEnd();
        if (r.recovering()) {
            p.lostEntries(r.hintEnd()); // it no longer holds what it acknowledged: probe from where it ends
        }
        boolean stale = switch (p.state()) {
            case REPLICATE -> rejected <= p.matchEnd();
            case PROBE -> rejected != p.nextOffset();
            case SNAPSHOT -> true; // sent before the follower was found to need the snapshot
        };
        if (stale) {
            return;
        }
        long next = log.probeAfterRejection(rejected, r.hintEnd(), r.hintTerm());
        if (next >= rejected) {
            p.becomeSnapshot(log.snapshot()); // nothing earlier to offer: the logs differ below our start
        } else {
            p.becomeProbe(next);
        }
        sendAppend(r.from(), p, true);
    }

    private void handleSnapshotResponse(LeaderState leaderState, SnapshotResponse r) {
        Progress p = leaderState.progress.get(r.from());
        if (p == null) {
            return;
        }
        p.setRecentActive(true);
        p.roundConfirmed(r.round());
        leaderState.confirmReads(memberships.current(), self, readStates);
        if (!p.onSnapshotResponse(r.end(), r.position(), r.received())) {
            return; // duplicated or late, or about an earlier snapshot
        }
        if (r.received() == p.snapshot().sizeBytes()) {
            p.acknowledged(r.end()); // installed: replication goes on from the snapshot's end
            broadcastPending = true;
        } else {
            sendSnapshotChunk(r.from(), p);
        }
    }

    /** Advances the commit end to what a majority holds durably, counting only entries of this term (§5.4.2). */
    private void maybeCommit(LeaderState leaderState) {
        Membership current = memberships.current();
        long majorityEnd = leaderState.majorityEnd(current, self, log.stableEnd());
        if (majorityEnd > commitEnd && log.termAt(majorityEnd - 1) == term) {
            commitEnd = majorityEnd;
            broadcastPending = true;
            leaderState.termCommitted(commitEnd);
            if (!current.isVoter(self) && memberships.latestOffset() < commitEnd) {
                handOverAfterRemoval(leaderState, current);
            }
        }
    }

    /**
     * Our removal is committed: a caught-up voter is told to campaign at once (as in a transfer),
     * so the group does not wait an election timeout for a leader; then this member falls silent.
     */
    private void handOverAfterRemoval(LeaderState leaderState, Membership current) {
        for (MemberId voter : current.voters()) {
            if (timeoutNowIfCaughtUp(voter, leaderState.progress.get(voter))) {
                break;
            }
        }
        becomeFollower(term, null);
    }

    /** Tells {@code member} to campaign at once if it holds this leader's whole log; returns whether it did. */
    private boolean timeoutNowIfCaughtUp(MemberId member, Progress p) {
        if (p.matchEnd() != log.endOffset()) {
            return false;
        }
        sendNow.add(new TimeoutNow(groupId, self, member, term));
        return true;
    }

    private void reply(RaftMessage m) {
        sendAfterPersist.add(m);
    }

    // ---------------------------------------------------------------- quiescence

    /**
     * Quiet: this member needs no ticks and ignores them until something wakes it. Quiescence
     * (CockroachDB's design) is what lets a node host thousands of idle groups: a quiet group
     * sends no heartbeats and runs no timers, so it costs no CPU at all.
     *
     * <p>It affects liveness only, never safety. Raft's safety does not depend on time, a quiet
     * member handles every message as an awake one would, and a {@link RaftMessage.Quiesce}
     * tells a follower nothing an empty append request from its leader would not (the commit
     * end, for a log that provably matches). The liveness risk is a group that stays quiet
     * while it needs a leader; the driver closes it with node-level heartbeats: when a node
     * falls silent for an election timeout, followers whose leader is there are woken with
     * {@link #suspectLeader()}, and leaders with a member there with {@link #wake()}, which
     * starts a fresh check-quorum period so a leader cut off from a majority steps down.
     *
     * <p>A quiet leader runs no check-quorum, so its role may be stale by up to an election
     * timeout more than an awake leader's: anything that trusts leadership by time alone (a
     * lease read) must not be served by a quiet leader; a read that confirms leadership with a
     * round of messages wakes it first.
     */
    private boolean quiet;

    public boolean quiet() {
        return quiet;
    }

    /**
     * Makes this leader quiet if it has nothing left to do: no transfer in progress and no read
     * waiting for confirmation; everything persisted, committed and applied; every member on a
     * live node acknowledged the whole log and was heard from in this check-quorum period; and
     * a quorum of voters was heard from. Members on nodes that are down (not {@code liveNode},
     * the driver's view) do not hold it back: when their node is heard from again, the driver
     * wakes this leader to catch them up. Queues a {@link RaftMessage.Quiesce} to every member.
     *
     * @return whether this leader is now quiet; if not, nothing changed
     */
    public boolean tryQuiesce(java.util.function.IntPredicate liveNode) {
        if (quiet || !(state instanceof LeaderState leaderState) || leaderState.transferTarget != null
                || leaderState.readsWaiting()) {
            return false;
        }
        flushBroadcast();
        if (outstanding != null || hasWork() || commitEnd != log.endOffset()) {
            return false;
        }
        for (Map.Entry<MemberId, Progress> e : leaderState.progress.entrySet()) {
            Progress p = e.getValue();
            if (liveNode.test(e.getKey().nodeId()) && (p.matchEnd() != commitEnd || !p.recentActive())) {
                return false;
            }
        }
        if (!leaderState.quorumHeardFrom(memberships.current(), self)) {
            return false;
        }
        quiet = true;
        for (MemberId member : leaderState.progress.keySet()) {
            sendNow.add(new RaftMessage.Quiesce(groupId, self, member, term, commitEnd));
        }
        return true;
    }

    /**
     * Ends a quiet spell: ticks count again. Messages (but a Quiesce, or an acknowledgement of
     * the whole log to a quiet leader) and leader-only operations wake a member by themselves;
     * the driver calls this when node-level liveness changes. A leader starts a new
     * check-quorum period with nobody counted as heard from: acknowledgements from before the
     * quiet spell say nothing about now, and counting them would let a leader cut off from a
     * majority go quiet again instead of stepping down.
     */
    public void wake() {
        if (!quiet) {
            return;
        }
        quiet = false;
        if (state instanceof LeaderState leaderState) {
            electionElapsed = 0;
            leaderState.forgetActivity();
        }
    }

    /**
     * The driver heard nothing from the node of this member's leader for an election timeout:
     * wake, and count the leader as unheard from for that long, so this member stops refusing
     * votes on its behalf and campaigns within the random part of its election timeout instead
     * of a whole timeout later. Safe: the lease it gives up only keeps a cut-off member from
     * disrupting a healthy leader; granting a vote never depends on it for safety.
     */
    public void suspectLeader() {
        wake();
        if (!(state instanceof LeaderState)) {
            electionElapsed = Math.max(electionElapsed, config.electionTimeoutTicks());
        }
    }

    /**
     * Whether {@code m} ends a quiet spell. A Quiesce does not, nor does an acknowledgement of
     * the whole log reaching a quiet leader (a heartbeat answer overtaken by the Quiesce): with
     * a round trip longer than a tick, waking on those would make the group quiesce and wake
     * for ever.
     */
    private boolean wakesQuietMember(RaftMessage m) {
        if (m instanceof RaftMessage.Quiesce) {
            return false;
        }
        return !(m instanceof AppendResponse r && r.success() && r.term() == term && state instanceof LeaderState
                && r.matchEnd() == log.endOffset());
    }

    private void handleQuiesce(RaftMessage.Quiesce q) {
        followLeader(q.from());
        // The leader's last entry is of its term; the same end and last term mean the same log.
        if (log.endOffset() == q.end() && log.lastTerm() == term) {
            commitEnd = Math.max(commitEnd, q.end());
            matchedLeaderThrough(q.end(), true);
            quiet = true;
        }
        // Otherwise stay awake: with no heartbeats coming, this member times out, and its
        // pre-vote wakes the leader, which then catches it up.
    }

    // ---------------------------------------------------------------- observers

    public Role role() {
        return state.role();
    }

    public long term() {
        return term;
    }

    /** The leader this member knows of in its term, or null. */
    public MemberId leader() {
        return leader;
    }

    /** The high watermark: every offset below it is committed. */
    public long commitEnd() {
        return commitEnd;
    }

    /**
     * Whether this member is recovering entries its storage lost: it grants no votes and does
     * not campaign until it holds them again (see the class comment).
     */
    public boolean recovering() {
        return recoveringTo != HardState.NOT_RECOVERING;
    }

    /** The end of this member's log: the offset its next entry gets. */
    public long logEnd() {
        return log.endOffset();
    }

    /**
     * What this leader knows {@code member} holds of its log: the end up to which their logs
     * match (its own log end for itself); -1 when this member does not lead, or {@code member}
     * is not in its group. A status reading for balancing and reporting: a member at or past an
     * offset holds every entry below it as this leader does.
     */
    public long matchEnd(MemberId member) {
        if (!(state instanceof LeaderState leaderState)) {
            return -1;
        }
        if (member.equals(self)) {
            return log.endOffset();
        }
        Progress p = leaderState.progress.get(member);
        return p == null ? -1 : p.matchEnd();
    }

    /** The membership in force: the latest in this member's log, committed or not. */
    public Membership membership() {
        return memberships.current();
    }

    /**
     * Whether the membership in force is committed: the entry that set it lies below the commit
     * end (or it is the base membership, which no entry set). A leader may start the next change
     * only then; an application that acts on a member's removal (deleting its data) waits for it,
     * since an uncommitted change may still be truncated and the member restored.
     */
    public boolean membershipCommitted() {
        return memberships.latestOffset() < commitEnd;
    }

    public MemberId self() {
        return self;
    }

    public long groupId() {
        return groupId;
    }

    @Override
    public String toString() {
        return "RaftNode[group " + groupId + ", " + self + ", " + role() + " term " + term + ", log end "
                + log.endOffset() + ", commit " + commitEnd + "]";
    }
}
