package io.flotilla.raft;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Who is in a group: voters (count toward quorums) and learners (receive the log, do not
 * vote). Changes go one voter at a time, each as a {@link Entry.Type#MEMBERSHIP} entry that takes
 * effect when appended: any two majorities of configurations that differ by one voter overlap,
 * so no joint consensus is needed, provided a leader starts a change only after it committed an
 * entry of its term and no other change is uncommitted (the single-server rule of Ongaro's
 * thesis, with its fix). New members join as learners and are promoted once caught up.
 */
public record Membership(SortedSet<MemberId> voters, SortedSet<MemberId> learners) {
    private static final byte FORMAT = 1;

    public Membership {
        voters = Collections.unmodifiableSortedSet(new TreeSet<>(voters));
        learners = Collections.unmodifiableSortedSet(new TreeSet<>(learners));
        for (MemberId learner : learners) {
            if (voters.contains(learner)) {
                throw new IllegalArgumentException(learner + " cannot be both a voter and a learner");
            }
        }
        if (voters.isEmpty()) {
            throw new IllegalArgumentException("a group needs at least one voter");
        }
    }

    public static Membership ofVoters(MemberId... voters) {
        return new Membership(new TreeSet<>(java.util.List.of(voters)), new TreeSet<>());
    }

    /** Votes needed for a majority. */
    public int quorum() {
        return voters.size() / 2 + 1;
    }

    public boolean isVoter(MemberId member) {
        return voters.contains(member);
    }

    public boolean isMember(MemberId member) {
        return voters.contains(member) || learners.contains(member);
    }

    /** Voters and learners: everyone the leader replicates to. */
    public SortedSet<MemberId> members() {
        TreeSet<MemberId> all = new TreeSet<>(voters);
        all.addAll(learners);
        return all;
    }

    public Membership addLearner(MemberId member) {
        if (isMember(member)) {
            throw new IllegalArgumentException(member + " is already a member");
        }
        for (MemberId existing : members()) {
            if (existing.nodeId() == member.nodeId()) {
                throw new IllegalArgumentException("node " + member.nodeId() + " is already a member as " + existing
                        + "; remove that incarnation first");
            }
        }
        TreeSet<MemberId> grown = new TreeSet<>(learners);
        grown.add(member);
        return new Membership(voters, grown);
    }

    public Membership promote(MemberId learner) {
        if (!learners.contains(learner)) {
            throw new IllegalArgumentException(learner + " is not a learner");
        }
        TreeSet<MemberId> newVoters = new TreeSet<>(voters);
        newVoters.add(learner);
        TreeSet<MemberId> newLearners = new TreeSet<>(learners);
        newLearners.remove(learner);
        return new Membership(newVoters, newLearners);
    }

    public Membership remove(MemberId member) {
        if (!isMember(member)) {
            throw new IllegalArgumentException(member + " is not a member");
        }
        TreeSet<MemberId> newVoters = new TreeSet<>(voters);
        newVoters.remove(member);
        TreeSet<MemberId> newLearners = new TreeSet<>(learners);
        newLearners.remove(member);
        return new Membership(newVoters, newLearners);
    }

    /** Layout: format byte, voter count, voters, learner count, learners; each member int32 node id + int64 incarnation. */
    public ByteBuffer encode() {
        ByteBuffer buf = ByteBuffer.allocate(1 + 8 + 12 * (voters.size() + learners.size()));
        buf.put(FORMAT);
        putMembers(buf, voters);
        putMembers(buf, learners);
        return buf.flip();
    }

    private static void putMembers(ByteBuffer buf, SortedSet<MemberId> members) {
        buf.putInt(members.size());
        for (MemberId m : members) {
            buf.putInt(m.nodeId()).putLong(m.incarnation());
        }
    }

    public static Membership decode(ByteBuffer payload) {
        ByteBuffer buf = payload.duplicate();
        try {
            byte format = buf.get();
            if (format != FORMAT) {
                throw new IllegalArgumentException("membership format " + format + " is not supported (expected "
                        + FORMAT + ")");
            }
            return new Membership(getMembers(buf), getMembers(buf));
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("membership entry of " + payload.remaining() + " bytes is cut short", e);
        }
    }

    private static SortedSet<MemberId> getMembers(ByteBuffer buf) {
        int n = buf.getInt();
        if (n < 0 || n > buf.remaining() / 12) {
            throw new IllegalArgumentException("membership entry declares " + n + " members");
        }
        TreeSet<MemberId> members = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            members.add(new MemberId(buf.getInt(), buf.getLong()));
        }
        return members;
    }
}
