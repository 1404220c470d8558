package io.flotilla.jepsen.sim;

import io.flotilla.raft.Entry;
import io.flotilla.raft.HardState;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.Membership;
import io.flotilla.raft.RaftConfig;
import io.flotilla.raft.RaftMessage;
import io.flotilla.raft.RaftStorage;
import io.flotilla.raft.Ready;
import io.flotilla.raft.Role;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * A minimal Raft (no pre-vote, no check-quorum, no flow control, fixed membership: it refuses
 * changes and transfers, and a node outside it never campaigns or votes) following
 * the same Ready contract as {@code RaftNode}: the harness's own tests drive it to prove the
 * harness runs, replays and catches bugs before the real RaftNode exists. Leader appends go in
 * {@code sendNow}; every other message after persistence; the leader counts itself toward a
 * quorum only for what it persisted. {@link ToyBug} breaks it on purpose.
 */
final class ToyRaft implements Replica {
    private static final int MAX_ENTRIES_PER_APPEND = 32;

    private final long groupId;
    private final MemberId self;
    private final Membership membership;
    private final boolean voter;
    private final List<MemberId> peers = new ArrayList<>();
    private final int quorum;
    private final RaftConfig config;
    private final RandomGenerator random;
    private final ToyBug bug;
    private final ToyLog log;
    private final long[] nextEnd;
    private final long[] matchEnd;
    private final Set<Integer> votes = new HashSet<>();
    private final List<RaftMessage> sendNow = new ArrayList<>();
    private final List<RaftMessage> sendAfter = new ArrayList<>();
    private long term;
    private MemberId votedFor;
    private Role role = Role.FOLLOWER;
    private MemberId leader;
    private long commitEnd;
    private long reportedEnd;
    private boolean hardStateDirty;
    private int elapsed;
    private int timeout;
    private long persistedEnd;
    private long inflightEnd;
    private long truncatedSinceReady = Long.MAX_VALUE;

    static Replica.Factory factory(ToyBug bug) {
        return (groupId, self, config, storage, random) -> new ToyRaft(groupId, self, config, storage, random, bug);
    }

    ToyRaft(long groupId, MemberId self, RaftConfig config, RaftStorage storage, RandomGenerator random, ToyBug bug) {
        this.groupId = groupId;
        this.self = self;
        this.config = config;
        this.random = random;
        this.bug = bug;
        membership = storage.membership();
        voter = membership.isVoter(self);
        for (MemberId m : membership.voters()) {
            if (!m.equals(self)) {
                peers.add(m);
            }
        }
        quorum = membership.quorum();
        int maxNode = membership.voters().last().nodeId() + 1;
        nextEnd = new long[maxNode];
        matchEnd = new long[maxNode];
        HardState hs = storage.hardState();
        term = hs.term();
        votedFor = hs.votedFor();
        commitEnd = hs.commitEnd();
        reportedEnd = storage.startOffset();
        log = new ToyLog(storage);
        persistedEnd = log.end();
        resetTimer();
    }

    private void resetTimer() {
        elapsed = 0;
        timeout = config.electionTimeoutTicks() + random.nextInt(config.electionTimeoutTicks());
    }

    @Override
    public void tick() {
        elapsed++;
        if (role == Role.LEADER) {
            if (elapsed >= config.heartbeatTicks()) {
                elapsed = 0;
                peers.forEach(this::sendAppend);
            }
        } else if (voter && elapsed >= timeout) {
            campaign();
        }
    }

    private void campaign() {
        term++;
        role = Role.CANDIDATE;
        votedFor = self;
        leader = null;
        hardStateDirty = true;
        votes.clear();
        votes.add(self.nodeId());
        resetTimer();
        for (MemberId p : peers) {
            sendAfter.add(new RaftMessage.VoteRequest(groupId, self, p, term, log.end(), log.lastTerm(), false, false));
        }
    }

    private void becomeFollower(long newTerm, MemberId newLeader) {
        if (newTerm != term) {
            term = newTerm;
            votedFor = null;
            hardStateDirty = true;
        }
        role = Role.FOLLOWER;
        leader = newLeader;
        resetTimer();
    }

    private void becomeLeader() {
        role = Role.LEADER;
        leader = self;
        elapsed = 0;
        for (MemberId p : peers) {
            nextEnd[p.nodeId()] = log.end();
            matchEnd[p.nodeId()] = 0;
        }
        log.append(new Entry(log.end(), 1, term, Entry.Type.NOOP, ByteBuffer.allocate(0)));
        peers.forEach(this::sendAppend);
    }

    @Override
    public void step(RaftMessage m) {
        if (m.term() > term) {
            becomeFollower(m.term(), m instanceof RaftMessage.AppendRequest ? m.from() : null);
        } else if (m.term() < term) {
            if (m instanceof RaftMessage.AppendRequest) {
                sendAfter.add(new RaftMessage.AppendResponse(groupId, self, m.from(), term, false, 0, log.end(), 0, 0));
            }
            return;
        }
        if (m instanceof RaftMessage.AppendRequest a && role != Role.LEADER) {
            if (role != Role.FOLLOWER || leader == null) {
                becomeFollower(term, a.from());
            }
            elapsed = 0;
            append(a);
        } else if (m instanceof RaftMessage.AppendResponse r && role == Role.LEADER) {
            appended(r);
        } else if (m instanceof RaftMessage.VoteRequest v && !v.preVote()) {
            vote(v);
        } else if (m instanceof RaftMessage.VoteResponse v && role == Role.CANDIDATE && v.granted() && !v.preVote()) {
            votes.add(v.from().nodeId());
            if (votes.size() >= quorum) {
                becomeLeader();
            }
        }
    }

    private void append(RaftMessage.AppendRequest a) {
        long prevEnd = a.prevEnd();
        if (prevEnd > log.end() || log.termEndingAt(prevEnd) != a.prevTerm()) {
            long hint = prevEnd > log.end() ? log.end() : log.get(log.indexCovering(prevEnd - 1)).baseOffset();
            sendAfter.add(new RaftMessage.AppendResponse(groupId, self, a.from(), term, false, 0, hint, 0, 0));
            return;
        }
        long matched = prevEnd;
        for (Entry e : a.entries()) {
            if (e.baseOffset() < log.end()) {
                int i = log.indexOfBase(e.baseOffset());
                if (i >= 0 && log.get(i).term() == e.term()) {
                    matched = e.nextOffset();
                    continue;
                }
                log.truncateFrom(e.baseOffset());
                truncatedSinceReady = Math.min(truncatedSinceReady, e.baseOffset());
                persistedEnd = Math.min(persistedEnd, e.baseOffset());
            }
            log.append(e);
            matched = e.nextOffset();
        }
        long newCommit = Math.min(a.commitEnd(), matched);
        if (newCommit > commitEnd) {
            commitEnd = newCommit;
            hardStateDirty = true;
        }
        sendAfter.add(new RaftMessage.AppendResponse(groupId, self, a.from(), term, true, matched, 0, 0, 0));
    }

    private void appended(RaftMessage.AppendResponse r) {
        int p = r.from().nodeId();
        if (r.success()) {
            matchEnd[p] = Math.max(matchEnd[p], r.matchEnd());
            nextEnd[p] = Math.max(nextEnd[p], r.matchEnd());
            maybeCommit();
        } else {
            long back = Math.min(r.hintEnd(), nextEnd[p] - 1);
            nextEnd[p] = Math.max(matchEnd[p], back <= 0 ? 0 : log.floorBoundary(back));
            sendAppend(r.from());
        }
    }

    private void maybeCommit() {
        long[] ends = new long[peers.size() + 1];
        for (int i = 0; i < peers.size(); i++) {
            ends[i] = matchEnd[peers.get(i).nodeId()];
        }
        ends[peers.size()] = bug == ToyBug.COUNT_UNPERSISTED_SELF ? log.end() : persistedEnd;
        Arrays.sort(ends);
        long c = ends[ends.length - quorum];
        if (c > commitEnd && log.termEndingAt(c) == term) {
            commitEnd = c;
            hardStateDirty = true;
        }
    }

    private void sendAppend(MemberId peer) {
        long prev = nextEnd[peer.nodeId()];
        List<Entry> entries = log.slice(prev, log.end(), MAX_ENTRIES_PER_APPEND);
        sendNow.add(new RaftMessage.AppendRequest(groupId, self, peer, term, prev, log.termEndingAt(prev), entries,
                commitEnd, 0));
    }

    private void vote(RaftMessage.VoteRequest v) {
        boolean upToDate = v.lastTerm() > log.lastTerm()
                || (v.lastTerm() == log.lastTerm() && v.lastEnd() >= log.end());
        boolean free = votedFor == null || votedFor.equals(v.from()) || bug == ToyBug.VOTE_TWICE;
        boolean grant = voter && free && (upToDate || bug == ToyBug.VOTE_IGNORES_LOG) && role != Role.LEADER;
        if (grant) {
            votedFor = v.from();
            hardStateDirty = true;
            elapsed = 0;
        }
        sendAfter.add(new RaftMessage.VoteResponse(groupId, self, v.from(), term, grant, false));
    }

    @Override
    public ProposeResult propose(ByteBuffer payload, int recordCount) {
        if (role != Role.LEADER) {
            return new ProposeResult.NotLeader(leader);
        }
        Entry e = new Entry(log.end(), recordCount, term, Entry.Type.DATA, payload);
        log.append(e);
        peers.forEach(this::sendAppend);
        return new ProposeResult.Accepted(e);
    }

    @Override
    public boolean hasReady() {
        return !sendNow.isEmpty() || !sendAfter.isEmpty() || log.hasPending() || hardStateDirty
                || commitEnd > reportedEnd;
    }

    @Override
    public Ready ready() {
        long truncate = log.pendingTruncate();
        List<Entry> entries = log.takePending();
        inflightEnd = log.end();
        truncatedSinceReady = Long.MAX_VALUE;
        HardState hs = hardStateDirty ? new HardState(term, votedFor, commitEnd) : null;
        hardStateDirty = false;
        List<Entry> committed = log.slice(reportedEnd, commitEnd, Integer.MAX_VALUE);
        reportedEnd = commitEnd;
        Ready r = new Ready(sendNow, truncate, entries, hs, sendAfter, committed);
        sendNow.clear();
        sendAfter.clear();
        return r;
    }

    @Override
    public void advance(Ready ready) {
        persistedEnd = Math.min(inflightEnd, truncatedSinceReady);
        if (role == Role.LEADER) {
            maybeCommit();
        }
    }

    @Override
    public Role role() {
        return role;
    }

    @Override
    public long term() {
        return term;
    }

    @Override
    public MemberId leader() {
        return leader;
    }

    @Override
    public long commitEnd() {
        return commitEnd;
    }

    @Override
    public Membership membership() {
        return membership;
    }

    @Override
    public ProposeResult proposeMembership(Membership next) {
        return role == Role.LEADER ? new ProposeResult.Refused("ToyRaft's membership is fixed")
                : new ProposeResult.NotLeader(leader);
    }

    @Override
    public boolean transferLeadership(MemberId target) {
        return false;
    }
}
