package io.flotilla.jepsen.sim;

import io.flotilla.raft.Entry;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.Membership;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * After everything heals, a probe client proposes (negative, so unique) values until one of
 * them is applied by every member of the group: the voters and learners of the membership in
 * force at its offset (spare and removed nodes get nothing). By then every node is up and every
 * link works, so the current voters have a quorum up and connected: progress is owed. A
 * proposal the leader accepted but that is not applied everywhere within {@link #PATIENCE_MS}
 * is given up for a new one (a deposed leader may lose it, legitimately). {@link #explain} says
 * what the cluster looks like when time is up.
 */
final class LivenessCheck {
    static final String NAME = "liveness";
    static final long RETRY_MS = 10;
    static final long PATIENCE_MS = 1000;

    private final Membership bootstrap;
    /** Committed membership entries by offset: who must apply a probe depends on its offset. */
    private final TreeMap<Long, Membership> memberships = new TreeMap<>();
    private final RandomGenerator random;
    private final Client client;
    private final HashMap<Long, Integer> appliedBy = new HashMap<>();
    private long healedAtMs = -1;
    private long nextValue = -1;
    private long value;
    private Entry accepted;
    private int attempts;
    private boolean satisfied;

    LivenessCheck(int nodes, Membership bootstrap, RandomGenerator random) {
        this.bootstrap = bootstrap;
        this.random = random;
        this.client = new Client(random.nextInt(nodes));
    }

    void start(long nowMs) {
        healedAtMs = nowMs;
    }

    boolean satisfied() {
        return satisfied;
    }

    /** The probe's turn: propose (again), or give up on an accepted value that did not commit. */
    String probe(List<SimNode> all, Scheduler scheduler) {
        if (satisfied) {
            return "probe done";
        }
        if (value == 0 || accepted != null) {
            value = nextValue--;
            accepted = null;
        }
        attempts++;
        Client.Attempt attempt = client.propose(all, Entries.value(value), 1, random);
        if (attempt.accepted() != null) {
            accepted = attempt.accepted().entry();
            scheduler.after(PATIENCE_MS, new SimEvent.Probe());
        } else {
            scheduler.after(RETRY_MS, new SimEvent.Probe());
        }
        return "probe v" + value + ": " + attempt.describe();
    }

    void applied(int node, Entry e) {
        if (e.type() == Entry.Type.MEMBERSHIP) {
            memberships.putIfAbsent(e.baseOffset(), Membership.decode(e.payload()));
        }
        if (healedAtMs < 0 || e.type() != Entry.Type.DATA || e.payload().remaining() != 8) {
            return;
        }
        long v = e.payload().getLong(e.payload().position());
        if (v < 0) {
            int members = nodesOf(membershipAt(e.baseOffset()));
            if ((appliedBy.merge(v, 1 << node, (a, b) -> a | b) & members) == members) {
                satisfied = true;
            }
        }
    }

    /** The membership in force for an entry at {@code offset}: the last change before it, or the bootstrap. */
    private Membership membershipAt(long offset) {
        Map.Entry<Long, Membership> m = memberships.lowerEntry(offset);
        return m == null ? bootstrap : m.getValue();
    }

    private static int nodesOf(Membership m) {
        int mask = 0;
        for (MemberId member : m.members()) {
            mask |= 1 << member.nodeId();
        }
        return mask;
    }

    String explain(List<SimNode> all, StateMachineSafety applied, long nowMs) {
        Membership latest = memberships.isEmpty() ? bootstrap : memberships.lastEntry().getValue();
        StringBuilder sb = new StringBuilder("no proposal made after healing at " + healedAtMs
                + " ms committed on every member (last committed membership " + Format.membership(latest) + ") by "
                + nowMs + " ms (" + attempts + " probe attempts; last "
                + (accepted == null ? "v" + value + " not accepted" : "accepted as " + Entries.describe(accepted))
                + "). Nodes:");
        boolean leader = false;
        for (SimNode n : all) {
            Replica r = n.replica();
            sb.append("\n  n").append(n.index());
            if (r == null) {
                sb.append(" down");
                continue;
            }
            leader |= r.role() == io.flotilla.raft.Role.LEADER;
            sb.append(' ').append(r.role()).append(" term ").append(r.term()).append(" leader ")
                    .append(r.leader() == null ? "unknown" : "n" + r.leader().nodeId()).append(" commit end ")
                    .append(r.commitEnd()).append(" applied to ").append(applied.appliedEnd(n.index()))
                    .append(" durable end ").append(n.durable().end()).append(" (last term ")
                    .append(n.durable().lastTerm()).append(") membership ").append(Format.membership(r.membership()));
        }
        if (!leader) {
            sb.insert(0, "no leader at the deadline; ");
        }
        return sb.toString();
    }
}
