package io.flotilla.jepsen.sim;

import io.flotilla.raft.Entry;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.Membership;
import io.flotilla.raft.RaftConfig;
import io.flotilla.raft.RaftMessage;
import io.flotilla.raft.RaftStorage;
import io.flotilla.raft.Ready;
import io.flotilla.raft.Role;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * The real {@code RaftNode} with the commit rule Raft §5.4.2 forbids grafted on from outside: as
 * leader it commits whatever a majority of voters hold durably, whatever the entry's term (the
 * Raft paper's Figure 8). It counts the successful acknowledgements of its term it receives and
 * its own durable log, reports the counted end as its commit end, applies its durable log up to
 * there, and writes that end into the append requests it sends, so followers commit and apply it
 * too (clamped to what they hold, as for any leader).
 */
final class CommitByCountingReplica extends RaftNodeReplica {
    static final Replica.Factory FACTORY = CommitByCountingReplica::new;

    private final MemberId self;
    private final RaftStorage storage;
    /** Per follower, the highest end it acknowledged in {@link #countingTerm}. */
    private final TreeMap<MemberId, Long> matchEnd = new TreeMap<>();
    private long countingTerm = -1;
    private long countedEnd;
    /** End of the entries handed to the driver to apply, by the node or by this wrapper. */
    private long handedEnd;
    /** The node's Ready behind {@link #rewritten}, or null if only this wrapper had something to apply. */
    private Ready original;
    private Ready rewritten;

    CommitByCountingReplica(long groupId, MemberId self, RaftConfig config, RaftStorage storage,
                            RandomGenerator random) {
        super(groupId, self, config, storage, random);
        this.self = self;
        this.storage = storage;
        this.handedEnd = storage.startOffset();
    }

    @Override
    public void step(RaftMessage message) {
        super.step(message);
        if (message instanceof RaftMessage.AppendResponse r && r.success() && leads() && r.term() == countingTerm) {
            matchEnd.merge(r.from(), r.matchEnd(), Math::max);
            count();
        }
    }

    @Override
    public boolean hasReady() {
        return super.hasReady() || countedApplicableEnd() > handedEnd;
    }

    @Override
    public Ready ready() {
        original = super.hasReady() ? super.ready() : null;
        List<Entry> committed = new ArrayList<>();
        if (original != null) {
            for (Entry e : original.committed()) {
                if (e.baseOffset() >= handedEnd) { // the node hands over again what this wrapper applied early
                    committed.add(e);
                }
            }
        }
        long next = committed.isEmpty() ? handedEnd : committed.get(committed.size() - 1).nextOffset();
        long to = countedApplicableEnd();
        if (to > next) {
            committed.addAll(storage.entries(next, to, Long.MAX_VALUE));
        }
        if (!committed.isEmpty()) {
            handedEnd = Math.max(handedEnd, committed.get(committed.size() - 1).nextOffset());
        }
        rewritten = original == null ? new Ready(List.of(), -1, List.of(), null, List.of(), committed)
                : new Ready(advertise(original.sendNow()), original.snapshotChunk(), original.truncateFrom(),
                original.entries(), original.hardState(), advertise(original.sendAfterPersist()), committed,
                original.readStates());
        return rewritten;
    }

    @Override
    public void advance(Ready ready) {
        if (ready != rewritten) {
            throw new IllegalArgumentException("advance() must be given the Ready last returned by ready()");
        }
        if (original != null) {
            super.advance(original);
        }
        if (leads()) {
            count(); // its own log counts once durable
        }
    }

    /** What the leader applies beyond the node's own commit: its durable log up to the counted end. */
    private long countedApplicableEnd() {
        return leads() ? Math.min(countedEnd, storage.endOffset()) : 0;
    }

    /** Whether the node leads; a new term forgets the acknowledgements of the last. */
    private boolean leads() {
        if (role() != Role.LEADER) {
            return false;
        }
        if (term() != countingTerm) {
            countingTerm = term();
            matchEnd.clear();
        }
        return true;
    }

    /** The bug: the majority's end is committed even when the entry before it is of an earlier term. */
    private void count() {
        Membership m = membership();
        long[] ends = new long[m.voters().size()];
        int i = 0;
        for (MemberId voter : m.voters()) {
            // The driver writes a Ready to storage before advancing it: storage's end is this leader's durable log.
            ends[i++] = voter.equals(self) ? storage.endOffset() : matchEnd.getOrDefault(voter, 0L);
        }
        Arrays.sort(ends);
        countedEnd = Math.max(countedEnd, ends[ends.length - m.quorum()]);
    }

    private List<RaftMessage> advertise(List<RaftMessage> messages) {
        List<RaftMessage> out = new ArrayList<>(messages.size());
        for (RaftMessage m : messages) {
            if (m instanceof RaftMessage.AppendRequest a && a.commitEnd() < countedEnd) {
                m = new RaftMessage.AppendRequest(a.groupId(), a.from(), a.to(), a.term(), a.prevEnd(), a.prevTerm(),
                        a.entries(), countedEnd, a.round());
            }
            out.add(m);
        }
        return out;
    }

    @Override
    public long commitEnd() {
        return Math.max(super.commitEnd(), countedEnd);
    }
}
