package io.flotilla.jepsen.sim;

import io.flotilla.raft.Role;

import java.util.Arrays;

/** Spots a node that leads a term (or leads again after a restart) it was not seen leading before. */
final class NewLeaders {
    private final long[] life;
    private final long[] term;

    NewLeaders(int nodes) {
        life = new long[nodes];
        term = new long[nodes];
        Arrays.fill(term, -1);
    }

    /** Whether {@code node} leads, in a term or life it was not seen leading in before. */
    boolean newlyLeading(SimNode node) {
        Replica r = node.replica();
        if (r == null || r.role() != Role.LEADER) {
            return false;
        }
        int i = node.index();
        if (life[i] == node.life() && term[i] == r.term()) {
            return false;
        }
        life[i] = node.life();
        term[i] = r.term();
        return true;
    }
}
