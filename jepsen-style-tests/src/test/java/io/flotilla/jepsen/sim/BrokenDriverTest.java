package io.flotilla.jepsen.sim;

import org.junit.jupiter.api.Test;

import java.util.function.LongFunction;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A checker that cannot fail is worthless: the real {@code RaftNode} under a deliberately broken
 * driver must be caught violating safety. (A liveness failure or an exception would not count.)
 */
class BrokenDriverTest {
    static final int SEEDS = Integer.getInteger("flotilla.sim.brokenDriverSeeds", 400);

    @Test
    void acknowledgingBeforeFsyncIsCaught() {
        assertCaught(BrokenDriverProfiles.ackBeforeFsync(), RaftNodeReplica.FACTORY, "acknowledging before fsync");
    }

    @Test
    void grantingAVoteWithoutPersistingItIsCaught() {
        assertCaught(BrokenDriverProfiles.unpersistedVote(), RaftNodeReplica.FACTORY,
                "granting a vote without persisting it");
    }

    @Test
    void acknowledgingBeforeFsyncIsCaughtAfterTheMembershipChanged() {
        assertCaughtAfterMembershipChange(BrokenDriverProfiles.afterMembershipChanges(
                BrokenDriverProfiles.ackBeforeFsync()), RaftNodeReplica.FACTORY, "acknowledging before fsync");
    }

    /**
     * Runs the specs until one fails after a membership change took effect (committed); every
     * failure on the way must be a safety violation too.
     */
    static RunOutcome assertCaughtAfterMembershipChange(LongFunction<RunSpec> specs, Replica.Factory factory,
                                                       String what) {
        for (long seed = 1; seed <= SEEDS; seed++) {
            RunOutcome outcome = Simulation.run(specs.apply(seed), factory);
            if (!outcome.failed()) {
                continue;
            }
            assertTrue(outcome.failure().isSafety(), () -> what + " was caught, but not as a safety violation: "
                    + outcome.failure() + "\nreplay: " + Campaign.replayCommand(outcome.spec()));
            SimStats s = outcome.stats();
            if (s.operationsTookEffect.containsKey(FaultKind.PROMOTE)
                    || s.operationsTookEffect.containsKey(FaultKind.REMOVE)) {
                System.out.println(what + ", after a membership change: caught by seed " + seed + ": "
                        + outcome.failure() + "\n  operations (tried/accepted/took effect) " + s.operationsTried + " "
                        + s.operationsAccepted + " " + s.operationsTookEffect);
                return outcome;
            }
        }
        return fail(what + " was not caught after a membership change in " + SEEDS + " seeds");
    }

    static Campaign.Report assertCaught(LongFunction<RunSpec> specs, Replica.Factory factory, String what) {
        Campaign.Report report = Campaign.run(1, SEEDS, specs, factory, 100);
        System.out.println(what + ": " + report.summary());
        assertFalse(report.passed(), what + " went unnoticed in " + SEEDS + " seeds");
        System.out.println(report.failureReport());
        assertTrue(report.failed().failure().isSafety(), () -> what + " was caught, but not as a safety violation:\n"
                + report.failureReport());
        assertTrue(report.minimal().failure().isSafety());
        return report;
    }
}
