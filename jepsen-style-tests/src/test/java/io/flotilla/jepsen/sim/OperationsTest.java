package io.flotilla.jepsen.sim;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;

import static io.flotilla.jepsen.sim.FaultKind.ADD_LEARNER;
import static io.flotilla.jepsen.sim.FaultKind.CRASH;
import static io.flotilla.jepsen.sim.FaultKind.ISOLATE;
import static io.flotilla.jepsen.sim.FaultKind.PROMOTE;
import static io.flotilla.jepsen.sim.FaultKind.REMOVE;
import static io.flotilla.jepsen.sim.FaultKind.TRANSFER;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Membership changes and leadership transfers in the simulation: the operator's requests reach
 * the real {@code RaftNode} through whichever member leads, take effect while members crash and
 * are cut off, and every invariant holds with the membership changing under it (spare nodes
 * join as learners and become voters, voters leave, leadership moves).
 */
class OperationsTest {
    static final int SEEDS = 50;

    @Test
    void membershipChangesAndTransfersTakeEffectUnderCrashesAndIsolation() {
        ScheduleGenerator operated = new ScheduleGenerator(EnumSet.of(TRANSFER, REMOVE, ADD_LEARNER, CRASH, ISOLATE),
                false, new Range(2000, 3000));
        Campaign.Report r = Campaign.run(1, SEEDS, operated::generate, RaftNodeReplica.FACTORY, 100);
        System.out.println("operations: " + r.summary());
        assertTrue(r.passed(), r::failureReport);
        for (FaultKind k : List.of(TRANSFER, REMOVE, ADD_LEARNER, PROMOTE)) {
            long done = r.totals().operationsTookEffect.getOrDefault(k, 0L);
            assertTrue(done >= SEEDS / 5, k + " took effect " + done + " times in " + SEEDS + " runs");
        }
    }
}
