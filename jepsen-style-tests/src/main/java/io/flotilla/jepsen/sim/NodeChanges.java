package io.flotilla.jepsen.sim;

import io.flotilla.raft.MemberId;
import io.flotilla.raft.Membership;
import io.flotilla.raft.Role;

import java.util.List;

/**
 * Notes in the trace every change of a node's visible state (up, role, term, leader, commit
 * end, membership), so the trace records what the replicas decided, not only what they were told.
 */
final class NodeChanges {
    private final List<SimNode> nodes;
    private final boolean[] up;
    private final Role[] role;
    private final long[] term;
    private final int[] leader;
    private final long[] commitEnd;
    private final Membership[] membership;

    NodeChanges(List<SimNode> nodes) {
        this.nodes = nodes;
        int n = nodes.size();
        up = new boolean[n];
        role = new Role[n];
        term = new long[n];
        leader = new int[n];
        commitEnd = new long[n];
        membership = new Membership[n];
    }

    void note(StringBuilder line) {
        for (SimNode node : nodes) {
            int i = node.index();
            Replica r = node.replica();
            if (r == null) {
                if (up[i]) {
                    up[i] = false;
                    line.append(" | n").append(i).append(" down");
                }
                continue;
            }
            MemberId l = r.leader();
            int leaderNode = l == null ? -1 : l.nodeId();
            Role nowRole = r.role();
            long nowTerm = r.term();
            long nowCommit = r.commitEnd();
            Membership nowMembership = r.membership();
            if (!up[i] || nowRole != role[i] || nowTerm != term[i] || leaderNode != leader[i]
                    || nowCommit != commitEnd[i] || !nowMembership.equals(membership[i])) {
                up[i] = true;
                role[i] = nowRole;
                term[i] = nowTerm;
                leader[i] = leaderNode;
                commitEnd[i] = nowCommit;
                boolean changed = !nowMembership.equals(membership[i]);
                membership[i] = nowMembership;
                line.append(" | n").append(i).append(' ').append(nowRole).append(" t").append(nowTerm).append(" l=")
                        .append(leaderNode < 0 ? "-" : "n" + leaderNode).append(" c=").append(nowCommit);
                if (changed) {
                    line.append(" m=").append(Format.membership(nowMembership));
                }
            }
        }
    }
}
