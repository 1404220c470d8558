package io.flotilla.jepsen.sim;

import io.flotilla.raft.Entry;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.Membership;
import io.flotilla.raft.Role;

import java.util.List;
import java.util.TreeMap;

/**
 * The group's operator: carries out membership changes and leadership transfers
 * ({@link Fault.Operation}) through whichever member leads when they are due (the one of the
 * highest term, if stale leaders linger), the way an admin client would. Counts what each
 * kind of operation came to: accepted by a leader, and took effect (a membership change
 * committed, leadership arrived at the transfer's target).
 */
final class Operator {
    private record Proposed(long term, FaultKind kind) {
    }

    /** Accepted membership changes by offset, until one is committed or replaced. */
    private final TreeMap<Long, Proposed> proposed = new TreeMap<>();
    private final SimStats stats;
    private int transferTarget = -1;
    private long transferTerm;

    Operator(SimStats stats) {
        this.stats = stats;
    }

    /** Carries out {@code op}; returns the trace text. */
    String act(Fault.Operation op, List<SimNode> nodes) {
        stats.tried(op.kind());
        SimNode leader = leader(nodes);
        if (leader == null) {
            return " (no leader)";
        }
        Replica r = leader.replica();
        Membership current = r.membership();
        MemberId target = nodes.get(op.node()).id();
        String via = " via n" + leader.index();
        if (op instanceof Fault.Transfer) {
            if (op.node() == leader.index()) {
                return via + " (it leads already)";
            }
            if (!current.isVoter(target)) {
                return via + " (not a voter)";
            }
            if (!r.transferLeadership(target)) {
                return via + " (refused)";
            }
            stats.accepted(op.kind());
            transferTarget = op.node();
            transferTerm = r.term();
            return via + " (handing over)";
        }
        Membership next = next(op, current, target);
        if (next == null) {
            return via + " (not applicable to " + current + ")";
        }
        ProposeResult result = r.proposeMembership(next);
        if (result instanceof ProposeResult.Accepted a) {
            stats.accepted(op.kind());
            proposed.put(a.entry().baseOffset(), new Proposed(a.entry().term(), op.kind()));
        }
        return via + ": " + Client.describe(result);
    }

    /** The membership {@code op} asks for, or null if it does not apply to {@code current}. */
    private static Membership next(Fault.Operation op, Membership current, MemberId target) {
        if (op instanceof Fault.RemoveMember) {
            boolean lastVoter = current.isVoter(target) && current.voters().size() == 1;
            return current.isMember(target) && !lastVoter ? current.remove(target) : null;
        }
        if (op instanceof Fault.AddLearner) {
            return current.isMember(target) ? null : current.addLearner(target);
        }
        if (op instanceof Fault.Promote) {
            return current.learners().contains(target) ? current.promote(target) : null;
        }
        throw new IllegalArgumentException("not a membership change: " + op);
    }

    /** Entry {@code e} was applied for the first time anywhere: it is committed, and so is everything before it. */
    void committed(Entry e) {
        Proposed p = proposed.get(e.baseOffset());
        if (p != null && p.term() == e.term() && e.type() == Entry.Type.MEMBERSHIP) {
            stats.tookEffect(p.kind());
        }
        proposed.headMap(e.nextOffset()).clear(); // committed, or replaced by other entries first
    }

    /** A transfer took effect once its target leads a later term; any other leader of a later term ends it. */
    void afterEvent(List<SimNode> nodes) {
        if (transferTarget < 0) {
            return;
        }
        SimNode leader = leader(nodes);
        if (leader != null && leader.replica().term() > transferTerm) {
            if (leader.index() == transferTarget) {
                stats.tookEffect(FaultKind.TRANSFER);
            }
            transferTarget = -1;
        }
    }

    /** The up member leading the highest term, or null. */
    private static SimNode leader(List<SimNode> nodes) {
        SimNode leader = null;
        for (SimNode n : nodes) {
            Replica r = n.replica();
            if (r != null && r.role() == Role.LEADER && (leader == null || r.term() > leader.replica().term())) {
                leader = n;
            }
        }
        return leader;
    }
}
