package io.flotilla.jepsen.sim;

import io.flotilla.raft.MemberId;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.random.RandomGenerator;

/** A client that proposes to the node it believes leads, and follows hints when told otherwise. */
final class Client {
    /** One try: the node asked, and its answer (null if that node was down). */
    record Attempt(int node, ProposeResult result) {
        ProposeResult.Accepted accepted() {
            return result instanceof ProposeResult.Accepted a ? a : null;
        }

        String describe() {
            if (result == null) {
                return "n" + node + " down";
            }
            return "n" + node + " " + Client.describe(result);
        }
    }

    private int believedLeader;

    static String describe(ProposeResult result) {
        if (result instanceof ProposeResult.Accepted a) {
            return "accepted " + Entries.describe(a.entry());
        }
        if (result instanceof ProposeResult.Refused r) {
            return "refused (" + r.reason() + ")";
        }
        MemberId hint = ((ProposeResult.NotLeader) result).leaderHint();
        return "not leader (hint " + (hint == null ? "none" : "n" + hint.nodeId()) + ")";
    }

    Client(int initialGuess) {
        this.believedLeader = initialGuess;
    }

    Attempt propose(List<SimNode> nodes, ByteBuffer payload, int recordCount, RandomGenerator random) {
        SimNode target = nodes.get(believedLeader);
        if (!target.up()) {
            believedLeader = random.nextInt(nodes.size());
            return new Attempt(target.index(), null);
        }
        ProposeResult result = target.propose(payload, recordCount);
        if (result instanceof ProposeResult.NotLeader refused) {
            MemberId hint = refused.leaderHint();
            boolean usable = hint != null && hint.nodeId() < nodes.size() && hint.nodeId() != target.index();
            believedLeader = usable ? hint.nodeId() : random.nextInt(nodes.size());
        }
        return new Attempt(target.index(), result);
    }
}
