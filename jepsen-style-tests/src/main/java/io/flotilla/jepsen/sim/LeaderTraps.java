package io.flotilla.jepsen.sim;

import io.flotilla.raft.Role;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Faults aimed at leaders, which a schedule cannot name in advance: a trap is armed by the
 * schedule, taken by the next member to become leader (traps in the order armed, one per
 * election), and springs at a moment of that leader's term ({@link Fault.LeaderMoment}). A
 * trap whose leader loses its term before the moment comes is spent.
 */
final class LeaderTraps {
    /** A trap taken by a new leader whose commit end was {@code commitEnd} at its election. */
    private record Taken(Fault.LeaderTrap trap, long commitEnd) {
    }

    private final ArrayDeque<Fault.LeaderTrap> armed = new ArrayDeque<>();
    private final NewLeaders newLeaders;
    private final Taken[] taken;

    LeaderTraps(int nodes) {
        newLeaders = new NewLeaders(nodes);
        taken = new Taken[nodes];
    }

    void arm(Fault.LeaderTrap trap) {
        armed.add(trap);
    }

    void disarm() {
        armed.clear();
        Arrays.fill(taken, null);
    }

    /**
     * Hands traps to new leaders and springs those whose moment came in the event just handled.
     * Called before the nodes are driven, so a fault due at once strikes before the messages of
     * that moment leave the leader; {@code inject} takes such faults, later ones are scheduled.
     */
    void afterEvent(List<SimNode> nodes, Scheduler scheduler, StringBuilder line, Consumer<Fault> inject) {
        for (SimNode node : nodes) {
            Replica r = node.replica();
            int i = node.index();
            if (r == null || r.role() != Role.LEADER) {
                continue;
            }
            if (newLeaders.newlyLeading(node)) {
                Fault.LeaderTrap trap = armed.poll();
                taken[i] = trap == null ? null : new Taken(trap, r.commitEnd());
                if (trap != null && trap.at() == Fault.LeaderMoment.ELECTED) {
                    spring(i, scheduler, line, inject);
                }
            } else if (taken[i] != null && r.commitEnd() > taken[i].commitEnd()) {
                spring(i, scheduler, line, inject);
            }
        }
    }

    private void spring(int node, Scheduler scheduler, StringBuilder line, Consumer<Fault> inject) {
        Fault.LeaderTrap trap = taken[node].trap();
        taken[node] = null;
        Fault fault = trap.strike(node);
        line.append(" (leader trap ").append(trap.encode()).append(" springs on n").append(node).append(')');
        if (trap.afterMs() == 0) {
            line.append(": ");
            inject.accept(fault);
        } else {
            scheduler.after(trap.afterMs(), new SimEvent.Inject(fault));
        }
    }
}
