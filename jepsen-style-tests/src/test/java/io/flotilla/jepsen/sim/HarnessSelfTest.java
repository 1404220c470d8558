package io.flotilla.jepsen.sim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole harness against {@link ToyRaft}, a small reference Raft, so that it is exercised
 * end to end without the real {@code RaftNode}: a correct Raft passes, runs replay exactly,
 * and broken drivers and broken Rafts are caught, shrunk and replayable.
 */
class HarnessSelfTest {
    private static final Replica.Factory TOY = ToyRaft.factory(ToyBug.NONE);

    @Test
    void aCorrectRaftPassesGeneratedSchedules() {
        Campaign.Report report = Campaign.run(1, 150, ScheduleGenerator.standard()::generate, TOY, 50);
        System.out.println("toy: " + report.summary());
        assertTrue(report.passed(), report::failureReport);
        assertTrue(report.mix().threeVoters() > 50 && report.mix().fiveVoters() > 50);
        assertTrue(report.totals().commits > 10_000, "the workload commits");
        assertTrue(report.totals().elections > 150, "faults cause elections");
    }

    @Test
    void runsAreDeterministic() {
        DeterminismTest.assertDeterministic(TOY);
    }

    @Test
    void acknowledgingBeforeFsyncIsCaught() {
        Campaign.Report r = BrokenDriverTest.assertCaught(BrokenDriverProfiles.ackBeforeFsync(), TOY, "toy, ack before fsync");
        assertEquals(CommitSafety.NAME, r.failed().failure().invariant());
    }

    @Test
    void grantingAVoteWithoutPersistingItIsCaught() {
        Campaign.Report r = BrokenDriverTest.assertCaught(BrokenDriverProfiles.unpersistedVote(), TOY, "toy, unpersisted vote");
        assertEquals(ElectionSafety.NAME, r.failed().failure().invariant());
    }

    @Test
    void aLeaderCountingItsUnpersistedLogIsCaught() {
        assertEquals(CommitSafety.NAME, caught(ToyBug.COUNT_UNPERSISTED_SELF).failure().invariant());
    }

    @Test
    void votingForAStaleLogIsCaught() {
        // Usually commit-safety sees it first: the stale leader truncates a committed entry on a
        // follower below a durable majority, before its own log is durable for leader-completeness.
        caught(ToyBug.VOTE_IGNORES_LOG);
    }

    @Test
    void votingTwiceInATermIsCaught() {
        assertEquals(ElectionSafety.NAME, caught(ToyBug.VOTE_TWICE).failure().invariant());
    }

    @Test
    void theMinimalFailingRunReplaysFromItsEncoding() {
        Campaign.Report r = Campaign.run(1, 100, ScheduleGenerator.standard()::generate,
                ToyRaft.factory(ToyBug.VOTE_IGNORES_LOG), 100);
        RunSpec minimal = r.minimal().spec();
        assertTrue(minimal.schedule().size() <= r.failed().spec().schedule().size());
        assertTrue(minimal.durationMs() <= r.failed().spec().durationMs());
        RunOutcome replayed = Simulation.run(RunSpec.parse(minimal.encode()), ToyRaft.factory(ToyBug.VOTE_IGNORES_LOG));
        assertEquals(r.minimal().failure(), replayed.failure());
        assertTrue(r.failureReport().contains(Campaign.replayCommand(minimal)), r::failureReport);
    }

    private static Shrinker.Result caught(ToyBug bug) {
        Campaign.Report r = Campaign.run(1, 100, ScheduleGenerator.standard()::generate, ToyRaft.factory(bug), 100);
        assertTrue(!r.passed(), bug + " went unnoticed");
        System.out.println("toy bug " + bug + ": " + r.summary() + "\n" + r.failureReport().lines().limit(8)
                .reduce("", (a, b) -> a + b + "\n"));
        assertTrue(r.failed().failure().isSafety(), r::failureReport);
        return r.minimal();
    }
}
