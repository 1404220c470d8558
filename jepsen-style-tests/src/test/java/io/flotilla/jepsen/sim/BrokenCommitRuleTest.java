package io.flotilla.jepsen.sim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real {@code RaftNode} with the commit rule of Raft §5.4.2 broken from outside
 * ({@link CommitByCountingReplica}: an earlier term's entry committed by counting replicas) must
 * be caught as a safety violation by the same generated schedules {@link SimulationTest} runs.
 * Only the sequence of the paper's Figure 8 exposes it, which the figure-8 profile's seeds reach.
 */
class BrokenCommitRuleTest {
    @Test
    void committingAnEarlierTermsEntryByCountingReplicasIsCaught() {
        Campaign.Report r = BrokenDriverTest.assertCaught(ScheduleGenerator.standard()::generate,
                CommitByCountingReplica.FACTORY, "committing an earlier term's entry by counting replicas");
        assertTrue(r.failed().spec().schedule().faults().stream().anyMatch(f -> f.fault() instanceof Fault.LeaderTrap),
                "caught by a schedule with leader traps");
    }

    @Test
    void andItIsCaughtAfterTheMembershipChanged() {
        ScheduleGenerator generator = ScheduleGenerator.standard();
        BrokenDriverTest.assertCaughtAfterMembershipChange(BrokenDriverProfiles.afterMembershipChanges(
                generator::generate), CommitByCountingReplica.FACTORY, "committing by counting replicas");
    }
}
